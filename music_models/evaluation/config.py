"""Settings of the query-by-humming evaluation (``humdinger eval qbh``): one frozen dataclass of defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from music_models.errors import ConfigError
from music_models.evaluation.nonmelodic import NONMELODIC_KINDS
from music_models.queries.config import DEGRADATION_LEVELS, QUERY_KINDS

__all__ = ["SYSTEM_NAMES", "EvalConfig"]

#: Systems the harness knows: the music-space model (via the library) and the classic pYIN + DTW baseline.
SYSTEM_NAMES: tuple[str, ...] = ("model", "dtw")


@dataclass(frozen=True)
class EvalConfig:
    """One evaluation run. ``queries`` melodic queries are cycled over kinds (fastest) then levels.

    The library holds every test-split tune, plus distractors (train/val tunes, seeded sample) up to
    ``library_size`` songs; with ``library_size`` below the test split's size, a seeded sample of the
    test split alone (a smoke run). Queries are made only from test-split tunes in the library.
    """

    queries: int = 200  # melodic queries in all, spread evenly over kinds x levels
    kinds: tuple[str, ...] = QUERY_KINDS
    levels: tuple[str, ...] = DEGRADATION_LEVELS
    library_size: int = 3000
    duration_s: float = 10.0
    seed: int = 0
    top_k: int = 10  # the returned list's length; MRR counts a song absent from it as 0 (MIREX)
    systems: tuple[str, ...] = SYSTEM_NAMES
    nonmelodic_kinds: tuple[str, ...] = NONMELODIC_KINDS
    nonmelodic_per_kind: int = 10
    query_split: str = "test"
    #: Before the test queries: this many queries of ``calibration_split`` tunes that are in the library
    #: (distractors) fit each system's confidence calibration (0 = keep the stored one).
    calibration_queries: int = 120
    calibration_split: str = "val"
    json_path: str = "bench/results/qbh_eval.json"
    collection: str = "eval"  # the model's eval library is cached under data_dir()/eval/

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the bad setting and what to use instead."""
        if self.queries < 1:
            raise ConfigError(f"--queries must be at least 1, got {self.queries}")
        if self.library_size < 2:
            raise ConfigError(f"--library-size must be at least 2, got {self.library_size}")
        if self.top_k < 1:
            raise ConfigError(f"top_k must be at least 1, got {self.top_k}")
        if self.calibration_queries < 0:
            raise ConfigError(f"calibration_queries must be >= 0, got {self.calibration_queries}")
        if self.calibration_queries and self.calibration_split == self.query_split:
            raise ConfigError("calibration_split must differ from query_split: calibrating on the test queries "
                              "would leak them")
        if self.nonmelodic_per_kind < 0:
            raise ConfigError(f"nonmelodic_per_kind must be >= 0, got {self.nonmelodic_per_kind}")
        for name, given, known in (
            ("kind", self.kinds, QUERY_KINDS),
            ("level", self.levels, DEGRADATION_LEVELS),
            ("system", self.systems, SYSTEM_NAMES),
            ("non-melodic kind", self.nonmelodic_kinds, NONMELODIC_KINDS),
        ):
            bad = [g for g in given if g not in known]
            if bad:
                raise ConfigError(f"unknown {name}(s) {', '.join(bad)}; choose from {', '.join(known)}")
        if not self.kinds or not self.levels or not self.systems:
            raise ConfigError("give at least one query kind, one degradation level and one system")
        if len(set(self.systems)) != len(self.systems):
            raise ConfigError(f"systems repeat in {self.systems}; name each once")
        if not 3.0 <= self.duration_s <= 15.0:
            raise ConfigError(f"duration_s must be 3-15 s (what people hum), got {self.duration_s}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvalConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown evaluation setting(s) {unknown}; known: {sorted(known)}")
        kw: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
        return cls(**kw)
