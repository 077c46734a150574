"""The instrument kind: the performed melody alone on a General MIDI instrument, through FluidSynth.

Rendering goes through any object with ``render(midi) -> np.ndarray`` (16 kHz mono); the default is the
project's persistent :class:`music_models.render.FluidSynthRenderer`. Pass one renderer to many calls:
creating it loads the soundfont.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from music_models.queries.truth import PerformedNote

__all__ = ["MidiRenderer", "default_renderer", "performance_midi", "render_instrument"]


class MidiRenderer(Protocol):
    def render(self, midi: Any) -> np.ndarray: ...


def default_renderer() -> MidiRenderer:
    """A new persistent FluidSynth renderer (raises RenderError with the fix when FluidSynth is missing)."""
    from music_models.render import FluidSynthRenderer

    return FluidSynthRenderer()


def performance_midi(*, notes: Sequence[PerformedNote], gm_program: int, rng: np.random.Generator) -> Any:
    """A one-instrument PrettyMIDI of the performed notes (velocities vary like a player's touch)."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    inst = pretty_midi.Instrument(program=int(gm_program), name="query")
    base = rng.uniform(70, 100)
    for nt in notes:
        vel = int(np.clip(base + rng.normal(0, 8), 30, 127))
        inst.notes.append(pretty_midi.Note(velocity=vel, pitch=int(nt.pitch), start=float(nt.onset_s),
                                           end=float(nt.end_s)))
    midi.instruments.append(inst)
    return midi


def render_instrument(
    *, notes: Sequence[PerformedNote], gm_program: int, duration_s: float, sample_rate_hz: int,
    renderer: MidiRenderer, rng: np.random.Generator,
) -> np.ndarray:
    """Render the notes and fit the audio to exactly ``duration_s``."""
    audio = np.asarray(renderer.render(performance_midi(notes=notes, gm_program=gm_program, rng=rng)), dtype=float)
    if audio.ndim != 1:
        audio = audio.mean(axis=-1) if audio.shape[-1] <= 2 else audio.mean(axis=0)
    n = int(round(duration_s * sample_rate_hz))
    if len(audio) >= n:
        tail = min(int(0.05 * sample_rate_hz), n)  # fade out whatever still rings at the cut
        audio = audio[:n].copy()
        audio[n - tail:] *= np.linspace(1.0, 0.0, tail)
        return audio
    return np.pad(audio, (0, n - len(audio)))
