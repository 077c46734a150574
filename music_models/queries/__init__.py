"""Synthetic queries: what users do to the microphone (hum, whistle, sing, play), with ground truth.

``synthesise_query(tune, kind=..., seed=...)`` performs a random 3-15 s span of a tune with human
imperfections (performance.py), renders it (voice.py, whistle.py, instrument.py) and records it in a
room on a device (degrade.py); the :class:`QueryTruth` says exactly what was done.
"""

from music_models.queries.config import (
    DEGRADATION_LEVELS,
    QUERY_KINDS,
    DegradationConfig,
    PerformanceConfig,
    QueryConfig,
)
from music_models.queries.degrade import BackgroundPool
from music_models.queries.synth import SyntheticQuery, synthesise_query
from music_models.queries.truth import DegradationParams, PerformanceParams, PerformedNote, QueryTruth

__all__ = [
    "DEGRADATION_LEVELS",
    "QUERY_KINDS",
    "BackgroundPool",
    "DegradationConfig",
    "DegradationParams",
    "PerformanceConfig",
    "PerformanceParams",
    "PerformedNote",
    "QueryConfig",
    "QueryTruth",
    "SyntheticQuery",
    "synthesise_query",
]
