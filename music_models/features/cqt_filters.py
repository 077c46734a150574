"""Keep librosa's constant-Q filter banks instead of designing them again for every clip.

``librosa.cqt`` designs (and FFTs) its wavelet filter bank on every call: most of a 10 s query's CQT
time in a profile on the 2-core development machine, for a bank that depends only on the settings.
librosa can memoise it only through an on-disk joblib cache. :func:`install_cqt_filter_cache` wraps its
filter-bank function with an in-memory memo (a few banks, one per octave of each setting); the output
is bit-identical (``tests/test_music_space.py``). On another librosa without that function nothing is
changed and features are computed the slow way.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np

__all__ = ["install_cqt_filter_cache"]

logger = logging.getLogger(__name__)

_FUNCTION = "__vqt_filter_fft"  # librosa.core.constantq, 0.10-0.11
_MAX_BANKS = 64


def install_cqt_filter_cache() -> bool:
    """Memoise librosa's CQT filter banks for this process (idempotent). True when installed."""
    from librosa.core import constantq

    current = constantq.__dict__.get(_FUNCTION)
    if current is None:
        logger.info("librosa %s has no %s; CQT filter banks are designed per call", _librosa_version(), _FUNCTION)
        return False
    if getattr(current, "_humdinger_memo", False):
        return True
    constantq.__dict__[_FUNCTION] = _memoised(current)
    return True


def _memoised(design: Any) -> Any:
    banks: dict[tuple[Any, ...], tuple[Any, int, np.ndarray]] = {}

    @functools.wraps(design)
    def cached(sr: float, freqs: np.ndarray, filter_scale: float, norm: Any, sparsity: float,
               hop_length: int | None = None, window: Any = "hann", gamma: float = 0.0,
               dtype: Any = np.complex64, alpha: np.ndarray | None = None) -> tuple[Any, int, np.ndarray]:
        key = (float(sr), np.asarray(freqs, dtype=np.float64).tobytes(), filter_scale, norm, sparsity, hop_length,
               repr(window), gamma, np.dtype(dtype).str,
               None if alpha is None else np.asarray(alpha, dtype=np.float64).tobytes())
        bank = banks.get(key)
        if bank is None:
            bank = design(sr, freqs, filter_scale, norm, sparsity, hop_length=hop_length, window=window,
                          gamma=gamma, dtype=dtype, alpha=alpha)
            if len(banks) < _MAX_BANKS:
                banks[key] = bank
        basis, n_fft, lengths = bank
        return basis.copy(), n_fft, np.array(lengths, copy=True)  # librosa rescales the basis in place

    cached._humdinger_memo = True  # type: ignore[attr-defined]
    return cached


def _librosa_version() -> str:
    import librosa

    return str(librosa.__version__)
