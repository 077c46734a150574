"""``humdinger data corpus``: build (or load) the tune cache from music21's corpus and report it."""

from __future__ import annotations

import argparse
import json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from music_models.corpus.config import CorpusConfig  # light: no music21

    defaults = CorpusConfig()
    p = sub.add_parser(
        "corpus",
        help="build/load the tune catalog from music21's corpus and print counts per collection and split",
        description=(
            "Parses O'Neill's, Ryan's, Aird's, misc. folk, Essen and the Bach chorales from the music21 "
            "package into $HUMDINGER_DATA/corpus (once; later runs read the cache), harmonises melodies "
            "without chords, drops duplicate melodies and splits train/val/test by tune id."
        ),
    )
    p.add_argument("--collections", metavar="A,B", default=None,
                   help="comma-separated collection names (default: all; see --list)")
    p.add_argument("--rebuild", action="store_true", help="parse again even if the cache is current")
    p.add_argument("--workers", type=int, default=defaults.workers,
                   help=f"parser processes (default {defaults.workers})")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--list", action="store_true", help="list the collections and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from music_models.corpus import COLLECTIONS, build_corpus

    if args.list:
        for spec in COLLECTIONS.values():
            print(f"{spec.name:<14} {spec.description}")
        return 0
    names = None if args.collections is None else [n for n in args.collections.split(",")]
    stats = build_corpus(collections=names, rebuild=args.rebuild, workers=args.workers,
                         progress=not args.json)
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False))
        return 0
    print(_table(stats))
    return 0


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _table(stats: object) -> str:
    from music_models.corpus import SPLITS, CorpusStats

    assert isinstance(stats, CorpusStats)
    head = f"{'collection':<14} {'parsed':>7} {'failed':>7} {'dupes':>6} {'tunes':>7} " + \
        " ".join(f"{s:>6}" for s in SPLITS) + f" {'chord-tone':>10}"
    lines = [head, "-" * len(head)]
    for c in stats.collections:
        split = stats.splits_by_collection.get(c, {})
        ratio = stats.chord_tone_ratio_by_collection.get(c)
        if ratio is None and c == "bachChorales":
            ratio = stats.harmony_chord_tone_ratio
        lines.append(
            f"{c:<14} {stats.parsed_by_collection.get(c, 0):>7} {stats.failures_by_collection.get(c, 0):>7} "
            f"{stats.duplicates_by_collection.get(c, 0):>6} {stats.tunes_by_collection.get(c, 0):>7} "
            + " ".join(f"{split.get(s, 0):>6}" for s in SPLITS) + f" {_ratio(ratio):>10}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<14} {sum(stats.parsed_by_collection.values()):>7} {stats.failures_total:>7} "
        f"{stats.duplicates_dropped:>6} {stats.tunes_total:>7} "
        + " ".join(f"{stats.splits.get(s, 0):>6}" for s in SPLITS)
    )
    lines.append("")
    lines.append(f"harmoniser chord-tone ratio (share of melody notes in the chord): {_ratio(stats.chord_tone_ratio)}"
                 f" (duration-weighted {_ratio(stats.chord_tone_ratio_duration)}); "
                 f"chorales' own harmony: {_ratio(stats.harmony_chord_tone_ratio)}")
    lines.append(f"estimated key has the header's tonic: {_ratio(stats.key_tonic_agreement)}")
    built = f"parsed now: {', '.join(stats.parsed_now)}" if stats.parsed_now else "from cache"
    lines.append(f"cache: {stats.cache_dir} ({built}; {stats.build_time_s:.1f} s; music21 {stats.music21_version}; "
                 f"params {stats.params_hash})")
    return "\n".join(lines)
