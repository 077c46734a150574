"""librosa 0.11's Viterbi decoding, exactly, for transition matrices that are mostly zeros.

pYIN's transition matrix joins each pitch bin only to bins a few semitones away (and the voiced and
unvoiced copies of those): at the widened search's quarter semitones that is ~74 of 560 predecessors.
librosa's ``_viterbi`` still adds every predecessor's value to the log of every transition, ``log(0 + tiny)``
for the absent ones, and takes the first maximum. Here each state's predecessors are split once per
matrix into the explicit ones (transition not zero) and runs of absent ones; at each step the absent runs'
maxima come from a sparse table over ``value + log(tiny)``. Every sum is the one librosa forms and ties go
to the first predecessor, as ``np.argmax`` does, so the decoded states are librosa's
(``tests/test_qbh_baseline.py`` compares them on random and pYIN matrices).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PredecessorSplit", "split_predecessors", "viterbi", "viterbi_states"]


@dataclass(frozen=True)
class PredecessorSplit:
    """Per destination state ``j`` (CSR): explicit predecessors ``explicit[explicit_ptr[j]:explicit_ptr[j+1]]``
    with their log transitions, and runs ``[run_start, run_end)`` of predecessors whose log transition is
    exactly ``absent_log``."""

    explicit_ptr: np.ndarray
    explicit: np.ndarray
    explicit_log: np.ndarray
    run_ptr: np.ndarray
    run_start: np.ndarray
    run_end: np.ndarray
    absent_log: float

    @property
    def density(self) -> float:
        n = self.explicit_ptr.size - 1
        return float(self.explicit.size) / max(n * n, 1)


def split_predecessors(log_trans: np.ndarray, absent_log: float) -> PredecessorSplit:
    """Split ``log_trans[i, j]`` (from ``i`` to ``j``) into explicit entries and runs equal to ``absent_log``."""
    absent = log_trans == absent_log  # [i, j]
    n = log_trans.shape[0]
    explicit_ptr, explicit, explicit_log = [0], [], []
    run_ptr, run_start, run_end = [0], [], []
    for j in range(n):
        col = absent[:, j]
        (idx,) = np.nonzero(~col)
        explicit.append(idx)
        explicit_log.append(log_trans[idx, j])
        explicit_ptr.append(explicit_ptr[-1] + idx.size)
        edges = np.flatnonzero(np.diff(np.r_[0, col.astype(np.int8), 0]))
        run_start.append(edges[::2])
        run_end.append(edges[1::2])
        run_ptr.append(run_ptr[-1] + edges.size // 2)
    cat = (lambda parts, dtype: np.ascontiguousarray(np.concatenate(parts), dtype=dtype) if parts else
           np.zeros(0, dtype))
    return PredecessorSplit(np.asarray(explicit_ptr, np.int64), cat(explicit, np.int64), cat(explicit_log, np.float64),
                            np.asarray(run_ptr, np.int64), cat(run_start, np.int64), cat(run_end, np.int64),
                            float(absent_log))


#: above this share of explicit transitions the dense search is as fast: librosa's own runs
MAX_DENSITY = 0.5


def viterbi(prob: np.ndarray, transition: np.ndarray, *, p_init: np.ndarray | None = None,
            return_logp: bool = False, dense: Callable[..., Any]) -> Any:
    """``librosa.sequence.viterbi`` (same arguments, checks and results); ``dense`` is librosa's own,
    used when the transition matrix is not sparse enough to gain."""
    from librosa.util import tiny
    from librosa.util.exceptions import ParameterError

    n_states, n_steps = prob.shape[-2:]
    if transition.shape != (n_states, n_states):
        raise ParameterError(f"transition.shape={transition.shape}, must be (n_states, n_states)={n_states, n_states}")
    if np.any(transition < 0) or not np.allclose(transition.sum(axis=1), 1):
        raise ParameterError("Invalid transition matrix: must be non-negative and sum to 1 on each row.")
    if np.any(prob < 0) or np.any(prob > 1):
        raise ParameterError("Invalid probability values: must be between 0 and 1.")
    if n_states >= 1 << 16 or n_steps < 1:
        return dense(prob, transition, p_init=p_init, return_logp=return_logp)
    epsilon = tiny(prob)
    split = _split_of(np.ascontiguousarray(transition, dtype=np.float64), float(epsilon))
    if split.density > MAX_DENSITY:
        return dense(prob, transition, p_init=p_init, return_logp=return_logp)
    if p_init is None:
        p_init = np.empty(n_states)
        p_init.fill(1.0 / n_states)
    elif np.any(p_init < 0) or not np.allclose(p_init.sum(), 1) or p_init.shape != (n_states,):
        raise ParameterError(f"Invalid initial state distribution: p_init={p_init}")
    log_prob = np.log(prob + epsilon)
    log_p_init = np.log(p_init + epsilon)
    flat = log_prob.reshape(-1, n_states, n_steps)
    decoded = [viterbi_states(lp.T, log_p_init, split) for lp in flat]
    states = np.stack([s for s, _ in decoded]).reshape(log_prob.shape[:-2] + (n_steps,))
    logp = np.array([lp for _, lp in decoded], dtype=np.float64).reshape(log_prob.shape[:-2] + (1,) * (log_prob.ndim == 2))
    return (states, logp) if return_logp else states


_splits: dict[tuple[int, str, float], PredecessorSplit] = {}


def _split_of(transition: np.ndarray, epsilon: float) -> PredecessorSplit:
    """The split of ``log(transition + epsilon)``, kept for the few matrices a process decodes with."""
    key = (transition.shape[0], hashlib.sha256(memoryview(transition)).hexdigest(), epsilon)
    split = _splits.get(key)
    if split is None:
        absent_log = float(np.log(np.float64(0.0) + epsilon))
        split = split_predecessors(np.log(transition + epsilon), absent_log)
        if len(_splits) >= 8:
            _splits.pop(next(iter(_splits)))
        _splits[key] = split
    return split


def viterbi_states(log_prob: np.ndarray, log_p_init: np.ndarray, split: PredecessorSplit) -> tuple[np.ndarray, float]:
    """librosa's ``_viterbi(log_prob [steps, states], log_trans, log_p_init)`` for the ``log_trans`` that
    ``split`` was made from: the most likely states (uint16) and their log probability."""
    return _kernel()(np.ascontiguousarray(log_prob, dtype=np.float64),
                     np.ascontiguousarray(log_p_init, dtype=np.float64), split.explicit_ptr, split.explicit,
                     split.explicit_log, split.run_ptr, split.run_start, split.run_end, split.absent_log)


@functools.lru_cache(maxsize=1)
def _kernel() -> Callable[..., Any]:
    """Compiled on first use, never at import time."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def kernel(log_prob: np.ndarray, log_p_init: np.ndarray, e_ptr: np.ndarray, e_idx: np.ndarray,
               e_log: np.ndarray, r_ptr: np.ndarray, r_start: np.ndarray, r_end: np.ndarray, absent_log: float
               ) -> tuple[np.ndarray, float]:  # pragma: no cover (compiled)
        n_steps, n = log_prob.shape
        levels = 1
        while (1 << levels) <= n:
            levels += 1
        table_v = np.empty((levels, n))  # sparse table of (value + absent_log): max, first index on ties
        table_i = np.empty((levels, n), dtype=np.int64)
        value = np.empty((n_steps, n))
        ptr = np.zeros((n_steps, n), dtype=np.uint16)
        value[0] = log_prob[0] + log_p_init
        for t in range(1, n_steps):
            prev = value[t - 1]
            for i in range(n):
                table_v[0, i] = prev[i] + absent_log
                table_i[0, i] = i
            for k in range(1, levels):
                half = 1 << (k - 1)
                for i in range(n - (1 << k) + 1):
                    a_v, b_v = table_v[k - 1, i], table_v[k - 1, i + half]
                    if b_v > a_v:
                        table_v[k, i], table_i[k, i] = b_v, table_i[k - 1, i + half]
                    else:
                        table_v[k, i], table_i[k, i] = a_v, table_i[k - 1, i]
            for j in range(n):
                best, best_i = -np.inf, n
                for e in range(e_ptr[j], e_ptr[j + 1]):
                    i = e_idx[e]
                    v = prev[i] + e_log[e]
                    if v > best or (v == best and i < best_i):
                        best, best_i = v, i
                for r in range(r_ptr[j], r_ptr[j + 1]):
                    lo, hi = r_start[r], r_end[r]
                    k = 0
                    while (1 << (k + 1)) <= hi - lo:
                        k += 1
                    a_v, a_i = table_v[k, lo], table_i[k, lo]
                    b_v, b_i = table_v[k, hi - (1 << k)], table_i[k, hi - (1 << k)]
                    if b_v > a_v:
                        a_v, a_i = b_v, b_i
                    if a_v > best or (a_v == best and a_i < best_i):
                        best, best_i = a_v, a_i
                ptr[t, j] = best_i
                value[t, j] = log_prob[t, j] + best
        state = np.zeros(n_steps, dtype=np.uint16)
        last = value[n_steps - 1]
        top = 0
        for j in range(1, n):
            if last[j] > last[top]:
                top = j
        state[n_steps - 1] = top
        for t in range(n_steps - 2, -1, -1):
            state[t] = ptr[t + 1, state[t + 1]]
        return state, value[n_steps - 1, top]

    return kernel
