"""Evaluation of query-by-humming: the music-space model and the classic pYIN + DTW baseline, side by side.

    >>> from music_models.evaluation import EvalConfig, evaluate_qbh
    >>> report = evaluate_qbh(EvalConfig(queries=24, library_size=300, systems=("dtw",)))

Metrics are pure functions (:mod:`.metrics`); systems sit behind a small protocol (:mod:`.systems`);
:mod:`.harness` makes the library and the queries and runs them; :mod:`.report` makes the tables.
Nothing heavy is imported here.
"""

from music_models.evaluation.config import SYSTEM_NAMES, EvalConfig
from music_models.evaluation.harness import EvalQuery, QueryOutcome, select_library
from music_models.evaluation.metrics import mrr, percentiles, rank_of, rate, reciprocal_rank, top_k
from music_models.evaluation.nonmelodic import NONMELODIC_KINDS, nonmelodic_query
from music_models.evaluation.qbh_eval import evaluate_qbh, write_report
from music_models.evaluation.report import markdown_table
from music_models.evaluation.systems import DtwSystem, ModelSystem, System, SystemAnswer

__all__ = [
    "NONMELODIC_KINDS",
    "SYSTEM_NAMES",
    "DtwSystem",
    "EvalConfig",
    "EvalQuery",
    "ModelSystem",
    "QueryOutcome",
    "System",
    "SystemAnswer",
    "evaluate_qbh",
    "markdown_table",
    "mrr",
    "nonmelodic_query",
    "percentiles",
    "rank_of",
    "rate",
    "reciprocal_rank",
    "select_library",
    "top_k",
    "write_report",
]
