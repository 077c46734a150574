"""The corpus builder's settings: one frozen dataclass holding every default."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["CORPUS_FORMAT_VERSION", "DEFAULT_NOTES_PER_SECOND", "CorpusConfig"]

#: Bump when the meaning of the cached records changes (forces a rebuild of every collection).
CORPUS_FORMAT_VERSION = 4

#: Typical running-note rate (notes per second) of each tune type. The default tempo of a tune
#: without ``Q:`` is the rate divided by the tune's note density (notes per quarter beat), so a
#: reel of quavers in 4/4 gets ~210 qpm and the same reel written in 2/4 with semiquavers ~105 qpm.
DEFAULT_NOTES_PER_SECOND: dict[str, float] = {
    "reel": 7.0,
    "hornpipe": 5.3,
    "jig": 5.5,  # 6/8 quavers at dotted-quarter 110 -> 165 qpm
    "slip jig": 5.5,
    "slide": 6.0,
    "polka": 4.6,
    "fling": 4.6,
    "strathspey": 4.3,
    "clog": 5.0,
    "march": 4.0,
    "waltz": 3.6,
    "mazurka": 3.6,
    "set dance": 5.0,
    "air": 2.0,
    "song": 2.0,
    "lively": 5.0,
    "moderate": 3.4,
    "slow": 1.8,
    "tune": 4.0,  # an instrumental tune of unknown type
}


@dataclass(frozen=True)
class CorpusConfig:
    """Settings of :func:`~music_models.corpus.build.build_corpus` (all defaults live here)."""

    workers: int = 2
    #: Tunes per task handed to a worker process.
    chunk_size: int = 24
    #: Fractions of the deterministic split by tune-id hash (test gets the rest).
    train_fraction: float = 0.8
    val_fraction: float = 0.1
    #: Tunes whose first N melodic intervals are identical (key-independent) are duplicates.
    dedupe_intervals: int = 16
    #: A tune with fewer melody notes than this is skipped (counted as a failure).
    min_notes: int = 8
    chorale_tempo_qpm: float = 80.0
    min_tempo_qpm: float = 40.0
    max_tempo_qpm: float = 240.0
    notes_per_second: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_NOTES_PER_SECOND))
    #: Extra weight (in beats) that key estimation gives the final note, which in folk music is the tonic.
    key_final_note_weight_beats: float = 2.0

    def __post_init__(self) -> None:
        from music_models.errors import ConfigError

        if self.workers < 1:
            raise ConfigError(f"workers must be >= 1, got {self.workers}; use 1 to parse in-process")
        if not (0 < self.train_fraction < 1 and 0 <= self.val_fraction < 1
                and self.train_fraction + self.val_fraction <= 1):
            raise ConfigError("train_fraction and val_fraction must lie in (0, 1) and sum to at most 1")
        if self.dedupe_intervals < 1:
            raise ConfigError(f"dedupe_intervals must be >= 1, got {self.dedupe_intervals}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CorpusConfig:
        return cls(**d)

    def params_hash(self) -> str:
        """Hash of everything that changes the parsed records (not the worker count)."""
        d = self.to_dict()
        for k in ("workers", "chunk_size"):
            d.pop(k)
        d["format"] = CORPUS_FORMAT_VERSION
        return hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]
