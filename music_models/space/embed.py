"""Inference: audio -> windows -> embeddings, with the model loaded once and reused."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EmbeddedClip", "Embedder"]


@dataclass(frozen=True)
class EmbeddedClip:
    """Embeddings of one clip's windows: ``z[i]`` covers ``[starts_s[i], starts_s[i] + window_s)``."""

    z: np.ndarray  # float32 [n_windows, dim]
    starts_s: tuple[float, ...]
    window_s: float
    duration_s: float
    timing_ms: dict[str, float] = field(default_factory=dict)


class Embedder:
    """Holds the music-space model; ``embed(samples)`` for 16 kHz mono float audio."""

    def __init__(self, checkpoint: Path | None = None, *, threads: int = 2) -> None:
        import torch

        from music_models.space.checkpoint import load_model

        t0 = time.perf_counter()
        torch.set_num_threads(threads)
        self.model, self.info, _ = load_model(checkpoint)
        self.config = self.model.config
        self.load_ms = (time.perf_counter() - t0) * 1000
        self._warm()

    @property
    def dim(self) -> int:
        return int(self.config.encoder.embedding_dim)

    @property
    def sample_rate_hz(self) -> int:
        return int(self.config.features.sample_rate_hz)

    def _warm(self) -> None:
        """First calls of librosa's CQT and torch are slow (filter design, JIT); pay that at load."""
        self.embed(np.zeros(self.sample_rate_hz * 5, dtype=np.float32))

    def features(self, samples: np.ndarray) -> np.ndarray:
        from music_models.features.spectrogram import log_spectrogram

        return log_spectrogram(samples, config=self.config.features)

    def embed_features(self, feats: np.ndarray) -> tuple[np.ndarray, list[float]]:
        import torch

        from music_models.features.windows import window_starts_s

        fps = self.config.features.frames_per_s
        starts_s = window_starts_s(feats.shape[1] / fps, config=self.config.windows)
        starts = [int(round(s * fps)) for s in starts_s]
        with torch.inference_mode():
            z = self.model.encoder.embed_clip(torch.from_numpy(feats), starts, self.config.window_frames)
        return z.numpy().astype(np.float32), starts_s

    def embed(self, samples: np.ndarray) -> EmbeddedClip:
        t0 = time.perf_counter()
        feats = self.features(samples)
        t1 = time.perf_counter()
        z, starts_s = self.embed_features(feats)
        t2 = time.perf_counter()
        return EmbeddedClip(
            z=z,
            starts_s=tuple(starts_s),
            window_s=self.config.windows.length_s,
            duration_s=len(samples) / self.sample_rate_hz,
            timing_ms={"features": (t1 - t0) * 1000, "embed": (t2 - t1) * 1000},
        )

    def embed_time_scaled(self, samples: np.ndarray, factors: tuple[float, ...]) -> list[EmbeddedClip]:
        """One clip per time-scale factor (> 1: played faster; :func:`music_models.features.time_scale.stretch`
        by 1 / factor), sharing one spectrogram; ``starts_s`` are in each scaled clip's own time."""
        from music_models.features.time_scale import stretch

        t0 = time.perf_counter()
        feats = self.features(samples)
        features_ms = (time.perf_counter() - t0) * 1000
        duration_s = len(samples) / self.sample_rate_hz
        clips = []
        for factor in factors:
            t1 = time.perf_counter()
            z, starts_s = self.embed_features(np.ascontiguousarray(stretch(feats, factor=1.0 / float(factor))))
            clips.append(EmbeddedClip(z=z, starts_s=tuple(starts_s), window_s=self.config.windows.length_s,
                                      duration_s=duration_s / float(factor),
                                      timing_ms={"features": features_ms if not clips else 0.0,
                                                 "embed": (time.perf_counter() - t1) * 1000}))
        return clips

    def describe(self) -> dict[str, Any]:
        return {"checkpoint": str(self.info.path), "sha256": self.info.sha256, "step": self.info.step,
                "metrics": self.info.metrics}
