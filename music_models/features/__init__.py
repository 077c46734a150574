"""Audio features: the log-frequency spectrogram the encoder sees, windowing, and DSP key/tempo."""

from music_models.features.spectrogram import FeatureConfig, log_spectrogram
from music_models.features.windows import WindowConfig, frame_windows, window_starts_s

__all__ = ["FeatureConfig", "WindowConfig", "frame_windows", "log_spectrogram", "window_starts_s"]
