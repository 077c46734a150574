"""The melody gate: is there a melody in this audio at all? Runs before any search, so silence,
speech and noise get ``no_melody`` and never a random song.

Silence and noise have (almost) no pitched frames. Speech has pitched frames, but its pitch glides
through small steps all the time; hummed, whistled, sung and played notes hold a pitch and jump
between notes.
See :class:`~music_models.library.config.MelodyGateConfig` for the measured thresholds.
:func:`analyse_melody` also hands back the pitch track it measured (pYIN's voicing, YIN's unquantised
pitch), which the melody re-rank (:mod:`.melody_match`) reuses instead of tracking the pitch again.
"""

from __future__ import annotations

import numpy as np

from music_models.library.config import MelodyGateConfig
from music_models.library.types import MelodyCheck
from music_models.qbh_baseline.contour import PitchTrack, steady_fraction

__all__ = ["analyse_melody", "check_melody", "clearly_melodic", "gate_melody", "median_run_s"]

#: Refusals a second listen after noise-floor subtraction may overturn (not silence, not gliding speech).
_TOO_LITTLE_PITCH = ("no pitched sound", "too little melody")


def median_run_s(*, voiced: np.ndarray, frame_s: float) -> float:
    """Median length in seconds of the runs of consecutive True frames (0 when there are none)."""
    v = np.concatenate([[False], np.asarray(voiced, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(v.astype(np.int8)))
    lengths = edges[1::2] - edges[::2]
    return float(np.median(lengths) * frame_s) if lengths.size else 0.0


def check_melody(*, samples: np.ndarray, config: MelodyGateConfig | None = None) -> MelodyCheck:
    """Measure 16 kHz mono ``samples`` and decide whether they carry a melody, as identify does (pure,
    ~40 ms for 10 s; a second listen after noise-floor subtraction when it heard too little pitch)."""
    return gate_melody(samples=samples, config=config)[0]


def analyse_melody(
    *, samples: np.ndarray, config: MelodyGateConfig | None = None
) -> tuple[MelodyCheck, PitchTrack | None]:
    """:func:`check_melody` and the pitch track it measured: MIDI pitch per ``hop_length`` frame, YIN's
    unquantised estimate on pYIN's voiced frames, NaN elsewhere (None when no pitch was tracked)."""
    config = config or MelodyGateConfig()
    import librosa

    from music_models.qbh_baseline.contour import pitch_track

    x = np.asarray(samples, dtype=np.float32)
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    level = 20 * np.log10(rms) if rms > 0 else -np.inf
    if x.size < config.frame_length or level < config.silence_dbfs:
        return MelodyCheck(False, 0.0, 0.0, 0.0, float(level), "silence" if x.size else "empty"), None
    track = pitch_track(samples=x, sample_rate_hz=config.sample_rate_hz, target_rate_hz=config.sample_rate_hz,
                        fmin_hz=config.fmin_hz, fmax_hz=config.fmax_hz, frame_length=config.frame_length,
                        hop_length=config.hop_length, resolution_semitones=config.resolution_semitones,
                        voiced_probability_min=0.0)
    voiced = np.isfinite(track.midi)
    voiced_s = float(np.count_nonzero(voiced) * config.hop_length / config.sample_rate_hz)
    frame_s = config.hop_length / config.sample_rate_hz
    runs = median_run_s(voiced=voiced, frame_s=frame_s)
    if voiced_s < config.min_voiced_s:
        reason = "no pitched sound (noise or silence)" if voiced_s < 0.2 else "too little melody (under 2 s)"
        return MelodyCheck(False, voiced_s, 0.0, runs, float(level), reason), track
    f0 = librosa.yin(x, fmin=config.fmin_hz, fmax=config.fmax_hz, sr=config.sample_rate_hz,
                     frame_length=config.frame_length, hop_length=config.hop_length)
    n = min(f0.size, voiced.size)
    fine = np.where(voiced[:n], 69.0 + 12.0 * np.log2(np.maximum(f0[:n], 1e-3) / 440.0), np.nan)
    pitch = PitchTrack(track.frame_rate_hz, fine, track.voiced_probability[:n])
    moves = np.abs(np.diff(fine))
    moves = moves[np.isfinite(moves)]
    lo, hi = config.glide_band_semitones
    glide = float(np.mean((moves > lo) & (moves < hi))) if moves.size else 0.0
    steady = steady_fraction(track=pitch, tolerance_semitones=config.steady_tolerance_semitones,
                             min_frames=config.steady_min_frames)
    if glide <= config.max_glide_fraction:
        return MelodyCheck(True, voiced_s, glide, runs, float(level), steady_fraction=steady), pitch
    return (MelodyCheck(False, voiced_s, glide, runs, float(level), "the pitch glides without holding notes (speech)",
                        steady_fraction=steady), pitch)


def gate_melody(
    *, samples: np.ndarray, config: MelodyGateConfig | None = None
) -> tuple[MelodyCheck, PitchTrack | None, np.ndarray]:
    """:func:`analyse_melody`, and when it hears too little pitch in audio that is not silent, once more
    on the audio with its noise floor subtracted (``config.denoise_retry``). Returns the check, its pitch
    track and the audio the deciding listen heard (the denoised audio only when that listen passed)."""
    config = config or MelodyGateConfig()
    x = np.asarray(samples, dtype=np.float32)
    check, track = analyse_melody(samples=x, config=config)
    if check.is_melody or not config.denoise_retry or not check.reason.startswith(_TOO_LITTLE_PITCH):
        return check, track, x
    from dataclasses import replace

    from music_models.library.denoise import subtract_noise_floor

    cleaned = subtract_noise_floor(x, percentile=config.denoise_percentile,
                                   over_subtraction=config.denoise_over_subtraction)
    again, again_track = analyse_melody(samples=cleaned, config=config)
    if not again.is_melody:
        return check, track, x
    return replace(again, denoised=True), again_track, cleaned


def clearly_melodic(check: MelodyCheck, config: MelodyGateConfig) -> bool:
    """Passed the gate with room to spare: few glides and enough held pitch for a confident answer."""
    return (check.is_melody and check.glide_fraction <= config.sure_max_glide_fraction
            and check.steady_fraction >= config.sure_min_steady_fraction)
