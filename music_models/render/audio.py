"""Rendered audio value and the pure DSP applied after synthesis (mixdown, fade, loudness, WAV out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from music_models.errors import RenderError

__all__ = ["RenderedAudio", "active_rms_dbfs", "fade_out", "normalise_loudness", "to_mono", "write_wav"]


@dataclass(frozen=True)
class RenderedAudio:
    """Mono float32 samples in [-1, 1] at ``sample_rate_hz``."""

    samples: np.ndarray
    sample_rate_hz: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz

    def to_dict(self) -> dict[str, Any]:
        return {"sample_rate_hz": self.sample_rate_hz, "duration_s": self.duration_s,
                "samples": self.samples.astype(np.float32).tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RenderedAudio:
        return cls(np.asarray(d["samples"], dtype=np.float32), int(d["sample_rate_hz"]))


def to_mono(*, stereo: np.ndarray) -> np.ndarray:
    """(n, 2) interleaved frames → (n,) mean of both channels."""
    return ((stereo[:, 0] + stereo[:, 1]) * np.float32(0.5)).astype(np.float32, copy=False)


def fade_out(*, samples: np.ndarray, fade_s: float, sample_rate_hz: int) -> np.ndarray:
    """A raised-cosine fade over the last ``fade_s`` seconds (a copy)."""
    out = samples.astype(np.float32, copy=True)
    n = min(round(fade_s * sample_rate_hz), len(out))
    if n > 1:
        out[-n:] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, n))).astype(np.float32)
    return out


def active_rms_dbfs(*, samples: np.ndarray, sample_rate_hz: int, gate_db: float = 40.0, frame_s: float = 0.05) -> float:
    """RMS level in dBFS over 50 ms frames within ``gate_db`` of the loudest frame (silence ignored).

    Returns ``-inf`` for digital silence.
    """
    frame = max(int(frame_s * sample_rate_hz), 1)
    n = len(samples) // frame
    if n == 0:
        power = np.array([float(np.mean(np.square(samples, dtype=np.float64)))]) if len(samples) else np.zeros(1)
    else:
        power = np.mean(np.square(samples[: n * frame].reshape(n, frame), dtype=np.float64), axis=1)
    top = float(power.max())
    if top <= 0.0:
        return float("-inf")
    active = power[power >= top * 10 ** (-gate_db / 10)]
    return float(10 * np.log10(active.mean()))


def normalise_loudness(
    *, samples: np.ndarray, sample_rate_hz: int, target_rms_dbfs: float, peak_ceiling_dbfs: float,
    gate_db: float = 40.0,
) -> np.ndarray:
    """Scale to ``target_rms_dbfs`` (gated RMS); scale down further if a peak would pass the ceiling."""
    level = active_rms_dbfs(samples=samples, sample_rate_hz=sample_rate_hz, gate_db=gate_db)
    if not np.isfinite(level):
        raise RenderError("the rendering is silent: the notes are outside the instrument's range or the "
                          "soundfont lacks the program; try another program or soundfont")
    gain = 10 ** ((target_rms_dbfs - level) / 20)
    peak = float(np.max(np.abs(samples))) * gain
    ceiling = 10 ** (peak_ceiling_dbfs / 20)
    if peak > ceiling:
        gain *= ceiling / peak
    return (samples * gain).astype(np.float32)


def write_wav(path: str | Path, *, samples: np.ndarray, sample_rate_hz: int) -> None:
    """Write 16-bit PCM WAV (via a temporary file, so a crash never leaves a half-written WAV)."""
    import soundfile

    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    soundfile.write(str(tmp), samples, sample_rate_hz, subtype="PCM_16", format="WAV")
    tmp.replace(path)
