"""``humdinger data render``: arrange and render corpus tunes to WAV + MIDI with a JSONL manifest."""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    from music_models.render.config import BatchRenderConfig  # light: no numpy, no FluidSynth

    d = BatchRenderConfig()
    p = sub.add_parser(
        "render",
        help="render arrangements of corpus tunes to WAV + MIDI (FluidSynth)",
        description="Arranges tunes of one corpus split for a small band (melody, chords, bass, drums; "
                    "instruments, patterns, tempo and key drawn per seed), renders them with FluidSynth to "
                    "16 kHz mono WAV, and writes MIDI and a JSONL manifest. Existing files are kept.",
    )
    p.add_argument("--split", default=d.split, help=f"corpus split: train, val or test (default {d.split})")
    p.add_argument("--limit", type=int, default=d.limit,
                   help=f"number of tunes, spread evenly over the split; 0 = all (default {d.limit})")
    p.add_argument("--out", default=d.out_dir, help=f"output folder (default {d.out_dir})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"base seed of the arrangements (default {d.seed})")
    p.add_argument("--renderings", type=int, default=d.renderings,
                   help=f"different arrangements per tune (default {d.renderings})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from music_models.errors import ConfigError, CorpusError
    from music_models.render.batch import render_tunes, select_evenly

    if args.limit < 0:
        raise ConfigError(f"--limit must be >= 0 (0 = all), got {args.limit}")
    if args.renderings < 1:
        raise ConfigError(f"--renderings must be >= 1, got {args.renderings}")
    if args.seed < 0:
        raise ConfigError(f"--seed must be >= 0, got {args.seed}")
    try:
        from music_models.corpus import load_corpus
    except ImportError as exc:
        raise CorpusError(f"the corpus loader is not installed ({exc}); update the checkout") from exc
    tunes = load_corpus(split=args.split)
    if not tunes:
        raise CorpusError(f"the {args.split!r} split is empty; run 'humdinger data corpus' to build the corpus")
    chosen = select_evenly(tunes, limit=args.limit)
    result = render_tunes(chosen, out_dir=args.out, base_seed=args.seed, renderings=args.renderings)
    speed = f", {result.audio_s / result.render_s:.0f}x real time" if result.render_s > 0 else ""
    print(f"{result.rendered} rendered, {result.skipped} already present, {len(result.failures)} failed "
          f"({result.audio_s:.0f} s of audio{speed}); manifest: {result.manifest_path}")
    for rid, reason in result.failures[:10]:
        print(f"  failed {rid}: {reason}")
    return 1 if result.failures else 0
