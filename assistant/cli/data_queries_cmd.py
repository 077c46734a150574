"""``humdinger data queries``: synthesise hum/whistle/sing/instrument queries with ground truth.

Writes ``OUT/NNNNN_<kind>_<level>_<tune>.wav`` (16 kHz mono, 16-bit) and ``OUT/manifest.jsonl``
(``{"file": ..., "truth": QueryTruth.to_dict()}`` per line). Asking again for the same set does nothing.
"""

from __future__ import annotations

import argparse
import json

from music_models.queries.config import DEGRADATION_LEVELS, QUERY_KINDS, QueryConfig
from music_models.queries.dataset import QuerySetConfig

__all__ = ["register", "run"]


def _csv(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    d, q = QuerySetConfig(), QueryConfig()
    p = sub.add_parser(
        "queries",
        help="synthesise test queries (hum, whistle, sing, instrument) with ground truth",
        description="Performs random 3-15 s spans of corpus tunes the way people do (transposed, at their own "
                    "tempo, out of tune, with breaths), as a hum, whistle, song or a GM instrument, then records "
                    "them in a room on a device (noise, reverb, band-limit, clipping) at a degradation level.",
    )
    p.add_argument("--split", default=d.split, help=f"corpus split to take tunes from (default {d.split})")
    p.add_argument("--n", type=int, default=d.n, help=f"number of queries (default {d.n})")
    p.add_argument("--kinds", default=",".join(q.kinds),
                   help=f"comma-separated kinds, cycled (default {','.join(q.kinds)}; known: {', '.join(QUERY_KINDS)})")
    p.add_argument("--level", default=q.level,
                   help=f"degradation level, or several comma-separated and cycled (default {q.level}; "
                        f"known: {', '.join(DEGRADATION_LEVELS)})")
    p.add_argument("--duration-s", type=float, default=q.target_duration_s,
                   help=f"length of each query in seconds ({q.min_duration_s:g}-{q.max_duration_s:g}; default: "
                        f"random {q.target_duration_s_range[0]:g}-{q.target_duration_s_range[1]:g})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"random seed of the whole set (default {d.seed})")
    p.add_argument("--out", default=d.out_dir, help=f"output folder (default {d.out_dir})")
    p.add_argument("--force", action="store_true", help="make the set again even if it is up to date")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def _load_tunes(split: str) -> list:  # type: ignore[type-arg]
    from music_models.corpus import load_corpus

    return list(load_corpus(split=split))


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from pathlib import Path

    from music_models.queries.dataset import write_query_set

    cfg = replace(QueryConfig(), target_duration_s=args.duration_s)
    summary = write_query_set(
        tunes=_load_tunes(args.split), out_dir=Path(args.out), n=args.n, kinds=_csv(args.kinds),
        levels=_csv(args.level), seed=args.seed, config=cfg, force=args.force,
    )
    if args.json:
        print(json.dumps(summary.to_dict(), indent=1))
    elif summary.up_to_date:
        print(f"{summary.n_queries} queries in {summary.out_dir} are up to date (use --force to remake them)")
    else:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_kind.items()))
        levels = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_level.items()))
        print(f"wrote {summary.n_queries} queries ({summary.audio_s:.0f} s of audio; {kinds}; levels: {levels}) "
              f"to {summary.out_dir}/ with manifest.jsonl"
              + (f"; skipped {summary.skipped_tunes} tunes too short" if summary.skipped_tunes else ""))
    return 0
