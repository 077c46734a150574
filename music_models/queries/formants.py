"""Vocal-tract tables and the tract's magnitude response (a cascade of formant resonators).

Vowel formants F1-F3 are Peterson & Barney's (1952) averages for men, women and children; consonant
and nasal-murmur targets are textbook male values scaled for women (x1.15) and children (x1.3).
Vowel codes are ASCII: i (heed), I (hid), E (head), ae (had), a (hod), o (hawed), U (hood), u (who'd),
V (hud), er (heard).
"""

from __future__ import annotations

import numpy as np

__all__ = ["VOICE_TYPES", "VOWELS", "TractTarget", "sound_target", "tract_gain", "vowel_target"]

VOICE_TYPES: tuple[str, ...] = ("male", "female", "child")

#: vowel -> (male, female, child) -> (F1, F2, F3) in Hz.
_PB: dict[str, tuple[tuple[float, float, float], ...]] = {
    "i": ((270, 2290, 3010), (310, 2790, 3310), (370, 3200, 3730)),
    "I": ((390, 1990, 2550), (430, 2480, 3070), (530, 2730, 3600)),
    "E": ((530, 1840, 2480), (610, 2330, 2990), (690, 2610, 3570)),
    "ae": ((660, 1720, 2410), (860, 2050, 2850), (1010, 2320, 3320)),
    "a": ((730, 1090, 2440), (850, 1220, 2810), (1030, 1370, 3170)),
    "o": ((570, 840, 2410), (590, 920, 2710), (680, 1060, 3180)),
    "U": ((440, 1020, 2240), (470, 1160, 2680), (560, 1410, 3310)),
    "u": ((300, 870, 2240), (370, 950, 2670), (430, 1170, 3260)),
    "V": ((640, 1190, 2390), (760, 1400, 2780), (850, 1590, 3360)),
    "er": ((490, 1350, 1690), (500, 1640, 1960), (560, 1820, 2160)),
}
VOWELS: tuple[str, ...] = tuple(_PB)
_F4 = {"male": 3500.0, "female": 4100.0, "child": 4500.0}
_F5 = {"male": 4500.0, "female": 5000.0, "child": 5600.0}
_SCALE = {"male": 1.0, "female": 1.15, "child": 1.3}
_VOWEL_BW = (80.0, 100.0, 140.0, 220.0, 300.0)

#: Non-vowel sounds (male values): formants, bandwidths, anti-resonance (0 = none).
_SOUNDS: dict[str, tuple[tuple[float, ...], tuple[float, ...], float]] = {
    "m": ((270.0, 1000.0, 2200.0, 3300.0), (60.0, 200.0, 250.0, 300.0), 1100.0),  # nasal murmur, zero ~1.1 kHz
    "n": ((270.0, 1400.0, 2400.0, 3400.0), (60.0, 300.0, 300.0, 400.0), 1800.0),
    "l": ((360.0, 1300.0, 2700.0, 3400.0), (80.0, 150.0, 200.0, 250.0), 0.0),
    "w": ((300.0, 650.0, 2200.0, 3300.0), (70.0, 100.0, 180.0, 250.0), 0.0),
    "d": ((300.0, 1700.0, 2600.0, 3400.0), (90.0, 120.0, 180.0, 250.0), 0.0),  # stop loci
    "b": ((250.0, 800.0, 2200.0, 3300.0), (90.0, 120.0, 180.0, 250.0), 0.0),
}

TractTarget = tuple[np.ndarray, np.ndarray, float]  # formants (4,), bandwidths (4,), zero_hz


def vowel_target(vowel: str, voice: str) -> TractTarget:
    f1, f2, f3 = _PB[vowel][VOICE_TYPES.index(voice)]
    return np.array([f1, f2, f3, _F4[voice], _F5[voice]]), np.array(_VOWEL_BW), 0.0


def sound_target(sound: str, voice: str) -> TractTarget:
    """Target of a vowel code or of a consonant/nasal in ``_SOUNDS``."""
    if sound in _PB:
        return vowel_target(sound, voice)
    f, b, z = _SOUNDS[sound]
    s = _SCALE[voice]
    return np.array([*f, _F5["male"]]) * s, np.array([*b, 300.0]), z * s


def _resonator_mag(*, freqs_hz: np.ndarray, center_hz: np.ndarray, bandwidth_hz: np.ndarray, sr: float) -> np.ndarray:
    """|H| of a digital 2-pole resonator normalised to 1 at 0 Hz (Klatt's formant filter)."""
    r = np.exp(-np.pi * bandwidth_hz / sr)
    c = 2.0 * r * np.cos(2.0 * np.pi * center_hz / sr)
    w = 2.0 * np.pi * freqs_hz / sr
    cos_w, sin_w = np.cos(w), np.sin(w)  # real arithmetic: |1 - c e^-jw + r^2 e^-2jw|, e^-2jw from e^-jw
    cos_2w, sin_2w = 2.0 * cos_w * cos_w - 1.0, 2.0 * sin_w * cos_w
    den = np.hypot(1.0 - c * cos_w + r * r * cos_2w, c * sin_w - r * r * sin_2w)
    return (1.0 - c + r * r) / np.maximum(den, 1e-9)


def tract_gain(
    *,
    freqs_hz: np.ndarray,
    formants_hz: np.ndarray,
    bandwidths_hz: np.ndarray,
    zero_hz: np.ndarray,
    sample_rate_hz: float,
) -> np.ndarray:
    """Magnitude of the vocal tract at ``freqs_hz``.

    ``freqs_hz`` has shape (frames, m); ``formants_hz``/``bandwidths_hz`` (frames, 5); ``zero_hz`` (frames,)
    with 0 where there is no anti-resonance (nasals have one).
    """
    g = np.ones(freqs_hz.shape)
    for j in range(formants_hz.shape[1]):
        g *= _resonator_mag(freqs_hz=freqs_hz, center_hz=formants_hz[:, j:j + 1],
                            bandwidth_hz=bandwidths_hz[:, j:j + 1], sr=sample_rate_hz)
    has_zero = zero_hz > 0
    if np.any(has_zero):
        z = np.where(has_zero, zero_hz, 1000.0)[:, None]
        anti = 1.0 / _resonator_mag(freqs_hz=freqs_hz, center_hz=z, bandwidth_hz=np.full_like(z, 200.0),
                                    sr=sample_rate_hz)
        g = np.where(has_zero[:, None], g * anti, g)
    return g
