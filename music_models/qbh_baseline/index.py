"""The baseline's searchable index: every library tune's melody contour, and ``identify``.

``QbhIndex`` holds state (the concatenated reference contours), so it is a class; the work is done by
the pure functions of :mod:`.contour` and :mod:`.dtw`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from music_models.errors import AudioInputError, LibraryError
from music_models.qbh_baseline.config import QbhBaselineConfig
from music_models.qbh_baseline.contour import (
    PitchTrack,
    melody_contour,
    pitch_track,
    query_contour,
    steady_fraction,
)
from music_models.qbh_baseline.dtw import concatenate_references, frame_bounds, running_mean, subsequence_dtw
from music_models.types import Tune

__all__ = ["VERDICTS", "QbhIndex", "QbhMatch", "QbhResult"]

logger = logging.getLogger(__name__)

VERDICTS: tuple[str, ...] = ("match", "unsure", "no_melody")


@dataclass(frozen=True, slots=True)
class QbhMatch:
    """One ranked tune: ``cost`` is the mean clipped semitone error per query frame (lower is better)."""

    rank: int
    song_id: str
    cost: float
    offset_s: float  # where in the tune (at its notated tempo) the matched span starts
    transposition_semitones: float  # add to the query's pitch to land on the tune's

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "song_id": self.song_id, "cost": self.cost, "offset_s": self.offset_s,
                "transposition_semitones": self.transposition_semitones}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QbhMatch:
        return cls(int(d["rank"]), str(d["song_id"]), float(d["cost"]), float(d["offset_s"]),
                   float(d["transposition_semitones"]))


@dataclass(frozen=True)
class QbhResult:
    """What the baseline says about one query; ``results`` is empty when the verdict is ``no_melody``."""

    verdict: str
    results: tuple[QbhMatch, ...]
    duration_s: float
    voiced_s: float
    steady_fraction: float
    timing_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "duration_s": round(self.duration_s, 3), "voiced_s": round(self.voiced_s, 3),
                "steady_fraction": round(self.steady_fraction, 3), "results": [m.to_dict() for m in self.results],
                "timing_ms": {k: round(v, 2) for k, v in self.timing_ms.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QbhResult:
        return cls(str(d["verdict"]), tuple(QbhMatch.from_dict(m) for m in d["results"]), float(d["duration_s"]),
                   float(d["voiced_s"]), float(d["steady_fraction"]), dict(d.get("timing_ms", {})))


class QbhIndex:
    """Melody contours of a library of tunes, searched by pYIN + subsequence DTW."""

    def __init__(self, *, song_ids: Sequence[str], contours: Sequence[np.ndarray],
                 config: QbhBaselineConfig | None = None) -> None:
        self.config = config or QbhBaselineConfig()
        self.config.validate()
        if len(song_ids) != len(contours):
            raise LibraryError(f"{len(song_ids)} song ids but {len(contours)} contours; pass one contour per song")
        if len(set(song_ids)) != len(song_ids):
            raise LibraryError("song ids repeat; pass each tune once")
        keep = [i for i, c in enumerate(contours) if c.size >= 2]
        if len(keep) < len(contours):
            logger.warning("%d tunes have no melody to match and are left out", len(contours) - len(keep))
        if not keep:
            raise LibraryError("no tune with a melody to index; pass tunes that have notes")
        self.song_ids: tuple[str, ...] = tuple(song_ids[i] for i in keep)
        self._contours = [np.asarray(contours[i], dtype=np.float32) for i in keep]
        self._reference, self._starts, self._lengths = concatenate_references(contours=self._contours)
        self._tune_lo, self._tune_hi = frame_bounds(starts=self._starts, lengths=self._lengths,
                                                    total=self._reference.size)

    @classmethod
    def from_tunes(cls, tunes: Iterable[Tune], *, config: QbhBaselineConfig | None = None,
                   progress: bool = False) -> QbhIndex:
        """Render every tune's melody to a contour at its notated tempo."""
        cfg = config or QbhBaselineConfig()
        items = list(tunes)
        if progress:
            from tqdm import tqdm

            items = list(tqdm(items, desc="melody contours", unit="tune"))
        ids = [t.tune_id for t in items]
        contours = [
            melody_contour(notes=t.notes, tempo_qpm=t.tempo_qpm, contour_rate_hz=cfg.contour_rate_hz,
                           render_rate_hz=cfg.melody_render_rate_hz)
            for t in items
        ]
        return cls(song_ids=ids, contours=contours, config=cfg)

    def __len__(self) -> int:
        return len(self.song_ids)

    @property
    def reference_frames(self) -> int:
        return int(self._lengths.sum())

    def contour_of(self, song_id: str) -> np.ndarray:
        try:
            return self._contours[self.song_ids.index(song_id)]
        except ValueError:
            raise LibraryError(f"song {song_id!r} is not in this index") from None

    def analyse(self, *, samples: np.ndarray, sample_rate_hz: int,
                pitch_range_hz: tuple[float, float] | None = None) -> PitchTrack:
        """The query's pYIN pitch track with this index's settings; ``pitch_range_hz`` narrows the search
        (pYIN's time grows with the number of pitch bins: a 2-octave range is ~3x faster than 60-3300 Hz)."""
        c = self.config
        fmin, fmax = pitch_range_hz or (c.fmin_hz, c.fmax_hz)
        return pitch_track(
            samples=samples, sample_rate_hz=sample_rate_hz, target_rate_hz=c.sample_rate_hz, fmin_hz=fmin,
            fmax_hz=fmax, frame_length=c.frame_length, hop_length=c.hop_length,
            resolution_semitones=c.pyin_resolution_semitones, voiced_probability_min=c.voiced_probability_min,
        )

    def contour_of_track(self, track: PitchTrack) -> np.ndarray:
        """The key-free contour (voiced frames at ``contour_rate_hz``) that :meth:`match_contour` aligns."""
        c = self.config
        return query_contour(track=track, contour_rate_hz=c.contour_rate_hz, median_filter_frames=c.median_filter_frames,
                             outlier_window_frames=c.outlier_window_frames, outlier_semitones=c.outlier_semitones)

    def identify(self, samples: np.ndarray, sample_rate_hz: int, top_k: int | None = None) -> QbhResult:
        """Rank the library's tunes for a query recording (any rate, mono or stereo)."""
        k = self.config.top_k if top_k is None else int(top_k)
        if k < 1:
            raise LibraryError(f"top_k must be >= 1, got {k}")
        y = np.asarray(samples)
        if y.size == 0:
            raise AudioInputError("the query is empty; record a few seconds of melody")
        t0 = time.perf_counter()
        track = self.analyse(samples=y, sample_rate_hz=sample_rate_hz)
        t1 = time.perf_counter()
        c = self.config
        steady = steady_fraction(track=track, tolerance_semitones=c.steady_tolerance_semitones,
                                 min_frames=c.steady_min_frames)
        contour = self.contour_of_track(track)
        timing = {"pitch": (t1 - t0) * 1e3}
        if track.voiced_s < c.min_voiced_s or contour.size < 4 or steady < c.min_steady_fraction:
            timing["total"] = (time.perf_counter() - t0) * 1e3
            return QbhResult("no_melody", (), track.duration_s, track.voiced_s, steady, timing)
        matches = self.match_contour(contour=contour, top_k=k)
        t2 = time.perf_counter()
        timing["search"] = (t2 - t1) * 1e3
        timing["total"] = (t2 - t0) * 1e3
        verdict = "match" if matches and matches[0].cost <= c.match_cost_max else "unsure"
        return QbhResult(verdict, tuple(matches), track.duration_s, track.voiced_s, steady, timing)

    def match_contour(self, *, contour: np.ndarray, top_k: int) -> list[QbhMatch]:
        """Two-pass search: key-normalised subsequence DTW over all tunes (split between ``refine_workers``
        threads), then a transposition search."""
        c = self.config
        q = np.asarray(contour, dtype=np.float64)
        q = q[np.isfinite(q)]
        if q.size < 2:
            return []
        q0 = q - q.mean()
        local = running_mean(reference=self._reference, tune_lo=self._tune_lo, tune_hi=self._tune_hi, window=q.size)
        end_cost, start = subsequence_dtw(query=q0, reference=self._reference - local, clip=c.cost_clip_semitones,
                                          cuts=self._starts, workers=c.refine_workers)
        # Best end frame per tune (each tune's frames are contiguous; separators are inf).
        tune_best = np.empty(len(self), dtype=np.float64)
        tune_end = np.empty(len(self), dtype=np.int64)
        for i, (s, n) in enumerate(zip(self._starts, self._lengths)):
            j = int(np.argmin(end_cost[s : s + n]))
            tune_best[i], tune_end[i] = end_cost[s + j], s + j
        order = np.argsort(tune_best, kind="stable")
        n_refine = min(c.refine_candidates, len(self))
        jobs = [(int(i), (int(start[tune_end[i]]), int(tune_end[i]))) for i in order[:n_refine]]
        refined = self._refine(query=q, jobs=jobs)  # (cost, tune, offset_s, transposition)
        refined.sort(key=lambda r: r[0])
        rest = []
        for i in order[n_refine:top_k]:
            j0, j1 = int(start[tune_end[i]]), int(tune_end[i])
            shift = float(np.mean(self._reference[j0 : j1 + 1])) - float(q.mean())
            rest.append((float(tune_best[i]), int(i), (j0 - int(self._starts[i])) / c.contour_rate_hz, shift))
        ranked = [r for r in refined + rest if np.isfinite(r[0])][:top_k]  # inf: tune shorter than half the query
        return [QbhMatch(r + 1, self.song_ids[i], cost, off, tr) for r, (cost, i, off, tr) in enumerate(ranked)]

    def _refine(self, *, query: np.ndarray, jobs: list[tuple[int, tuple[int, int]]]) -> list[tuple[float, int, float, float]]:
        """Re-match each job's tune (raw contour) with the query moved onto its first-pass span, over the
        shift grid; the best ``(cost, tune, offset_s, transposition)`` per tune.

        Every (tune, shift) pair is one segment of a single batched subsequence DTW: the tune moved down by
        the transposition (the same costs as moving the query up), separated like the first pass's
        references, so the kernel runs once per worker thread instead of once per pair. With
        ``refine_workers`` > 1 the segments are split between threads (the kernel releases the GIL).
        """
        c = self.config
        q = np.asarray(query, dtype=np.float64)
        segments: list[np.ndarray] = []
        owners: list[tuple[int, float]] = []  # (tune, transposition) per segment
        for tune, (j0, j1) in jobs:
            s, n = int(self._starts[tune]), int(self._lengths[tune])
            base = float(np.mean(self._reference[j0 : j1 + 1])) - float(q.mean())
            raw = self._reference[s : s + n]
            for shift in c.refine_shifts_semitones:
                segments.append(raw - (base + shift))
                owners.append((tune, base + shift))
        if not segments:
            return []
        parts = [p for p in np.array_split(np.arange(len(segments)), min(c.refine_workers, len(segments))) if p.size]

        def run(part: np.ndarray) -> list[tuple[float, int]]:
            ref, starts, lengths = concatenate_references(contours=[segments[k] for k in part])
            cost, first = subsequence_dtw(query=q, reference=ref, clip=c.cost_clip_semitones)
            out = []
            for s0, n in zip(starts, lengths):
                j = int(np.argmin(cost[s0 : s0 + n]))
                out.append((float(cost[s0 + j]), int(first[s0 + j]) - int(s0)))
            return out

        if len(parts) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=len(parts)) as pool:
                found = [r for rs in pool.map(run, parts) for r in rs]
        else:
            found = run(parts[0])
        best: dict[int, tuple[float, int, float]] = {}
        for (tune, transposition), (cost, first_frame) in zip(owners, found):  # shift order: the first best wins
            if tune not in best or cost < best[tune][0]:
                best[tune] = (cost, first_frame, transposition)
        return [(cost, tune, first_frame / c.contour_rate_hz, tr) for tune, (cost, first_frame, tr) in best.items()]
