"""What a corpus build produced: counts per collection and split, failures, chord-tone ratios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from music_models.corpus.dedupe import SPLITS
from music_models.corpus.harmoniser import ChordToneCounts
from music_models.types import Tune

__all__ = ["CorpusStats", "summarise_tunes"]


@dataclass(frozen=True)
class CorpusStats:
    """Summary of the corpus as loaded (after dedupe). Ratios count notes (Nottingham-style): the share
    of melody notes whose pitch class is in the chord sounding at their onset."""

    collections: tuple[str, ...]
    tunes_total: int
    tunes_by_collection: dict[str, int]
    parsed_by_collection: dict[str, int]
    failures_by_collection: dict[str, int]
    duplicates_by_collection: dict[str, int]
    splits: dict[str, int]
    splits_by_collection: dict[str, dict[str, int]]
    #: Harmoniser chords (the folk collections): note-count and duration-weighted ratios.
    chord_tone_ratio: float | None
    chord_tone_ratio_duration: float | None
    chord_tone_ratio_by_collection: dict[str, float]
    #: Chords from a score's own voices (the chorales), for reference.
    harmony_chord_tone_ratio: float | None
    #: Share of tunes whose estimated key has the header key's tonic.
    key_tonic_agreement: float | None
    music21_version: str
    params_hash: str
    build_time_s: float = 0.0
    parsed_now: tuple[str, ...] = ()
    cache_dir: str = ""
    failure_examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def duplicates_dropped(self) -> int:
        return sum(self.duplicates_by_collection.values())

    @property
    def failures_total(self) -> int:
        return sum(self.failures_by_collection.values())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["collections"] = list(self.collections)
        d["parsed_now"] = list(self.parsed_now)
        d["duplicates_dropped"] = self.duplicates_dropped
        d["failures_total"] = self.failures_total
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CorpusStats:
        d = {k: v for k, v in d.items() if k not in ("duplicates_dropped", "failures_total")}
        d["collections"] = tuple(d["collections"])
        d["parsed_now"] = tuple(d.get("parsed_now", ()))
        return cls(**d)


def _counts_of(t: Tune) -> ChordToneCounts:
    c = t.extra.get("chord_tones")
    if c:
        return ChordToneCounts(int(c[0]), int(c[1]), float(c[2]), float(c[3]))
    from music_models.corpus.harmoniser import chord_tone_counts

    return chord_tone_counts(notes=t.notes, chords=t.chords)


def summarise_tunes(
    *, tunes: Sequence[Tune], splits: dict[str, str], collections: Sequence[str],
) -> dict[str, Any]:
    """The tune-derived fields of :class:`CorpusStats` (``splits`` maps tune id -> split)."""
    by_coll: dict[str, int] = {c: 0 for c in collections}
    split_counts = {s: 0 for s in SPLITS}
    split_by_coll: dict[str, dict[str, int]] = {c: {s: 0 for s in SPLITS} for c in collections}
    harm = ChordToneCounts()
    harm_by: dict[str, ChordToneCounts] = {}
    own = ChordToneCounts()
    agree = 0
    for t in tunes:
        by_coll[t.collection] = by_coll.get(t.collection, 0) + 1
        s = splits[t.tune_id]
        split_counts[s] += 1
        split_by_coll.setdefault(t.collection, {x: 0 for x in SPLITS})[s] += 1
        counts = _counts_of(t)
        if t.chord_source == "harmoniser":
            harm = harm + counts
            harm_by[t.collection] = harm_by.get(t.collection, ChordToneCounts()) + counts
        elif t.chord_source == "harmony":
            own = own + counts
        if t.estimated_key is not None and t.estimated_key.tonic_pc == t.key.tonic_pc:
            agree += 1
    return {
        "tunes_total": len(tunes),
        "tunes_by_collection": by_coll,
        "splits": split_counts,
        "splits_by_collection": split_by_coll,
        "chord_tone_ratio": round(harm.ratio, 4) if harm.notes_total else None,
        "chord_tone_ratio_duration": round(harm.duration_ratio, 4) if harm.notes_total else None,
        "chord_tone_ratio_by_collection": {c: round(v.ratio, 4) for c, v in harm_by.items()},
        "harmony_chord_tone_ratio": round(own.ratio, 4) if own.notes_total else None,
        "key_tonic_agreement": round(agree / len(tunes), 4) if tunes else None,
    }
