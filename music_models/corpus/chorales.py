"""Bach chorales -> :class:`~music_models.types.Tune`: soprano melody, chords from the lower voices.

The voices are sliced per beat — what music21's ``chordify`` does — and each slice is labelled with
the chord template (root, quality) that best explains its pitch classes, the bass note breaking ties.
The lower voices (alto, tenor, bass) carry the harmony; the soprano counts half, as it often holds
the third the lower voices leave out; passing notes inside a beat count half. Labelling (:func:`label_chord`) is a pure function.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from music_models.corpus.config import CorpusConfig
from music_models.corpus.dedupe import melody_signature
from music_models.corpus.keys import estimate_key
from music_models.corpus.melody import anacrusis_of_part, melody_from_part
from music_models.corpus.registry import CollectionSpec
from music_models.errors import ParseError
from music_models.types import CHORD_QUALITIES, Chord, Key, Meter, Note, Tune

__all__ = ["chords_from_voices", "label_chord", "parse_chorale"]

logger = logging.getLogger(__name__)

_EPS = 1e-6
#: Qualities a chorale slice may get, simplest first (ties go to the earlier one).
_SLICE_QUALITIES: tuple[str, ...] = ("maj", "min", "dom7", "dim", "min7", "hdim7", "dim7")
#: Weight of the soprano when a slice is labelled: it often holds the third the lower voices lack.
_SOPRANO_WEIGHT = 0.5
#: Weight of a note that starts inside a slice (a passing note) relative to one sounding at its start.
_PASSING_WEIGHT = 0.5


def label_chord(
    *, weights: np.ndarray, bass_pc: int | None = None, key: Key | None = None
) -> tuple[int, str] | None:
    """Best ``(root_pc, quality)`` for a (12,) pitch-class weight vector; None when it is silent.

    Score = weight of chord tones − weight of other tones − 0.5 × (template tones absent, as a share
    of the mean weight) + a bonus when the bass is the root and a small one for chords of the key.
    """
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    if total <= _EPS:
        return None
    present = w > _EPS
    mean = total / max(int(present.sum()), 1)
    diatonic = set(key.scale_pcs) if key is not None else set()
    best: tuple[float, int, str] | None = None
    for q_rank, quality in enumerate(_SLICE_QUALITIES):
        intervals = CHORD_QUALITIES[quality]
        for root in range(12):
            pcs = [(root + i) % 12 for i in intervals]
            inside = float(w[pcs].sum())
            missing = sum(1 for pc in pcs if not present[pc])
            score = inside - (total - inside) - 0.5 * mean * missing - 0.01 * q_rank
            if len(pcs) > 3:  # a seventh only when its seventh is really there
                score -= 0.25 * mean
            if bass_pc is not None and bass_pc == root:
                score += 0.3 * mean
            if diatonic and all(pc in diatonic for pc in pcs[:3]):
                score += 0.1 * mean
            if best is None or score > best[0] + 1e-9:
                best = (score, root, quality)
    assert best is not None
    return best[1], best[2]


def chords_from_voices(
    *, voices: Sequence[Sequence[Note]], bass: Sequence[Note], slice_beats: float, end_beats: float,
    key: Key | None = None, voice_weights: Sequence[float] | None = None,
) -> tuple[Chord, ...]:
    """Chords per slice of ``slice_beats`` from the voices' notes (weighted by overlap, passing notes
    and ``voice_weights`` less); equal neighbours are merged."""
    chords: list[Chord] = []
    t = 0.0
    weights = list(voice_weights) if voice_weights is not None else [1.0] * len(voices)
    all_notes = [(n, vw) for v, vw in zip(voices, weights) for n in v]
    while t < end_beats - _EPS:
        e = min(t + slice_beats, end_beats)
        w = np.zeros(12)
        for n, vw in all_notes:
            overlap = min(n.end_beats, e) - max(n.onset_beats, t)
            if overlap > _EPS:
                w[n.pitch % 12] += overlap * vw * (_PASSING_WEIGHT if n.onset_beats > t + _EPS else 1.0)
        sounding = [n for n in bass if n.onset_beats <= t + _EPS and n.end_beats > t + _EPS]
        bass_pc = sounding[0].pitch % 12 if sounding else None
        label = label_chord(weights=w, bass_pc=bass_pc, key=key)
        if label is not None:
            root, quality = label
            prev = chords[-1] if chords else None
            if prev and prev.root_pc == root and prev.quality == quality and abs(prev.end_beats - t) < _EPS:
                chords[-1] = Chord(root, quality, prev.onset_beats, e - prev.onset_beats, prev.bass_pc)
            else:
                chords.append(Chord(root, quality, t, e - t, bass_pc))
        t = e
    return tuple(chords)


@functools.lru_cache(maxsize=1)
def _titles_by_bwv() -> dict[str, str]:
    from music21.corpus import chorales

    return {str(k): str(v.get("title", "")) for k, v in chorales.ChoraleList().byBWV.items()}


def _lower_parts(parts: list[Any]) -> list[Any]:
    named = [p for p in parts[1:] if str(p.partName or "").lower().startswith(("alt", "ten", "bas"))]
    return named or parts[1:4]


def parse_chorale(*, name: str, spec: CollectionSpec, config: CorpusConfig | None = None) -> Tune:
    """Parse one chorale (a music21 corpus name such as ``bach/bwv269``) into a Tune."""
    cfg = config or CorpusConfig()
    try:
        from music21 import converter, corpus

        found = corpus.getWork(name)
        paths = [str(x) for x in found] if isinstance(found, list) else [str(found)]
        path = next((x for x in paths if x.endswith((".mxl", ".xml", ".musicxml"))), paths[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = converter.parseFile(path, forceSource=True, storePickle=False)
        parts = list(score.parts)
        if len(parts) < 2:
            raise ParseError(f"{name}: {len(parts)} part(s); a chorale needs a soprano and lower voices")
        soprano = next((p for p in parts if str(p.partName or "").lower().startswith("sop")), parts[0])
        parts = [soprano, *[p for p in parts if p is not soprano]]
        lower = [melody_from_part(p) for p in _lower_parts(parts)]
        notes = melody_from_part(soprano)
        ts = soprano.recurse().getElementsByClass("TimeSignature").first()
        meter = Meter(int(ts.numerator), int(ts.denominator)) if ts is not None else Meter(4, 4)
        anacrusis = anacrusis_of_part(soprano, bar_beats=meter.bar_beats)
        ks = soprano.recurse().getElementsByClass("KeySignature").first()
        sig_major = Key(int(ks.asKey("major").tonic.pitchClass), "major") if ks is not None else None
        with open(path, "rb") as fh:
            digest = hashlib.sha1(fh.read()).hexdigest()[:8]
    except ParseError:
        raise
    except Exception as exc:  # music21 raises many kinds on a broken file
        raise ParseError(f"{name}: music21 could not parse it ({type(exc).__name__}: {exc})") from exc
    if len(notes) < cfg.min_notes:
        raise ParseError(f"{name}: only {len(notes)} soprano notes (fewer than min_notes={cfg.min_notes})")
    estimated = estimate_key(pitches=[n.pitch for n in notes], durations_beats=[n.duration_beats for n in notes],
                             final_weight_beats=cfg.key_final_note_weight_beats)
    key = sig_major or estimated or Key(0, "major")
    if sig_major is not None and estimated is not None and estimated.mode == "minor" \
            and estimated.tonic_pc == (sig_major.tonic_pc + 9) % 12:
        key = Key(estimated.tonic_pc, "minor")
    end = max(n.end_beats for n in notes)
    bass = lower[-1] if lower else []
    chords = chords_from_voices(voices=[notes, *lower], bass=bass, slice_beats=meter.pulse_beats, end_beats=end,
                                key=key, voice_weights=[_SOPRANO_WEIGHT] + [1.0] * len(lower))
    stem = os.path.basename(name)
    bwv = stem.removeprefix("bwv")
    title = _titles_by_bwv().get(bwv) or f"Chorale BWV {bwv}"
    return Tune(
        tune_id=f"{spec.name}-{stem}-{digest}", title=title, collection=spec.name, meter=meter, key=key,
        tempo_qpm=cfg.chorale_tempo_qpm, notes=tuple(notes), chords=chords, estimated_key=estimated,
        chord_source="harmony", anacrusis_beats=anacrusis, source=f"{spec.subdir}/{stem}",
        extra={"tune_type": "chorale", "tempo_from": "default", "bwv": bwv, "harmony_key": key.to_dict(),
               "dedupe_key": melody_signature(pitches=[n.pitch for n in notes], n_intervals=cfg.dedupe_intervals)},
    )
