"""``humdinger eval qbh``: score the music-space model and the classic pYIN + DTW baseline side by side.

Writes one JSON report (config, machine, per-system tables, every query's outcome) and prints a
markdown table. Defaults come from :class:`music_models.evaluation.config.EvalConfig`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def _csv(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def register(sub: argparse._SubParsersAction) -> None:
    from music_models.evaluation.config import SYSTEM_NAMES, EvalConfig

    d = EvalConfig()
    parser = sub.add_parser("eval", help="evaluate identification (query by humming) against the DTW baseline",
                            description="Evaluations of Humdinger's models.")
    esub = parser.add_subparsers(dest="eval_command", metavar="EVAL_COMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    p = esub.add_parser(
        "qbh", help="query-by-humming: MRR, top-1/10, false matches and latency per system, kind and level",
        description="Library = every test-split tune plus distractors up to --library-size songs; queries = "
                    "synthetic hums, whistles, songs and instrument phrases of test-split tunes (never trained "
                    "on), plus speech, noise and silence for the false-match rate. Every system hears the same "
                    "recordings. Queries and the model's eval library are cached under $HUMDINGER_DATA/eval.",
    )
    p.add_argument("--queries", type=int, default=d.queries,
                   help=f"melodic queries in all, cycled over kinds then levels (default {d.queries})")
    p.add_argument("--kinds", default=",".join(d.kinds), help=f"query kinds (default {','.join(d.kinds)})")
    p.add_argument("--levels", default=",".join(d.levels),
                   help=f"degradation levels (default {','.join(d.levels)})")
    p.add_argument("--library-size", type=int, default=d.library_size,
                   help=f"songs in the library, test split + distractors (default {d.library_size})")
    p.add_argument("--systems", default=",".join(d.systems),
                   help=f"systems to score (default {','.join(d.systems)}; known: {', '.join(SYSTEM_NAMES)})")
    p.add_argument("--nonmelodic", type=int, default=d.nonmelodic_per_kind,
                   help=f"non-melodic queries per type: {', '.join(d.nonmelodic_kinds)} "
                        f"(default {d.nonmelodic_per_kind})")
    p.add_argument("--duration-s", type=float, default=d.duration_s,
                   help=f"query length in seconds (default {d.duration_s:g})")
    p.add_argument("--top-k", type=int, default=d.top_k,
                   help=f"length of each system's returned list; MRR counts an absent song as 0 (default {d.top_k})")
    p.add_argument("--calibration-queries", type=int, default=d.calibration_queries,
                   help=f"queries of {d.calibration_split}-split tunes in the library that fit the model's confidence "
                        f"calibration before the test queries run; 0 keeps the stored one "
                        f"(default {d.calibration_queries})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"random seed (default {d.seed})")
    p.add_argument("--json", dest="json_path", type=Path, default=Path(d.json_path),
                   help=f"where to write the report (default {d.json_path})")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=_qbh)


def _qbh(args: argparse.Namespace) -> int:
    from music_models.evaluation import EvalConfig, evaluate_qbh, markdown_table, write_report

    config = EvalConfig(
        queries=args.queries, kinds=_csv(args.kinds), levels=_csv(args.levels), library_size=args.library_size,
        systems=_csv(args.systems), nonmelodic_per_kind=args.nonmelodic, duration_s=args.duration_s,
        top_k=args.top_k, seed=args.seed, json_path=str(args.json_path), calibration_queries=args.calibration_queries,
    )
    report = evaluate_qbh(config, progress=not args.no_progress)
    path = write_report(report, args.json_path)
    print(markdown_table(report))
    print(f"\nreport written to {path} ({report['seconds']['total']:.0f} s)")
    return 0
