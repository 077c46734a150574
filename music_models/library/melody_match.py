"""The melody re-rank: the model finds candidates, melody alignment orders them.

The music-space model has the recall (the right song is among its 30 best far more often than at rank 1);
aligning the query's pitch contour with each candidate's symbolic melody (key-normalised subsequence
DTW, :mod:`music_models.qbh_baseline`) is precise when the pitch is clean. ``bench/qbh_complementarity.py``
measured that the two are right on different queries; :func:`fuse` combines them. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from music_models.library.config import MelodyMatchConfig
from music_models.qbh_baseline.config import QbhBaselineConfig
from music_models.qbh_baseline.contour import PitchTrack, melody_contour, query_contour
from music_models.queries.performance import midi_to_hz
from music_models.types import Note

__all__ = ["fuse", "melody_costs", "melody_index", "pitch_range_hz", "query_melody", "song_melody"]


def query_melody(*, track: PitchTrack | None, config: MelodyMatchConfig) -> np.ndarray:
    """The query's contour (MIDI pitch at ``contour_rate_hz``, voiced frames only) from the gate's track;
    empty when there is too little melody to align."""
    if track is None or track.midi.size == 0:
        return np.zeros(0)
    contour = query_contour(track=track, contour_rate_hz=config.contour_rate_hz,
                            median_filter_frames=config.median_filter_frames,
                            outlier_window_frames=config.outlier_window_frames,
                            outlier_semitones=config.outlier_semitones)
    return contour if contour.size >= config.min_contour_frames else np.zeros(0)


def pitch_range_hz(*, contour: np.ndarray, margin_semitones: float, floor_hz: float,
                   ceiling_hz: float) -> tuple[float, float]:
    """The frequency range a finer pitch tracker needs for a query whose (coarse) contour is ``contour``
    (MIDI): its lowest and highest pitch widened by ``margin_semitones``, inside [floor, ceiling]. The
    whole [floor, ceiling] when the contour is empty."""
    c = np.asarray(contour, dtype=np.float64)
    c = c[np.isfinite(c)]
    if c.size == 0:
        return floor_hz, ceiling_hz
    lo = max(floor_hz, float(midi_to_hz(c.min() - margin_semitones)))
    hi = min(ceiling_hz, float(midi_to_hz(c.max() + margin_semitones)))
    return (lo, hi) if hi > lo * 2 ** (1 / 12) else (floor_hz, ceiling_hz)


def song_melody(*, notes: Sequence[Note], tempo_qpm: float, config: MelodyMatchConfig) -> np.ndarray:
    """A song's symbolic melody as the contour that queries are aligned with (float32)."""
    c = melody_contour(notes=notes, tempo_qpm=tempo_qpm, contour_rate_hz=config.contour_rate_hz,
                       render_rate_hz=QbhBaselineConfig().melody_render_rate_hz)
    return c.astype(np.float32)


def melody_index(*, melodies: Mapping[str, np.ndarray], config: MelodyMatchConfig, refine: int) -> Any:
    """A :class:`~music_models.qbh_baseline.index.QbhIndex` over ``melodies`` (songs with at least two
    frames) that refines the ``refine`` best of its first pass; None when no song has a melody."""
    from music_models.qbh_baseline.index import QbhIndex

    ids = [s for s, m in melodies.items() if m.size >= 2]
    if not ids:
        return None
    cfg = replace(QbhBaselineConfig(), contour_rate_hz=config.contour_rate_hz, refine_candidates=min(refine, len(ids)),
                  refine_shifts_semitones=tuple(config.shifts_semitones), refine_workers=config.workers)
    return QbhIndex(song_ids=ids, contours=[melodies[s] for s in ids], config=cfg)


def melody_costs(
    *, query: np.ndarray, melodies: Mapping[str, np.ndarray], config: MelodyMatchConfig
) -> dict[str, float]:
    """Mean clipped semitone error of the best transposed, time-warped alignment of ``query`` inside each
    song's melody (``inf`` where the song is too short to hold half the query)."""
    index = melody_index(melodies=melodies, config=config, refine=len(melodies))
    if query.size < 2 or index is None:
        return {}
    found = {m.song_id: float(m.cost) for m in index.match_contour(contour=query, top_k=len(index))}
    return {s: found.get(s, float("inf")) for s in index.song_ids}


def fuse(
    *, scored: Sequence[tuple[str, float, float]], costs: Mapping[str, float], config: MelodyMatchConfig
) -> list[tuple[str, float, float]]:
    """Re-score ``(song, model score, offset_s)`` rows by melody cost and sort, best first.

    Fused score = score - weight * min(cost, clip). A song without a cost (no stored melody) gets the
    median clipped cost of those with one, so it is neither favoured nor punished; with no costs at all
    the order and scores are the model's.
    """
    clip = config.cost_clip_semitones
    known = [min(float(c), clip) for c in costs.values()]
    if not known or config.weight == 0:
        return sorted(scored, key=lambda t: (-t[1], t[0]))
    neutral = float(np.median(known))
    out = []
    for song, score, offset in scored:
        c = min(float(costs[song]), clip) if song in costs else neutral
        out.append((song, float(score) - config.weight * c, offset))
    return sorted(out, key=lambda t: (-t[1], t[0]))
