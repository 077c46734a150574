"""``humdinger index``, ``humdinger library build|info`` and ``humdinger identify``: the song library."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "run_build", "run_identify", "run_index", "run_info"]


def _add_common(p: argparse.ArgumentParser, default_name: str) -> None:
    p.add_argument("--collection", default=default_name,
                   help=f"library (Qdrant collection prefix) to use (default {default_name})")
    p.add_argument("--checkpoint", default="", help="music-space checkpoint (default: the shipped model)")


def register(sub: argparse._SubParsersAction) -> None:
    from music_models.library.config import LibraryBuildConfig, LibraryConfig  # light: no numpy, no Qdrant

    d, b = LibraryConfig(), LibraryBuildConfig()
    p = sub.add_parser(
        "index", help="add your own audio and MIDI files to the song library",
        description="Indexes WAV, FLAC, OGG and MP3 files and MIDI files (rendered with FluidSynth first); "
                    "folders are searched recursively. Re-indexing a file adds nothing; an interrupted run "
                    "resumes; bad files are skipped and reported. Local store under $HUMDINGER_DATA/qdrant, or "
                    "a Qdrant server when QDRANT_URL is set.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="audio/MIDI files or folders")
    _add_common(p, d.name)
    p.add_argument("--tag", default=b.user_collection,
                   help=f"collection name stored with these songs, for 'play some ...' (default {b.user_collection})")
    p.add_argument("--rebuild", action="store_true", help="delete the library first and start over")
    p.add_argument("--estimate-melody", action="store_true",
                   help="also estimate each audio file's melody from the recording, so identify can align a hum "
                        "with it as it does with MIDI files' notes (files already indexed get one too). Off by "
                        "default: it did not clearly help in the evaluation (see README)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run_index)

    lib = sub.add_parser("library", help="build or inspect the song library",
                         description="The song library: segment embeddings of recordings in Qdrant.")
    lib_sub = lib.add_subparsers(dest="library_command", metavar="LIBRARY_COMMAND")
    lib.set_defaults(func=lambda args: (lib.print_help(), 2)[1])
    pb = lib_sub.add_parser(
        "build", help="render the bundled corpus and index it (the demo library)",
        description="Arranges each tune once (seed from its id), renders it with FluidSynth, keeps the WAV "
                    "for playback under $HUMDINGER_DATA/library/audio, and indexes it with song id = tune id.")
    pb.add_argument("--split", default=b.split, help=f"corpus split: train, val, test or all (default {b.split})")
    pb.add_argument("--limit", type=int, default=b.limit,
                    help=f"number of tunes, spread evenly; 0 = all (default {b.limit})")
    pb.add_argument("--collections", nargs="*", default=list(b.collections),
                    help="corpus collections to include (default: all)")
    pb.add_argument("--seed", type=int, default=b.seed, help=f"base seed of the arrangements (default {b.seed})")
    _add_common(pb, d.name)
    pb.add_argument("--rebuild", action="store_true", help="delete the library first and start over")
    pb.set_defaults(func=run_build)
    pi = lib_sub.add_parser("info", help="where the library is and what it holds")
    _add_common(pi, d.name)
    pi.set_defaults(func=run_info)

    q = sub.add_parser(
        "identify", help="name the song in a recording of a hum, whistle, song or instrument",
        description="Windows -> music-space embeddings -> candidate songs -> segment re-ranking with temporal "
                    "alignment. Verdict: match, unsure, or no_melody (silence, speech, noise, too short). "
                    "Any sample rate and channel count; WAV, FLAC, OGG or MP3.")
    q.add_argument("query", metavar="QUERY", help="audio file of the query")
    _add_common(q, d.name)
    q.add_argument("--top", type=int, default=d.top_k, help=f"results to list (default {d.top_k})")
    q.add_argument("--json", action="store_true", help="print the result as JSON")
    q.set_defaults(func=run_identify)


def _config(args: argparse.Namespace) -> Any:
    from music_models.library.config import LibraryConfig

    cfg = LibraryConfig().replace(name=args.collection, checkpoint=args.checkpoint)
    cfg.validate()
    return cfg


def _print_report(report: Any, *, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        speed = f", {report.realtime_factor:.0f}x real time" if report.audio_s else ""
        print(f"{report.indexed} songs indexed ({report.segments_added} segments, {report.audio_s:.0f} s of audio"
              f"{speed}), {report.already_present} already present, {len(report.failed)} skipped")
        for path, reason in report.failed[:20]:
            print(f"  skipped {reason}" if reason.startswith(path) else f"  skipped {path}: {reason}")
        if len(report.failed) > 20:
            print(f"  ... and {len(report.failed) - 20} more")
    return 1 if report.failed and not report.indexed and not report.already_present else 0


def run_index(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from music_models.library.indexer import index_paths
    from music_models.library.library import Library

    cfg = _config(args)
    if args.estimate_melody:
        cfg = cfg.replace(audio_melody=replace(cfg.audio_melody, enabled=True))
    with Library.open(cfg, create=True) as lib:
        if args.rebuild:
            lib.clear()
        report = index_paths(lib, args.paths, collection=args.tag, progress=not args.json)
        return _print_report(report, as_json=args.json)


def run_build(args: argparse.Namespace) -> int:
    from music_models.errors import ConfigError, CorpusError
    from music_models.library.indexer import build_from_tunes
    from music_models.library.library import Library

    if args.limit < 0:
        raise ConfigError(f"--limit must be >= 0 (0 = all), got {args.limit}")
    from music_models.corpus import load_corpus
    from music_models.render.batch import select_evenly

    split = None if args.split == "all" else args.split
    tunes = load_corpus(split=split, collections=args.collections or None)
    if not tunes:
        raise CorpusError(f"no tunes in split {args.split!r}; run 'humdinger data corpus' to build the corpus")
    chosen = select_evenly(tunes, limit=args.limit)
    with Library.open(_config(args), create=True) as lib:
        if args.rebuild:
            lib.clear()
        report = build_from_tunes(lib, chosen, base_seed=args.seed)
        code = _print_report(report, as_json=False)
        print(f"library {lib.config.name!r}: {len(lib)} songs at {lib.describe()['storage']}")
        return code


def run_info(args: argparse.Namespace) -> int:
    from music_models.library.library import Library

    with Library.open(_config(args)) as lib:
        print(json.dumps(lib.describe(), indent=2))
    return 0


def run_identify(args: argparse.Namespace) -> int:
    from music_models.errors import ConfigError
    from music_models.library.library import Library

    if args.top < 1:
        raise ConfigError(f"--top must be >= 1, got {args.top}")
    with Library.open(_config(args)) as lib:
        lib.warm()
        result = lib.identify_file(args.query, top_k=args.top)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print_identify(result, args.query)
    return 0


def print_identify(result: Any, query: str) -> None:
    """The human-readable answer of ``identify`` (verdict, ranked songs, timing)."""
    t = result.timing_ms
    if result.verdict == "no_melody":
        why = f" ({result.melody.reason})" if result.melody is not None and result.melody.reason else ""
        print(f"no melody heard in {query}{why}")
    else:
        head = "match" if result.verdict == "match" else "not sure; best guesses"
        print(f"{head} for {query} ({result.duration_s:.1f} s):")
        for h in result.results:
            print(f"  {h.rank}. {h.title}  [{h.song_id}]  score {h.score:.3f}  confidence {h.confidence:.2f}  "
                  f"at {h.offset_s:.0f} s")
    print(f"time: {t['total']:.0f} ms (load {t['load']:.0f}, features {t['features']:.0f}, embed {t['embed']:.0f}, "
          f"search {t['search']:.0f})")
