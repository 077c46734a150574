"""Syllables -> a per-frame source-filter track (amplitudes, formants, noise) for the voice synthesiser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from music_models.queries.envelope import note_envelope
from music_models.queries.formants import VOWELS, sound_target
from music_models.queries.performance import Performance

__all__ = ["HUM_SYLLABLES", "SING_ONSETS", "VoiceTrack", "articulate", "choose_syllables", "parse_syllable"]

#: Hum syllables -> (onset consonant, nucleus). "mm"/"hm" are nasal murmurs (mouth closed).
_HUM: dict[str, tuple[str, str]] = {"mm": ("", "m"), "hm": ("h", "m"), "doo": ("d", "u"), "da": ("d", "a"),
                                    "la": ("l", "a")}
HUM_SYLLABLES: tuple[str, ...] = tuple(_HUM)
_HUM_WEIGHTS = (0.35, 0.15, 0.2, 0.15, 0.15)
SING_ONSETS: tuple[str, ...] = ("", "l", "d", "n", "m", "t", "s", "b", "w", "h", "k")
_SING_VOWEL_WEIGHTS = {"i": 1.0, "I": 0.6, "E": 0.8, "ae": 0.6, "a": 1.5, "o": 1.0, "U": 0.5, "u": 1.0,
                       "V": 1.0, "er": 0.4}


@dataclass(frozen=True)
class VoiceTrack:
    """Per-frame controls of the voice: harmonic amplitude, aspiration and frication noise, vocal tract."""

    frame_rate_hz: float
    f0_hz: np.ndarray  # 0 = unvoiced
    voice_amp: np.ndarray
    aspiration_amp: np.ndarray  # noise through the vocal tract (breathiness, h, breaths)
    frication_amp: np.ndarray  # noise in a band around frication_hz (s, bursts of t/d/k/b)
    frication_hz: np.ndarray
    formants_hz: np.ndarray  # (frames, 5)
    bandwidths_hz: np.ndarray  # (frames, 5)
    zero_hz: np.ndarray  # anti-resonance, 0 = none (nasals have one)
    tilt: float  # source spectrum falls as harmonic_number ** -tilt


def parse_syllable(syllable: str) -> tuple[str, str]:
    """``"doo"`` -> ("d", "u"); sung syllables are an optional onset letter plus a vowel code (``"la"``, ``"ker"``)."""
    if syllable in _HUM:
        return _HUM[syllable]
    if syllable in VOWELS:
        return "", syllable
    if syllable[:1] in SING_ONSETS and syllable[1:] in VOWELS:
        return syllable[:1], syllable[1:]
    raise ValueError(f"unknown syllable {syllable!r}")


def choose_syllables(*, kind: str, n_notes: int, rng: np.random.Generator) -> tuple[str, list[str]]:
    """(main syllable, one syllable per note). Hums keep mostly to one syllable; singing changes every note."""
    if kind == "hum":
        main = HUM_SYLLABLES[int(rng.choice(len(HUM_SYLLABLES), p=_HUM_WEIGHTS))]
        syl = [main if rng.random() < 0.85 else HUM_SYLLABLES[int(rng.integers(len(HUM_SYLLABLES)))]
               for _ in range(n_notes)]
        return main, syl
    vowels = list(_SING_VOWEL_WEIGHTS)
    p = np.array(list(_SING_VOWEL_WEIGHTS.values()))
    out = []
    for _ in range(n_notes):
        onset = SING_ONSETS[int(rng.integers(len(SING_ONSETS)))] if rng.random() < 0.75 else ""
        out.append(onset + vowels[int(rng.choice(len(vowels), p=p / p.sum()))])
    return "", out


def articulate(
    *, performance: Performance, syllables: Sequence[str], voice: str, kind: str, rng: np.random.Generator
) -> VoiceTrack:
    """Build the voice track of a hum or song: formant targets per note, consonant onsets, breaths."""
    fr = performance.frame_rate_hz
    f0 = performance.f0_hz
    n = len(f0)
    hum = kind == "hum"
    main_nasal = hum and all(parse_syllable(s)[1] == "m" for s in syllables)
    amp = note_envelope(
        f0_hz=f0, notes=performance.notes, frame_rate_hz=fr,
        attack_s=rng.uniform(0.03, 0.08) if hum else rng.uniform(0.02, 0.05),
        release_s=rng.uniform(0.05, 0.12), dip=rng.uniform(0.55, 0.85) if main_nasal else 0.85, rng=rng,
    )
    form = np.zeros((n, 5))
    bw = np.zeros((n, 5))
    zero = np.zeros(n)
    have = np.zeros(n, dtype=bool)
    asp, fric, fric_hz = np.zeros(n), np.zeros(n), np.full(n, 4000.0)

    def put(lo: int, hi: int, sound: str) -> None:
        f, b, z = sound_target(sound, voice)
        form[lo:hi], bw[lo:hi], zero[lo:hi] = f, b, z
        have[lo:hi] = True

    for nt, syl in zip(performance.notes, syllables, strict=False):
        onset, nucleus = parse_syllable(syl)
        s = min(int(round(nt.onset_s * fr)), n)
        e = min(max(int(round(nt.end_s * fr)), s + 1), n)
        put(s, e, nucleus)
        if not onset:
            continue
        cap = max(int(0.4 * (e - s)), 1)
        if onset == "h":
            c = min(int(rng.uniform(0.04, 0.08) * fr), cap)
            amp[s:s + c] = 0.0
            asp[s:s + c] = 0.3
        elif onset in ("m", "n", "l", "w"):
            c = min(int(rng.uniform(0.04, 0.07) * fr), cap)
            put(s, s + c, onset)
            amp[s:s + c] *= {"m": 0.4, "n": 0.4, "l": 0.55, "w": 0.6}[onset]
        elif onset in ("d", "b"):
            c = min(int(rng.uniform(0.02, 0.035) * fr), cap)
            amp[s:s + c] *= 0.06  # voice bar during the closure
            fric[s + c:s + c + 2] = 0.15
            fric_hz[s + c:s + c + 2] = 4000.0 if onset == "d" else 1500.0
            put(s, s + c + 3, onset)  # the formant locus the vowel moves away from
        elif onset in ("t", "k"):
            c = min(int(rng.uniform(0.025, 0.04) * fr), cap)
            asp_len = min(int(0.03 * fr), cap)
            amp[s:s + c + asp_len] = 0.0
            fric[s + c:s + c + 2] = 0.35
            fric_hz[s + c:s + c + 2] = 4500.0 if onset == "t" else 2500.0
            asp[s + c:s + c + asp_len] = 0.3
        elif onset == "s":
            c = min(int(rng.uniform(0.06, 0.1) * fr), cap)
            amp[s:s + c] = 0.0
            fric[s:s + c] = 0.3 * np.hanning(c + 2)[1:-1] ** 0.5
            fric_hz[s:s + c] = 5500.0
    if not have.any():
        put(0, n, "V")
    idx = np.where(have, np.arange(n), -1)
    idx = np.maximum.accumulate(idx)
    idx[idx < 0] = int(np.argmax(have))
    form, bw, zero = form[idx], bw[idx], zero[idx]
    k = np.ones(6) / 6  # ~30 ms formant transitions
    form = np.exp(np.stack([np.convolve(np.log(np.pad(form[:, j], 3, mode="edge")), k, "same")[3:-3]
                            for j in range(5)], axis=1))
    breathy = rng.uniform(0.03, 0.1) if hum else rng.uniform(0.01, 0.05)
    asp += breathy * amp
    for ps, pd in performance.pauses_s:  # audible inhalations
        lo, hi = int(ps * fr), min(int((ps + pd) * fr), n)
        if hi - lo > 2:
            asp[lo:hi] += rng.uniform(0.08, 0.2) * np.hanning(hi - lo)
    tilt = rng.uniform(1.1, 1.5) if hum else rng.uniform(0.9, 1.3)
    return VoiceTrack(fr, f0, amp, asp, fric, fric_hz, form, bw, zero, tilt)
