"""Values the library hands out: song records, identification results, indexing reports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["VERDICTS", "IdentifyHit", "IdentifyResult", "IndexReport", "MelodyCheck", "SongRecord"]

VERDICTS: tuple[str, ...] = ("match", "unsure", "no_melody")


@dataclass(frozen=True)
class SongRecord:
    """One song of the library. ``audio_path`` is a playable file (the source itself, or a rendering)."""

    song_id: str
    title: str
    artist: str = ""
    collection: str = ""
    genre: str = ""
    source_path: str = ""
    audio_path: str = ""
    duration_s: float = 0.0
    key: str = ""
    tempo_qpm: float | None = None
    n_segments: int = 0
    model_sha256: str = ""  # the checkpoint that embedded the segments ("" = not recorded: counts as stale)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SongRecord:
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        tempo = kw.get("tempo_qpm")
        kw["tempo_qpm"] = None if tempo is None else float(tempo)
        return cls(**kw)


@dataclass(frozen=True)
class IdentifyHit:
    """One ranked song: ``score`` is 1 - (mean window distance along the best alignment) / sqrt(2 dim),
    so ~0 for an unrelated song of N(0, I) embeddings and 1 for identical ones; ``offset_s`` is where in
    the recording the query starts."""

    rank: int
    song_id: str
    title: str
    score: float
    confidence: float
    offset_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "song_id": self.song_id, "title": self.title, "score": round(self.score, 4),
                "confidence": round(self.confidence, 4), "offset_s": round(self.offset_s, 2)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IdentifyHit:
        return cls(int(d["rank"]), str(d["song_id"]), str(d["title"]), float(d["score"]), float(d["confidence"]),
                   float(d["offset_s"]))


@dataclass(frozen=True)
class MelodyCheck:
    """What the melody gate measured; ``reason`` says why it is not a melody (empty when it is)."""

    is_melody: bool
    voiced_s: float
    glide_fraction: float
    run_median_s: float
    level_dbfs: float
    reason: str = ""
    #: Fraction of voiced frames in runs that hold one pitch (within ``steady_tolerance_semitones`` for
    #: ``steady_min_frames``); 0 when not measured (no melody).
    steady_fraction: float = 0.0
    #: True when the melody was only heard after noise-floor subtraction (``MelodyGateConfig.denoise_retry``).
    denoised: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class IdentifyResult:
    """The answer to "what's this song?". ``to_dict`` is the ``humdinger identify --json`` shape.

    ``query_z`` (the query's window embeddings) and ``melody`` travel along for the skills but are not
    part of the JSON.
    """

    query: str
    duration_s: float
    verdict: str
    results: tuple[IdentifyHit, ...]
    timing_ms: dict[str, float]
    query_z: np.ndarray | None = field(default=None, compare=False, repr=False)
    melody: MelodyCheck | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "duration_s": round(self.duration_s, 3),
            "verdict": self.verdict,
            "results": [h.to_dict() for h in self.results],
            "timing_ms": {k: round(float(self.timing_ms.get(k, 0.0)), 2)
                          for k in ("load", "features", "embed", "search", "total")},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IdentifyResult:
        return cls(str(d["query"]), float(d["duration_s"]), str(d["verdict"]),
                   tuple(IdentifyHit.from_dict(h) for h in d["results"]),
                   {k: float(v) for k, v in d["timing_ms"].items()})


@dataclass(frozen=True)
class IndexReport:
    """What an indexing run did. ``failed`` holds (path, reason) of every skipped bad file."""

    indexed: int = 0
    already_present: int = 0
    failed: tuple[tuple[str, str], ...] = ()
    segments_added: int = 0
    audio_s: float = 0.0
    elapsed_s: float = 0.0

    @property
    def realtime_factor(self) -> float:
        """Seconds of audio indexed per second of work (0 when nothing was indexed)."""
        return self.audio_s / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["failed"] = [list(f) for f in self.failed]
        d["realtime_factor"] = round(self.realtime_factor, 2)
        return d
