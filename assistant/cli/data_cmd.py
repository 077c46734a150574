"""``humdinger data ...``: build the corpus cache, render arrangements, synthesise queries."""

from __future__ import annotations

import argparse
import importlib

__all__ = ["DATA_SUBCOMMAND_MODULES", "register"]

DATA_SUBCOMMAND_MODULES: tuple[str, ...] = (
    "assistant.cli.data_corpus_cmd",
    "assistant.cli.data_render_cmd",
    "assistant.cli.data_queries_cmd",
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "data",
        help="build the corpus cache, render arrangements, synthesise test queries",
        description="Data pipeline: music21 corpus -> tune cache -> rendered arrangements and synthetic queries.",
    )
    data_sub = parser.add_subparsers(dest="data_command", metavar="DATA_COMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
    for name in DATA_SUBCOMMAND_MODULES:
        importlib.import_module(name).register(data_sub)
