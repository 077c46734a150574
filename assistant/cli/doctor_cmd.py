"""``humdinger doctor``: is every real component there and usable, and how to fix what is not."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("doctor", help="check every component (soundfont, FluidSynth, audio, ASR, Rasa, Qdrant, model)",
                       description="Checks each real component Humdinger uses and prints the fix for anything missing.")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.doctor import run_checks

    checks = run_checks()
    if args.json:
        print(json.dumps([c.to_dict() for c in checks], indent=2))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            mark = "ok " if c.ok else ("MISSING" if c.required else "absent ")
            line = f"[{mark:7}] {c.name:<{width}}  {c.detail}"
            if not c.ok and c.fix:
                line += f"\n{'':10}{'':<{width}}  fix: {c.fix}"
            print(line)
    return 0 if all(c.ok for c in checks if c.required) else 1
