"""Defaults of the FluidSynth renderer."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["BatchRenderConfig", "RenderConfig"]


@dataclass(frozen=True)
class RenderConfig:
    """Every default of :class:`music_models.render.FluidSynthRenderer`.

    ``soundfont`` empty means :func:`music_models.paths.soundfont_path` (``$HUMDINGER_SOUNDFONT`` or
    Debian's FluidR3_GM.sf2). The synth runs at ``synth_sample_rate_hz`` and is resampled to
    ``sample_rate_hz`` when they differ. Output is mono float32, its active-frame RMS at
    ``target_rms_dbfs`` (peaks held under ``peak_ceiling_dbfs``), ending ``release_s`` after the last
    note-off with a ``fade_s`` fade-out.
    """

    sample_rate_hz: int = 16_000
    synth_sample_rate_hz: int = 32_000
    soundfont: str = ""
    gain: float = 0.5
    polyphony: int = 256
    reverb: bool = True
    chorus: bool = False  # its LFO keeps state between renders, which makes them non-repeatable
    target_rms_dbfs: float = -20.0
    peak_ceiling_dbfs: float = -1.0
    gate_db: float = 40.0  # frames quieter than the loudest by this much do not count toward the RMS
    release_s: float = 0.35
    fade_s: float = 0.15
    max_duration_s: float = 1200.0
    flush_max_s: float = 4.0  # how much silence may be rendered to let the previous reverb tail die

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RenderConfig:
        return cls(**d)


@dataclass(frozen=True)
class BatchRenderConfig:
    """Defaults of ``humdinger data render``."""

    split: str = "test"
    limit: int = 20
    renderings: int = 1
    seed: int = 0
    out_dir: str = "out/renders"
    manifest_name: str = "manifest.jsonl"
