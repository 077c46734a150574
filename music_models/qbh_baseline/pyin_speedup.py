"""librosa 0.11's pYIN and YIN without their avoidable overhead: the same numbers, sooner.

The melody gate runs pYIN and then YIN on every query (and the widened search and the DTW baseline run
pYIN), so their cost is identify's. :func:`install` gives librosa's pitch module (and only it):

- pYIN's trough step for all frames at once (:func:`trough_observations`) instead of a Python loop
  over frames, with the same operations per element and a closed-form Boltzmann prior in place of
  ``scipy.stats.boltzmann.pmf``, whose argument checking cost more than the expression it evaluates
  (:func:`boltzmann_pmf`, element for element scipy's on valid arguments);
- pYIN's pitch-transition matrix built once per setting (``sequence.transition_local``, cached), and its
  Viterbi decoding visiting only the transitions that are not zero (:mod:`.sparse_viterbi`: the same
  states, each value the same sum);
- YIN's difference function and parabolic shifts reused when YIN follows pYIN on the same frames (the
  gate's case): one entry per thread, used only when the frames are equal element for element.

``tests/test_qbh_baseline.py`` checks against librosa's own (:func:`librosa_as_shipped` restores it):
pitch tracks, voicing and YIN bit-identical, pYIN's voiced probability equal to rounding (its per-trough
dot products are summed in blocks of other sizes); ``bench/bench_pitch.py`` measures the gain. Anything
else the pitch module asks of librosa is librosa's. Installed on first use of a pitch tracker, never at
import; a librosa other than 0.11 is left alone.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["boltzmann_pmf", "install", "librosa_as_shipped", "trough_observations"]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_installed: bool | None = None  # None: not tried yet
_originals: dict[str, Any] = {}  # the pitch module's own attributes, for librosa_as_shipped
_HELPER = "__pyin_helper"  # librosa's (module-private) per-frame trough step


def boltzmann_pmf(k: Any, lambda_: Any, N: Any) -> np.ndarray:
    """``scipy.stats.boltzmann.pmf``: ``(1 - e^-l) e^(-l k) / (1 - e^(-l N))`` for integer ``0 <= k < N``,
    0 for other ``k``, NaN where ``l <= 0`` or ``N`` is not a positive integer (broadcast like scipy)."""
    k = np.asarray(k)
    n = np.asarray(N, dtype=np.float64)
    k, lam_a, n = np.broadcast_arrays(k.astype(np.float64), np.asarray(lambda_, dtype=np.float64), n)
    out = np.zeros(k.shape, dtype=np.float64)
    params_ok = (lam_a > 0) & (n > 0) & (n == np.floor(n))
    ok = params_ok & (k >= 0) & (k < n) & (k == np.floor(k))
    if np.any(ok):
        kk, ll, nn = k[ok], lam_a[ok], n[ok]
        out[ok] = (1 - np.exp(-ll)) / (1 - np.exp(-ll * nn)) * np.exp(-ll * kk)
    out[~params_ok] = np.nan
    return out if out.ndim else out[()]


def trough_observations(
    yin_frames: np.ndarray, parabolic_shifts: np.ndarray, sr: float, thresholds: np.ndarray,
    boltzmann_parameter: float, beta_probs: np.ndarray, no_trough_prob: float, min_period: int, fmin: float,
    n_pitch_bins: int, n_bins_per_semitone: int,
) -> tuple[np.ndarray, np.ndarray]:
    """librosa 0.11's ``__pyin_helper`` (same arguments, same outputs) with its loop over frames made
    array operations: every frame's troughs (YIN's local minima), each threshold's Boltzmann prior over
    the troughs below it, weighted by the threshold's beta probability, and the no-trough mass on the
    frame's deepest trough; then pitch-bin observation probabilities and the voiced probability."""
    from librosa import util

    yin_probs = np.zeros_like(yin_frames)
    is_trough = util.localmin(yin_frames, axis=0)
    is_trough[0] = yin_frames[0] < yin_frames[1]
    frame_of, lag_of = np.nonzero(is_trough.T)  # troughs frame by frame, by lag within a frame
    if frame_of.size:
        heights = yin_frames[lag_of, frame_of]
        below = np.less.outer(heights, thresholds[1:])  # [troughs, thresholds]
        starts = np.flatnonzero(np.r_[True, frame_of[1:] != frame_of[:-1]])  # each frame's first trough
        counts = np.diff(np.r_[starts, frame_of.size])
        running = np.cumsum(below, axis=0)  # the count below each threshold, restarted at every frame:
        before = np.vstack([np.zeros((1, below.shape[1]), running.dtype), running[starts[1:] - 1]])
        positions = running - np.repeat(before, counts, axis=0) - 1
        n_troughs = np.add.reduceat(below, starts, axis=0)  # [frames with troughs, thresholds]
        prior = _boltzmann_prior(positions, float(boltzmann_parameter), n_troughs, counts)
        prior[~below] = 0
        probs = prior.dot(beta_probs)
        deepest = np.minimum.reduceat(heights, starts)  # the frame's global minimum, its first trough
        index = np.where(heights == np.repeat(deepest, counts), np.arange(heights.size), heights.size)
        global_min = np.minimum.reduceat(index, starts)
        above_min = np.count_nonzero(~below[global_min], axis=1)  # thresholds no trough is below
        mass = {n: no_trough_prob * np.sum(beta_probs[:n]) for n in np.unique(above_min).tolist()}
        probs[global_min] += np.array([mass[n] for n in above_min.tolist()], dtype=probs.dtype)
        yin_probs[lag_of, frame_of] = probs

    yin_period, frame_index = np.nonzero(yin_probs)
    period_candidates = min_period + yin_period
    period_candidates = period_candidates + parabolic_shifts[yin_period, frame_index]
    f0_candidates = sr / period_candidates
    bin_index = 12 * n_bins_per_semitone * np.log2(f0_candidates / fmin)
    bin_index = np.clip(np.round(bin_index), 0, n_pitch_bins).astype(int)
    observation_probs = np.zeros((2 * n_pitch_bins, yin_frames.shape[1]))
    observation_probs[bin_index, frame_index] = yin_probs[yin_period, frame_index]
    voiced_prob = np.clip(np.sum(observation_probs[:n_pitch_bins, :], axis=0, keepdims=True), 0, 1)
    observation_probs[n_pitch_bins:, :] = (1 - voiced_prob) / n_pitch_bins
    return observation_probs[np.newaxis], voiced_prob


def _boltzmann_prior(positions: np.ndarray, lam: float, n_troughs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`boltzmann_pmf` of each trough's position below each threshold, where it is below (other
    entries are left arbitrary): the normaliser once per frame and threshold, ``e^(-l k)`` from a table
    (the same elementwise operations, in the same order)."""
    if lam <= 0:
        return boltzmann_pmf(positions, lam, np.repeat(n_troughs, counts, axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = (1 - np.exp(-lam)) / (1 - np.exp(-lam * n_troughs.astype(np.float64)))
    decay = np.exp(-lam * np.arange(int(counts.max()) + 1))  # position -1 (not below) reads the last entry
    return np.repeat(norm, counts, axis=0) * decay[positions]


class _SequenceView:
    """librosa.sequence as the pitch module sees it: ``transition_local`` cached (read-only results),
    ``viterbi`` searching only the transitions that are there (:mod:`.sparse_viterbi`)."""

    def __init__(self, sequence: Any) -> None:
        from music_models.qbh_baseline.sparse_viterbi import viterbi

        self._sequence = sequence
        self.viterbi = functools.partial(viterbi, dense=sequence.viterbi)

        @functools.lru_cache(maxsize=16)
        def transition_local(n_states: int, width: int, *, window: str = "triangle", wrap: bool = False
                             ) -> np.ndarray:
            matrix = sequence.transition_local(n_states, width, window=window, wrap=wrap)
            matrix.setflags(write=False)
            return matrix

        self.transition_local = transition_local

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sequence, name)


class _FrameMemo(threading.local):
    """The last frames' YIN difference function and its parabolic shifts, per thread."""

    frames: np.ndarray | None = None
    periods: tuple[int, int] = (0, 0)
    cmnd: np.ndarray | None = None
    shifts: np.ndarray | None = None


_memo = _FrameMemo()


def _cmnd_reusing_last(y_frames: np.ndarray, min_period: int, max_period: int) -> np.ndarray:
    """``_cumulative_mean_normalized_difference``, the last result again when the frames are equal."""
    last = _memo.frames
    if (last is not None and _memo.cmnd is not None and _memo.periods == (min_period, max_period)
            and last.shape == y_frames.shape and last.dtype == y_frames.dtype and np.array_equal(last, y_frames)):
        return _memo.cmnd
    cmnd = _originals["_cumulative_mean_normalized_difference"](y_frames, min_period, max_period)
    cmnd.setflags(write=False)  # shared by its callers: none may change it
    _memo.frames, _memo.periods, _memo.cmnd, _memo.shifts = np.array(y_frames), (min_period, max_period), cmnd, None
    return cmnd


def _parabolic_reusing_last(x: np.ndarray, *, axis: int = -2) -> np.ndarray:
    """``_parabolic_interpolation``, the last shifts again for the very array they were computed from."""
    if axis == -2 and x is _memo.cmnd and _memo.shifts is not None:
        return _memo.shifts
    shifts = _originals["_parabolic_interpolation"](x, axis=axis)
    if axis == -2 and x is _memo.cmnd:
        shifts.setflags(write=False)
        _memo.shifts = shifts
    return shifts


def install() -> bool:
    """Give librosa's pitch module the faster pYIN/YIN pieces (once); False when librosa is not 0.11."""
    global _installed
    if _installed is not None:
        return _installed
    with _lock:
        if _installed is None:
            from importlib.metadata import version

            from librosa.core import pitch

            librosa_version = version("librosa")
            names = ("sequence", _HELPER, "_cumulative_mean_normalized_difference",
                     "_parabolic_interpolation")
            ok = librosa_version.startswith("0.11.") and all(hasattr(pitch, n) for n in names)
            if ok:
                _originals.update({n: getattr(pitch, n) for n in names})
                _apply(pitch)
            else:
                log.info("librosa %s: pYIN left as it is (the speed-up is written for 0.11)", librosa_version)
            _installed = ok
    return bool(_installed)


def _apply(pitch: Any) -> None:
    pitch.sequence = _SequenceView(_originals["sequence"])
    setattr(pitch, _HELPER, trough_observations)
    pitch._cumulative_mean_normalized_difference = _cmnd_reusing_last
    pitch._parabolic_interpolation = _parabolic_reusing_last


@contextmanager
def librosa_as_shipped() -> Iterator[None]:
    """Within the block, librosa's pitch module is its own (for comparisons); the speed-up after it."""
    from librosa.core import pitch

    if not install():
        yield
        return
    with _lock:
        for name, value in _originals.items():
            setattr(pitch, name, value)
        try:
            yield
        finally:
            _apply(pitch)
