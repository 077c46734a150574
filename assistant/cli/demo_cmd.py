"""``humdinger demo``: the main job on embedded defaults, step by step, each step idempotent."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

__all__ = ["DemoConfig", "register"]


@dataclass(frozen=True)
class DemoConfig:
    out_dir: str = "out/demo"
    render_limit: int = 3
    query_count: int = 4
    query_kinds: str = "hum,whistle,sing,instrument"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    d = DemoConfig()
    p = sub.add_parser("demo", help="run the demo on embedded defaults (corpus, renders, queries, identification)",
                       description="Builds the corpus cache, renders a few arrangements, synthesises a few queries "
                                   "and prints where everything is. Every step skips work already done.")
    p.add_argument("--out", default=d.out_dir, help=f"output folder (default {d.out_dir})")
    p.add_argument("--render-limit", type=int, default=d.render_limit, help="arrangements to render")
    p.add_argument("--queries", type=int, default=d.query_count, help="synthetic queries to make")
    p.set_defaults(func=run)


def _steps(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    out = args.out
    return [
        ("build the corpus cache", ["data", "corpus"]),
        ("render arrangements of held-out tunes",
         ["data", "render", "--split", "test", "--limit", str(args.render_limit), "--out", f"{out}/renders"]),
        ("synthesise queries (hum, whistle, sing, instrument)",
         ["data", "queries", "--split", "test", "--n", str(args.queries), "--kinds", DemoConfig.query_kinds,
          "--out", f"{out}/queries"]),
    ]


def run(args: argparse.Namespace) -> int:
    from assistant.cli.main import main

    for i, (title, argv) in enumerate(_steps(args), 1):
        print(f"\n== step {i}: {title}  (humdinger {' '.join(argv)})", flush=True)
        t0 = time.perf_counter()
        rc = main(argv)
        print(f"   ... {'done' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - t0:.1f} s", flush=True)
        if rc != 0:
            return rc
    print(f"\nDemo outputs are under {args.out}/ (renders/: WAV+MIDI+manifest.jsonl, queries/: WAV+manifest.jsonl).")
    return 0
