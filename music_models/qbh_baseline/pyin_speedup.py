"""librosa 0.11's pYIN without its per-frame scipy overhead: the same numbers, sooner.

``librosa.pyin`` computes, for every frame, a Boltzmann prior over the YIN troughs with
``scipy.stats.boltzmann.pmf``, whose argument checking costs more than the closed form it evaluates
(``bench/bench_pitch.py``: a 10 s pitch track at the gate's 40 ms hops, p50 55 -> 40 ms). The melody gate
and both pitch trackers call pYIN, so :func:`install` gives librosa's pitch module (and only it) a view
of scipy whose ``stats.boltzmann.pmf`` is that closed form, element for element the expression scipy
evaluates on valid arguments (``tests/test_qbh_baseline.py`` checks pYIN's output is bit-identical).
Anything else librosa's pitch module asks of scipy is scipy's own. Installed on first use of a pitch
tracker, never at import; a librosa other than 0.11 is left alone.
"""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np

__all__ = ["boltzmann_pmf", "install"]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_installed: bool | None = None  # None: not tried yet


def boltzmann_pmf(k: Any, lambda_: Any, N: Any) -> np.ndarray:
    """``scipy.stats.boltzmann.pmf``: ``(1 - e^-l) e^(-l k) / (1 - e^(-l N))`` for integer ``0 <= k < N``,
    0 for other ``k``, NaN where ``l <= 0`` or ``N`` is not a positive integer (broadcast like scipy)."""
    k = np.asarray(k)
    n = np.asarray(N, dtype=np.float64)
    if np.ndim(lambda_) == 0 and float(lambda_) > 0 and k.dtype.kind in "iu":  # pYIN's call: few numpy ops
        lam = float(lambda_)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (1 - np.exp(-lam)) / (1 - np.exp(-lam * n)) * np.exp(-lam * k)
        out = np.where((k >= 0) & (k < n), out, 0.0)
        bad_n = (n <= 0) | (n != np.floor(n))
        return np.where(bad_n, np.nan, out) if bad_n.any() else out
    k, lam_a, n = np.broadcast_arrays(k.astype(np.float64), np.asarray(lambda_, dtype=np.float64), n)
    out = np.zeros(k.shape, dtype=np.float64)
    params_ok = (lam_a > 0) & (n > 0) & (n == np.floor(n))
    ok = params_ok & (k >= 0) & (k < n) & (k == np.floor(k))
    if np.any(ok):
        kk, ll, nn = k[ok], lam_a[ok], n[ok]
        out[ok] = (1 - np.exp(-ll)) / (1 - np.exp(-ll * nn)) * np.exp(-ll * kk)
    out[~params_ok] = np.nan
    return out if out.ndim else out[()]


class _ScipyView:
    """scipy as librosa's pitch module sees it: ``stats.boltzmann.pmf`` replaced, the rest scipy's."""

    def __init__(self, scipy_module: Any) -> None:
        self._scipy = scipy_module
        self.stats = _StatsView(scipy_module.stats)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scipy, name)


class _StatsView:
    def __init__(self, stats: Any) -> None:
        self._stats = stats
        self.boltzmann = SimpleNamespace(pmf=boltzmann_pmf)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stats, name)


def install() -> bool:
    """Give librosa's pitch module the fast Boltzmann prior (once); False when librosa is not 0.11."""
    global _installed
    if _installed is not None:
        return _installed
    with _lock:
        if _installed is None:
            from importlib.metadata import version

            from librosa.core import pitch

            librosa_version = version("librosa")
            ok = librosa_version.startswith("0.11.") and hasattr(pitch, "scipy")
            if ok and not isinstance(pitch.scipy, _ScipyView):
                pitch.scipy = _ScipyView(pitch.scipy)
            if not ok:
                log.info("librosa %s: pYIN left as it is (the speed-up is written for 0.11)", librosa_version)
            _installed = ok
    return bool(_installed)
