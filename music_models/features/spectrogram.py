"""The encoder's input: a pitch-preserving log-frequency spectrogram of 16 kHz mono audio.

Two kinds, chosen by :class:`FeatureConfig.kind` (ablation in ``bench/``):

* ``"cqt"`` — constant-Q transform, 24 bins per octave from C2: a transposition is a shift along
  the bin axis, which the encoder's convolutions and its max over pitch turn into invariance.
* ``"mel"`` — log-mel, for comparison (mel bins are not uniform in pitch, so transposition is
  not a shift).

Output is ``float32 [n_bins, n_frames]`` in dB-like units, compressed and standardised per clip
so gain and microphone level do not matter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["FeatureConfig", "log_spectrogram", "standardise"]


@dataclass(frozen=True)
class FeatureConfig:
    kind: str = "cqt"
    sample_rate_hz: int = 16000
    hop_samples: int = 640  # 25 frames per second
    fmin_hz: float = 65.406  # C2
    bins_per_octave: int = 24
    n_octaves: int = 6
    n_mels: int = 128

    @property
    def frames_per_s(self) -> float:
        return self.sample_rate_hz / self.hop_samples

    @property
    def n_bins(self) -> int:
        return self.bins_per_octave * self.n_octaves if self.kind == "cqt" else self.n_mels

    @property
    def bins_per_semitone(self) -> float:
        return self.bins_per_octave / 12.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureConfig:
        return cls(**d)


def standardise(spec: np.ndarray, *, floor_db: float = -80.0) -> np.ndarray:
    """Per-clip standardisation of a dB spectrogram: clip the floor, zero mean, unit variance."""
    spec = np.maximum(spec, spec.max(initial=floor_db) + floor_db)
    std = float(spec.std())
    return ((spec - spec.mean()) / (std if std > 1e-6 else 1.0)).astype(np.float32)


def log_spectrogram(samples: np.ndarray, *, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """Log-frequency spectrogram ``[n_bins, n_frames]`` of mono float audio at ``config.sample_rate_hz``."""
    import librosa

    y = np.asarray(samples, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"expected mono audio (1-D), got shape {y.shape}")
    min_len = config.hop_samples * 4
    if y.size < min_len:
        y = np.pad(y, (0, min_len - y.size))
    if config.kind == "cqt":
        from music_models.features.cqt_filters import install_cqt_filter_cache

        install_cqt_filter_cache()
        mag = np.abs(
            librosa.cqt(
                y,
                sr=config.sample_rate_hz,
                hop_length=config.hop_samples,
                fmin=config.fmin_hz,
                n_bins=config.n_bins,
                bins_per_octave=config.bins_per_octave,
            )
        )
        spec = librosa.amplitude_to_db(mag, ref=1.0, amin=1e-5)
    elif config.kind == "mel":
        mel = librosa.feature.melspectrogram(
            y=y, sr=config.sample_rate_hz, n_fft=2048, hop_length=config.hop_samples, n_mels=config.n_mels,
            fmin=config.fmin_hz, fmax=config.sample_rate_hz / 2,
        )
        spec = librosa.power_to_db(mel, ref=1.0, amin=1e-10)
    else:
        raise ValueError(f"unknown feature kind {config.kind!r}; use 'cqt' or 'mel'")
    return standardise(spec)
