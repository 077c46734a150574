"""The music-space model's configuration: one dataclass, stored inside every checkpoint."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from music_models.features.spectrogram import FeatureConfig
from music_models.features.windows import WindowConfig

__all__ = ["DecoderTargetConfig", "EncoderConfig", "MusicSpaceConfig", "ObjectiveConfig"]


@dataclass(frozen=True)
class EncoderConfig:
    channels: tuple[int, ...] = (16, 32, 64, 128)
    embedding_dim: int = 128
    dropout: float = 0.1
    # Harmonic stacking of the log-CQT (an HCQT computed from the CQT by shifting it down by
    # 24*log2(h) bins): channel h holds the energy at h times each bin's frequency, so the first
    # convolution sees a note's harmonics aligned at its fundamental. () = the plain CQT, one channel.
    harmonics: tuple[float, ...] = ()
    bins_per_octave: int = 24


@dataclass(frozen=True)
class DecoderTargetConfig:
    """The symbolic content the decoder head predicts for one window, relative to the tonic."""

    steps: int = 32  # time-normalised grid over the window (a 16th grid at 120 qpm for 4 s windows)
    chord_steps: int = 8  # chord function per beat-sized slot
    n_pitch_classes: int = 13  # 12 scale-relative pitch classes + rest
    n_chord_degrees: int = 8  # I..VII + none


@dataclass(frozen=True)
class ObjectiveConfig:
    """Which training objectives are on (for the ablation) and their weights."""

    contrast: bool = True
    adjacency: bool = True
    adversarial: bool = True
    decoder: bool = True
    temperature: float = 0.1
    adjacency_weight: float = 0.2
    adversarial_weight: float = 0.05
    decoder_weight: float = 0.5

    @property
    def name(self) -> str:
        parts = [str(i + 1) for i, on in enumerate((self.contrast, self.adjacency, self.adversarial, self.decoder)) if on]
        return "+".join(parts)


@dataclass(frozen=True)
class MusicSpaceConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    windows: WindowConfig = field(default_factory=WindowConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    objectives: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    decoder: DecoderTargetConfig = field(default_factory=DecoderTargetConfig)

    @property
    def window_frames(self) -> int:
        return int(round(self.windows.length_s * self.features.frames_per_s))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MusicSpaceConfig:
        enc = dict(d.get("encoder", {}))
        for key in ("channels", "harmonics"):
            if key in enc:
                enc[key] = tuple(enc[key])
        return cls(
            features=FeatureConfig.from_dict(d.get("features", {})),
            windows=WindowConfig.from_dict(d.get("windows", {})),
            encoder=EncoderConfig(**enc),
            objectives=ObjectiveConfig(**d.get("objectives", {})),
            decoder=DecoderTargetConfig(**d.get("decoder", {})),
        )

    def replace_objectives(self, **changes: Any) -> MusicSpaceConfig:
        obj = {f.name: getattr(self.objectives, f.name) for f in fields(self.objectives)} | changes
        return MusicSpaceConfig(self.features, self.windows, self.encoder, ObjectiveConfig(**obj), self.decoder)
