"""``evaluate_qbh``: one run of the query-by-humming evaluation, every system side by side, as one report."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from music_models.errors import HumdingerError
from music_models.evaluation.config import EvalConfig
from music_models.evaluation.harness import (
    all_queries,
    load_pools,
    melodic_queries,
    run_queries,
    select_library,
)
from music_models.evaluation.report import machine_info, summarise_system
from music_models.evaluation.systems import System, make_system
from music_models.types import Tune

__all__ = ["MRR_CONVENTION", "evaluate_qbh", "write_report"]

logger = logging.getLogger(__name__)

MRR_CONVENTION = (
    "MIREX QBSH: reciprocal rank of the correct song in the system's returned list of list_length songs, "
    "0 when it is absent (also when the verdict is no_melody and the list is empty); top-k = fraction ranked <= k; "
    "false match = a 'match' verdict on a non-melodic query; latency = wall time of one rank() call"
)


def evaluate_qbh(
    config: EvalConfig,
    *,
    systems: Sequence[System] | None = None,
    query_pool: Sequence[Tune] | None = None,
    distractor_pool: Sequence[Tune] | None = None,
    work_dir: Path | None = None,
    calibration_pool: Sequence[Tune] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Run the evaluation and return the report (config, machine, library, per-system tables).

    ``query_pool``/``distractor_pool`` default to the corpus's query split and every other tune;
    ``systems`` default to ``config.systems`` built with default settings; ``work_dir`` (queries and the
    model's eval library) defaults to ``<data_dir>/eval``; ``calibration_pool`` (tunes whose library copies
    may be queried to fit confidence calibrations) defaults to the corpus's ``config.calibration_split``.
    """
    from music_models.paths import data_dir

    config.validate()
    t_start = time.perf_counter()
    if query_pool is None or distractor_pool is None:
        query_pool, distractor_pool = load_pools(split=config.query_split, progress=progress)
    work = Path(work_dir) if work_dir is not None else data_dir() / "eval"
    library, query_tunes = select_library(query_pool=query_pool, distractor_pool=distractor_pool,
                                          size=config.library_size, seed=config.seed)
    chosen = list(systems) if systems is not None else [make_system(n, collection=config.collection)
                                                        for n in config.systems]
    names = [s.name for s in chosen]
    if len(set(names)) != len(names):
        raise HumdingerError(f"two systems share a name in {names}; give each system its own name")
    prepare_s: dict[str, float] = {}
    for s in chosen:
        t0 = time.perf_counter()
        s.prepare(library, progress=progress)
        prepare_s[s.name] = round(time.perf_counter() - t0, 3)
        logger.info("%s prepared over %d songs in %.1f s", s.name, len(library), prepare_s[s.name])
    calibration = _calibrate(chosen, library=library, config=config, work=work, pool=calibration_pool,
                             exclude={t.tune_id for t in query_tunes}, progress=progress)
    t0 = time.perf_counter()
    entries = melodic_queries(tunes=query_tunes, config=config, work_dir=work, progress=progress)
    synth_s = time.perf_counter() - t0
    queries, total = all_queries(entries=entries, config=config)
    t0 = time.perf_counter()
    outcomes = run_queries(systems=chosen, queries=queries, total=total, top_k=config.top_k, progress=progress)
    query_s = time.perf_counter() - t0
    per_system = {}
    for s in chosen:
        table = summarise_system(outcomes, system=s.name, kinds=config.kinds, levels=config.levels,
                                 nonmelodic_kinds=config.nonmelodic_kinds, list_length=config.top_k)
        per_system[s.name] = {**table, "prepare_s": prepare_s[s.name], "about": s.describe()}
    n_test = sum(1 for t in library if t.tune_id in {q.tune_id for q in query_tunes})
    return {
        "config": config.to_dict(),
        "machine": machine_info(),
        "list_length": config.top_k,
        "metrics": MRR_CONVENTION,
        "library": {"songs": len(library), "query_tunes": n_test, "distractors": len(library) - n_test},
        "queries": {"melodic": len(entries), "nonmelodic": total - len(entries),
                    "distinct_tunes": len({e[3] for e in entries})},
        "seconds": {"synthesis": round(synth_s, 1), "queries": round(query_s, 1),
                    "total": round(time.perf_counter() - t_start, 1)},
        "calibration": calibration,
        "systems": per_system,
        "outcomes": [o.to_dict() for o in outcomes],
    }


def _calibrate(systems: Sequence[System], *, library: Sequence[Tune], config: EvalConfig, work: Path,
               pool: Sequence[Tune] | None, exclude: set[str], progress: bool) -> dict[str, Any]:
    """Fit the confidence calibration of every system that has one on queries of ``pool`` tunes in the
    library (the ``calibration_split``; never a query tune), before the test queries run."""
    from dataclasses import replace

    fitters = [s for s in systems if callable(getattr(s, "calibrate", None))]
    if not config.calibration_queries or not fitters:
        return {}
    if pool is None:
        from music_models.corpus import load_corpus

        pool = load_corpus(split=config.calibration_split, progress=False)
    split_ids = {t.tune_id for t in pool} - exclude
    tunes = [t for t in library if t.tune_id in split_ids and t.notes]
    if len(tunes) < 10:
        logger.warning("only %d %s-split tunes in the library; calibration skipped", len(tunes),
                       config.calibration_split)
        return {"skipped": f"{len(tunes)} {config.calibration_split} tunes in the library"}
    cal_config = replace(config, queries=config.calibration_queries, seed=config.seed + 1)
    entries = melodic_queries(tunes=tunes, config=cal_config, work_dir=work, progress=progress)
    return {s.name: s.calibrate(entries, progress=progress) for s in fitters}  # type: ignore[attr-defined]


def write_report(report: dict[str, Any], path: Path) -> Path:
    """Write the report as JSON (creating the folder); returns the path."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(report, indent=1))
        tmp.replace(path)
    except OSError as exc:
        raise HumdingerError(f"cannot write the evaluation report to {path}: {exc}; pass another --json path") from exc
    return path
