"""Rendering MIDI to audio with FluidSynth and the FluidR3 General MIDI soundfont.

>>> from music_models.render import FluidSynthRenderer
>>> with FluidSynthRenderer() as renderer:          # loads the soundfont once
...     samples = renderer.render(midi)              # np.float32 mono at 16 kHz, RMS -20 dBFS

To play a melody alone on a GM instrument, build a ``pretty_midi.PrettyMIDI`` with one
``pretty_midi.Instrument(program=...)`` holding its notes (pitch bends and control changes are
honoured) and call :meth:`FluidSynthRenderer.render`.

Names are resolved on first use, so importing ``music_models.render.config`` (as the CLI does to
read defaults) stays free of numpy and FluidSynth.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "INSTALL_HINT",
    "BatchRenderConfig",
    "BatchResult",
    "FluidSynthRenderer",
    "ManifestEntry",
    "RenderConfig",
    "RenderedAudio",
    "active_rms_dbfs",
    "fade_out",
    "normalise_loudness",
    "render_tunes",
    "write_wav",
]

_WHERE = {
    "FluidSynthRenderer": "synth", "INSTALL_HINT": "synth",
    "RenderConfig": "config", "BatchRenderConfig": "config",
    "RenderedAudio": "audio", "active_rms_dbfs": "audio", "normalise_loudness": "audio", "fade_out": "audio",
    "write_wav": "audio",
    "render_tunes": "batch", "ManifestEntry": "batch", "BatchResult": "batch",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'music_models.render' has no attribute {name!r}")
    return getattr(importlib.import_module(f"music_models.render.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
