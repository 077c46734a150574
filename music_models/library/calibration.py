"""Confidence in [0, 1] from a song's score and its margin over the best other song, and the fit of
that logistic on validation queries (:func:`calibrate`), stored as JSON beside the library."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from music_models.errors import ConfigError
from music_models.library.config import Calibration
from music_models.library.types import IdentifyResult

__all__ = ["calibrate", "calibration_pair", "confidences", "load_calibration", "score_features"]

logger = logging.getLogger(__name__)


def score_features(*, scores: Sequence[float]) -> list[tuple[float, float]]:
    """``(margin, score)`` per song: margin = its score minus the best other song's score."""
    s = [float(x) for x in scores]
    if len(s) < 2:
        return [(v, v) for v in s]  # alone in the list: the margin over an unrelated song (score ~0)
    order = sorted(range(len(s)), key=lambda i: -s[i])
    first, second = s[order[0]], s[order[1]]
    return [(v - (second if i == order[0] else first), v) for i, v in enumerate(s)]


def confidences(*, scores: Sequence[float], calibration: Calibration) -> list[float]:
    """Calibrated probability that each song is the right one."""
    c = calibration
    out = []
    for margin, score in score_features(scores=scores):
        logit = c.margin_weight * margin + c.score_weight * score + c.bias
        out.append(1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0))))
    return out


def calibration_pair(*, result: IdentifyResult, truth_song_id: str) -> tuple[tuple[float, float], bool] | None:
    """One training pair from a validation query: rank 1's (margin, score) and whether it is right.

    None when the query got no results (``no_melody``): the gate, not the confidence, decided it.
    """
    if not result.results:
        return None
    feats = score_features(scores=[h.score for h in result.results])
    return feats[0], result.results[0].song_id == truth_song_id


def calibrate(
    *, features: Sequence[tuple[float, float]], correct: Sequence[bool], out_path: str | Path | None = None,
    l2: float = 1e-3, iterations: int = 50, use_score: bool = False, min_decision_margin: float = 0.01,
) -> Calibration:
    """Fit the logistic (Newton's method, light L2) on ``(margin, score)`` -> correct? and write JSON.

    By default only the margin is used (``use_score=False``): a fit with the raw score learned a negative
    weight on it, so a near-tie between two weak songs came out as a confident match. Whatever the fit,
    the 0.5 point sits at a margin of at least ``min_decision_margin``: a tie is never a match.
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
        raise ConfigError("calibrate needs one (margin, score) pair per query and one correct flag per pair")
    if len(y) < 10 or y.min() == y.max():
        raise ConfigError(f"calibrate needs >= 10 queries with both right and wrong answers; got {len(y)} "
                          f"({int(y.sum())} right); run more validation queries")
    a = np.column_stack([x[:, 0], x[:, 1] if use_score else np.zeros(len(x)), np.ones(len(x))])
    w = np.zeros(3)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -50, 50)))
        grad = a.T @ (p - y) + l2 * np.r_[w[:2], 0.0]
        hess = (a * (p * (1 - p))[:, None]).T @ a + l2 * np.diag([1.0, 1.0, 0.0]) + 1e-9 * np.eye(3)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    if w[0] <= 0:
        raise ConfigError("the calibration queries show no relation between margin and correctness; "
                          "check the library and the model")
    tie_logit = w[2] + max(0.0, w[1])  # the highest logit a tie (margin 0) can reach for scores in [0, 1]
    if tie_logit > -w[0] * min_decision_margin:
        w[2] -= tie_logit + w[0] * min_decision_margin
    cal = Calibration(float(w[0]), float(w[1]), float(w[2]), fitted_on=len(y))
    if out_path is not None:
        path = Path(out_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(json.dumps(cal.to_dict(), indent=2) + "\n")
        tmp.replace(path)
        logger.info("calibration fitted on %d queries written to %s", len(y), path)
    return cal


def load_calibration(path: str | Path) -> Calibration | None:
    """The fitted calibration at ``path``; None when there is none; ConfigError when it is unreadable."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        return Calibration.from_dict(json.loads(p.read_text()))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"calibration file {p} is unreadable ({exc}); delete it or re-run calibrate") from exc
