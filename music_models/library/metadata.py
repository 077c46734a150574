"""Finding songs by what people say ("play Greensleeves", "play some jigs", "play something calm"),
and the DSP key/tempo estimate that travels beside z for audio files. Pure functions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import numpy as np

from music_models.library.types import SongRecord

__all__ = ["MOODS", "estimate_key_tempo", "matches_collection", "matches_mood", "search_songs", "title_score"]

#: mood -> (tempo range in qpm, modes allowed; empty = any). The lookup values of nlu_data's mood list.
MOODS: dict[str, tuple[tuple[float, float], tuple[str, ...]]] = {
    **dict.fromkeys(("calm", "calming", "relaxing", "peaceful", "soothing", "chill", "gentle", "dreamy",
                     "romantic"), ((0.0, 100.0), ())),
    **dict.fromkeys(("happy", "cheerful", "joyful", "upbeat", "festive"), ((100.0, 1000.0), ("major", "mixolydian",
                                                                                            "lydian"))),
    **dict.fromkeys(("sad", "melancholy", "mournful", "solemn"), ((0.0, 110.0), ("minor", "dorian", "phrygian",
                                                                                "aeolian"))),
    **dict.fromkeys(("dark", "spooky"), ((0.0, 1000.0), ("minor", "dorian", "phrygian", "locrian"))),
    **dict.fromkeys(("lively", "energetic", "bouncy"), ((120.0, 1000.0), ())),
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", text.lower().replace("'", "")).strip()


def _singular(word: str) -> str:
    for suffix in ("es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def title_score(*, query: str, title: str) -> float:
    """0..1: 1 for the same title, high for a contained title, else difflib's ratio."""
    q, t = _norm(query), _norm(title)
    if not q or not t:
        return 0.0
    if q == t:
        return 1.0
    if q in t or t in q:
        return 0.9 * min(len(q), len(t)) / max(len(q), len(t)) + 0.1
    return difflib.SequenceMatcher(None, q, t).ratio()


def matches_collection(*, query: str, song: SongRecord) -> bool:
    """"jigs" matches genre "jig"; "chorales" matches collection "bachChorales"; case does not matter."""
    q = _singular(_norm(query).replace(" ", ""))
    if not q:
        return False
    fields = (_norm(song.genre).replace(" ", ""), _norm(song.collection).replace(" ", ""))
    return any(f and (f == q or _singular(f) == q or q in f) for f in fields)


def matches_mood(*, mood: str, song: SongRecord) -> bool:
    rule = MOODS.get(_norm(mood))
    if rule is None:
        return False
    (lo, hi), modes = rule
    tempo_ok = song.tempo_qpm is not None and lo <= song.tempo_qpm < hi
    mode = song.key.split()[-1].lower() if song.key else ""
    return tempo_ok and (not modes or mode in modes)


def search_songs(
    songs: Iterable[SongRecord], *, title: str | None = None, collection: str | None = None,
    mood: str | None = None, limit: int = 5, min_title_score: float = 0.6,
) -> list[SongRecord]:
    """Songs meeting every given criterion; by title similarity when a title is given, else by title."""
    scored: list[tuple[float, str, SongRecord]] = []
    for song in songs:
        if collection and not matches_collection(query=collection, song=song):
            continue
        if mood and not matches_mood(mood=mood, song=song):
            continue
        score = title_score(query=title, title=song.title) if title else 1.0
        if score >= min_title_score:
            scored.append((-score, song.title.lower(), song))
    scored.sort(key=lambda t: (t[0], t[1], t[2].song_id))
    return [s for _, _, s in scored[:max(limit, 0)]]


def estimate_key_tempo(*, samples: np.ndarray, sample_rate_hz: int) -> tuple[str, float | None]:
    """(key name like "G major", tempo in qpm) of a recording: chroma + Krumhansl profiles, onset tempo."""
    import librosa

    from music_models.corpus.keys import estimate_key

    y = np.asarray(samples, dtype=np.float32)
    if y.size < sample_rate_hz:
        return "", None
    chroma = librosa.feature.chroma_stft(y=y, sr=sample_rate_hz, n_fft=4096, hop_length=2048)
    key = estimate_key(pitches=list(range(12)), durations_beats=chroma.sum(axis=1).tolist())
    onset = librosa.onset.onset_strength(y=y, sr=sample_rate_hz, hop_length=512)
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset, sr=sample_rate_hz, hop_length=512))[0])
    return ("" if key is None else key.name), (round(tempo, 1) if tempo > 0 else None)
