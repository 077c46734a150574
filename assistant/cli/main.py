"""Entry point of the ``humdinger`` command.

Each subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``func=<callable(args) -> int>``. Modules are imported here, but they defer heavy imports
(torch, librosa, music21) to the functions that run the command, so ``--help`` is instant.
Only this layer prints errors and chooses exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "assistant.cli.demo_cmd",
    "assistant.cli.doctor_cmd",
    "assistant.cli.data_cmd",
    "assistant.cli.train_cmd",
    "assistant.cli.nlu_cmd",
    "assistant.cli.models_cmd",
    "assistant.cli.library_cmd",
    "assistant.cli.converse_cmd",
    "assistant.cli.listen_cmd",
    "assistant.cli.eval_cmd",
)

EXIT_USAGE = 2
EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="humdinger",
        description=(
            "Humdinger: an open voice assistant for music. Hum, whistle, sing or play a melody and it "
            "names the song, plays along, or composes something like it."
        ),
        epilog="Data lives in $HUMDINGER_DATA (default ~/.cache/humdinger). Run 'humdinger doctor' if something is missing.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from music_models.errors import HumdingerError

    try:
        return int(args.func(args) or 0)
    except HumdingerError as exc:
        print(f"humdinger: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("humdinger: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
