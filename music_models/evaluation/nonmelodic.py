"""Non-melodic queries for the false-match rate: speech (espeak-ng), white and pink noise, silence.

A system that answers one of these with a ``match`` verdict has made a false match.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from music_models.errors import ConfigError, HumdingerError

__all__ = ["NONMELODIC_KINDS", "SPEECH_SENTENCES", "nonmelodic_query", "pink_noise", "speech", "white_noise"]

logger = logging.getLogger(__name__)

NONMELODIC_KINDS: tuple[str, ...] = ("speech", "white_noise", "pink_noise", "silence")

#: What people say to a music assistant instead of humming (plus some chatter).
SPEECH_SENTENCES: tuple[str, ...] = (
    "Hey, what's this song? I heard it on the radio this morning and I can't remember the name.",
    "Play something calm for the evening, maybe a slow Irish air or a waltz, not too loud please.",
    "I don't know how it goes exactly, it was something about a river and a girl with red hair.",
    "Can you turn the volume down a little and then tell me the weather for tomorrow in Dublin?",
    "Stop. No, not that one. The other one, the fast one they played at the wedding last summer.",
    "Okay so the first part goes up and then down again, and then there is a long note at the end.",
)

_VOICES: tuple[str, ...] = ("en-us", "en", "en-us+f3", "en+m3", "en-us+f2", "en+m7")


def _rms_scaled(x: np.ndarray, *, rms_dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    if rms <= 0:
        return x.astype(np.float32)
    y = x * (10 ** (rms_dbfs / 20) / rms)
    return np.clip(y, -0.99, 0.99).astype(np.float32)


def white_noise(*, duration_s: float, sample_rate_hz: int, rng: np.random.Generator,
                rms_dbfs: float = -30.0) -> np.ndarray:
    return _rms_scaled(rng.standard_normal(int(duration_s * sample_rate_hz)), rms_dbfs=rms_dbfs)


def pink_noise(*, duration_s: float, sample_rate_hz: int, rng: np.random.Generator,
               rms_dbfs: float = -30.0) -> np.ndarray:
    """1/f power noise by spectral shaping of white noise."""
    n = int(duration_s * sample_rate_hz)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / sample_rate_hz)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0.0
    return _rms_scaled(np.fft.irfft(spec, n), rms_dbfs=rms_dbfs)


def speech(*, text: str, sample_rate_hz: int, rng: np.random.Generator, duration_s: float | None = None,
           rms_dbfs: float = -24.0) -> np.ndarray:
    """``text`` spoken by espeak-ng with a random voice, speed and pitch; cut or padded to ``duration_s``."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise HumdingerError("espeak-ng is not installed; run 'make setup' (it installs the Debian package)")
    import librosa
    import soundfile as sf

    voice = str(rng.choice(_VOICES))
    words_per_min = int(rng.integers(130, 190))
    pitch = int(rng.integers(30, 70))
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        cmd = [exe, "-v", voice, "-s", str(words_per_min), "-p", str(pitch), "-w", str(wav), text]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise HumdingerError(f"espeak-ng failed ({exc}); check it runs: espeak-ng 'hello'") from exc
        y, sr = sf.read(str(wav), dtype="float32", always_2d=False)
    if y.ndim > 1:
        y = y.mean(axis=1)
    y = librosa.resample(y, orig_sr=sr, target_sr=sample_rate_hz) if sr != sample_rate_hz else y
    if duration_s is not None:
        n = int(duration_s * sample_rate_hz)
        y = np.pad(y, (0, max(0, n - y.size)))[:n]
    return _rms_scaled(y, rms_dbfs=rms_dbfs)


def nonmelodic_query(*, kind: str, duration_s: float, sample_rate_hz: int, seed: int) -> np.ndarray:
    """One non-melodic query of ``kind`` (see :data:`NONMELODIC_KINDS`), deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    if kind == "speech":
        text = " ".join(rng.permutation(SPEECH_SENTENCES)[:2])
        return speech(text=str(text), sample_rate_hz=sample_rate_hz, rng=rng, duration_s=duration_s)
    if kind == "white_noise":
        return white_noise(duration_s=duration_s, sample_rate_hz=sample_rate_hz, rng=rng,
                           rms_dbfs=float(rng.uniform(-40, -20)))
    if kind == "pink_noise":
        return pink_noise(duration_s=duration_s, sample_rate_hz=sample_rate_hz, rng=rng,
                          rms_dbfs=float(rng.uniform(-40, -20)))
    if kind == "silence":
        # A quiet room: very low noise, not digital zeros.
        return white_noise(duration_s=duration_s, sample_rate_hz=sample_rate_hz, rng=rng, rms_dbfs=-70.0)
    raise ConfigError(f"unknown non-melodic kind {kind!r}; choose from {', '.join(NONMELODIC_KINDS)}")
