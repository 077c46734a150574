"""Turning per-query outcomes into the evaluation's tables: JSON-ready dicts and a markdown table."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence
from typing import Any

from music_models.evaluation.harness import QueryOutcome
from music_models.evaluation.metrics import mrr, percentiles, rate, top_k

__all__ = ["machine_info", "markdown_table", "retrieval_cell", "summarise_system"]


def machine_info() -> dict[str, Any]:
    """Where the numbers were measured."""
    return {"processor": platform.processor() or platform.machine(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def _r(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def retrieval_cell(outcomes: Sequence[QueryOutcome], *, list_length: int) -> dict[str, Any]:
    """{n, mrr, top1, top10} of melodic outcomes (top10 is top-``min(10, list_length)``); None where n = 0."""
    ranks = [o.rank for o in outcomes]
    return {"n": len(ranks), "mrr": _r(mrr(ranks)), "top1": _r(top_k(ranks, 1)),
            "top10": _r(top_k(ranks, min(10, list_length))),
            "no_melody_rate": _r(rate(o.verdict == "no_melody" for o in outcomes))}


def summarise_system(outcomes: Sequence[QueryOutcome], *, system: str, kinds: Sequence[str],
                     levels: Sequence[str], nonmelodic_kinds: Sequence[str], list_length: int) -> dict[str, Any]:
    """One system's tables: per kind x level, per kind, per level, overall, false matches, latency."""
    mine = [o for o in outcomes if o.system == system]
    mel = [o for o in mine if o.melodic]
    non = [o for o in mine if not o.melodic]

    def cell(sel: list[QueryOutcome]) -> dict[str, Any]:
        return retrieval_cell(sel, list_length=list_length)

    by_kind_level = {k: {lv: cell([o for o in mel if o.kind == k and o.level == lv]) for lv in levels}
                     for k in kinds}
    false_match = {k: _r(rate(o.verdict == "match" for o in non if o.kind == k)) for k in nonmelodic_kinds}
    false_match["all"] = _r(rate(o.verdict == "match" for o in non))
    lat = percentiles(o.latency_ms for o in mel)
    lat_non = percentiles(o.latency_ms for o in non)
    return {
        "by_kind_level": by_kind_level,
        "by_kind": {k: cell([o for o in mel if o.kind == k]) for k in kinds},
        "by_level": {lv: cell([o for o in mel if o.level == lv]) for lv in levels},
        "overall": cell(mel),
        "false_match_rate": false_match,
        "nonmelodic_n": {k: sum(o.kind == k for o in non) for k in nonmelodic_kinds},
        "latency_ms": {k: _r(v) for k, v in lat.items()},
        "latency_ms_nonmelodic": {k: _r(v) for k, v in lat_non.items()},
    }


def _fmt(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def markdown_table(report: dict[str, Any]) -> str:
    """The report as markdown: retrieval per system x kind x level, then false matches and latency."""
    systems: dict[str, Any] = report["systems"]
    cfg = report["config"]
    head = (f"Library: {report['library']['songs']} songs ({report['library']['query_tunes']} query-split tunes); "
            f"{report['queries']['melodic']} melodic queries of {cfg['duration_s']:g} s; "
            f"MRR over a returned list of {report['list_length']} (absent = 0).")
    lines = [head, "",
             "| system | kind | level | n | MRR | top-1 | top-10 |", "|---|---|---|---|---|---|---|"]
    for name, s in systems.items():
        for kind, row in s["by_kind_level"].items():
            for level, c in row.items():
                if c["n"]:
                    lines.append(f"| {name} | {kind} | {level} | {c['n']} | {_fmt(c['mrr'])} | {_fmt(c['top1'])} | "
                                 f"{_fmt(c['top10'])} |")
        for kind, c in s["by_kind"].items():
            if c["n"]:
                lines.append(f"| {name} | {kind} | all | {c['n']} | {_fmt(c['mrr'])} | {_fmt(c['top1'])} | "
                             f"{_fmt(c['top10'])} |")
        c = s["overall"]
        lines.append(f"| **{name}** | **all** | **all** | {c['n']} | **{_fmt(c['mrr'])}** | {_fmt(c['top1'])} | "
                     f"{_fmt(c['top10'])} |")
    nonmel = list(next(iter(systems.values()))["false_match_rate"]) if systems else []
    lines += ["", "| system | " + " | ".join(f"false match: {k}" for k in nonmel)
              + " | latency p50 / p90 / p99 (ms) |", "|---" * (len(nonmel) + 2) + "|"]
    for name, s in systems.items():
        fm = " | ".join(_fmt(s["false_match_rate"][k]) for k in nonmel)
        lat = s["latency_ms"]
        ms = " / ".join("–" if lat[p] is None else f"{lat[p]:.0f}" for p in ("p50", "p90", "p99"))
        lines.append(f"| {name} | {fm} | {ms} |")
    return "\n".join(lines)
