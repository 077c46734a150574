"""Symbolic targets for the decoder head: a window's content relative to the tonic (pure functions)."""

from __future__ import annotations

import numpy as np

from music_models.space.config import DecoderTargetConfig
from music_models.types import Key, Tune

__all__ = ["NO_CHORD", "REST", "chord_degree", "window_targets"]

REST = 12
NO_CHORD = 7


def chord_degree(root_pc: int, key: Key) -> int:
    """Scale degree 0..6 of a chord root in ``key``, or :data:`NO_CHORD` when the root is chromatic."""
    scale = key.scale_pcs
    return scale.index(root_pc) if root_pc in scale else NO_CHORD


def window_targets(
    tune: Tune, *, start_beat: float, end_beat: float, config: DecoderTargetConfig = DecoderTargetConfig()
) -> dict[str, np.ndarray]:
    """Pitch class rel. tonic (or REST) and onset per grid step, chord degree per slot, over a beat span."""
    key = tune.estimated_key or tune.key
    steps = config.steps
    edges = np.linspace(start_beat, end_beat, steps + 1)
    centres = 0.5 * (edges[:-1] + edges[1:])
    pitch = np.full(steps, REST, dtype=np.int64)
    onset = np.zeros(steps, dtype=np.int64)
    onsets = np.array([n.onset_beats for n in tune.notes]) if tune.notes else np.zeros(0)
    ends = np.array([n.end_beats for n in tune.notes]) if tune.notes else np.zeros(0)
    pcs = np.array([(n.pitch - key.tonic_pc) % 12 for n in tune.notes], dtype=np.int64)
    for i, c in enumerate(centres):
        sounding = np.nonzero((onsets <= c) & (ends > c))[0]
        if sounding.size:
            pitch[i] = pcs[sounding[-1]]
        if np.any((onsets >= edges[i]) & (onsets < edges[i + 1])):
            onset[i] = 1
    slot_edges = np.linspace(start_beat, end_beat, config.chord_steps + 1)
    slot_centres = 0.5 * (slot_edges[:-1] + slot_edges[1:])
    chord = np.full(config.chord_steps, NO_CHORD, dtype=np.int64)
    for j, c in enumerate(slot_centres):
        for ch in tune.chords:
            if ch.onset_beats <= c < ch.end_beats:
                chord[j] = chord_degree(ch.root_pc, key)
                break
    return {"pitch": pitch, "onset": onset, "chord": chord}
