"""``humdinger demo``: the main job on embedded defaults, step by step, each step idempotent."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DemoConfig", "register"]


@dataclass(frozen=True)
class DemoConfig:
    out_dir: str = "out/demo"
    render_limit: int = 3
    query_count: int = 4
    query_kinds: str = "hum,whistle,sing,instrument"
    library_limit: int = 300  # held-out (test-split) tunes in the demo library
    hum_seed: int = 7
    hum_duration_s: float = 10.0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    d = DemoConfig()
    p = sub.add_parser("demo", help="run the demo on embedded defaults (corpus, renders, queries, identification, a spoken conversation)",
                       description="Builds the corpus cache, renders a few arrangements, synthesises a few queries, "
                                   "identifies a hum from the demo library, then holds a spoken conversation (espeak-ng voice, "
                                   "PocketSphinx, Rasa) and prints where everything is. Every step skips work already done.")
    p.add_argument("--out", default=d.out_dir, help=f"output folder (default {d.out_dir})")
    p.add_argument("--render-limit", type=int, default=d.render_limit, help="arrangements to render")
    p.add_argument("--queries", type=int, default=d.query_count, help="synthetic queries to make")
    p.add_argument("--library-limit", type=int, default=d.library_limit,
                   help=f"held-out tunes in the demo library (default {d.library_limit})")
    p.add_argument("--no-conversation", action="store_true",
                   help="stop after the identification (skip the spoken conversation, which starts Rasa)")
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
        ("build the demo library (held-out tunes rendered and indexed in local Qdrant)",
         ["library", "build", "--split", "test", "--limit", str(args.library_limit)]),
    ]


def _demo_hum(args: argparse.Namespace) -> tuple[str, str]:
    """A synthetic hum (moderate degradation) of a held-out tune that is in the demo library: (wav, title)."""
    from pathlib import Path

    from music_models.corpus import load_corpus
    from music_models.queries import QueryConfig, synthesise_query
    from music_models.render.audio import write_wav
    from music_models.render.batch import select_evenly

    d = DemoConfig()
    tunes = select_evenly(load_corpus(split="test", progress=False), limit=args.library_limit)
    long_enough = [t for t in tunes if t.duration_s >= d.hum_duration_s + 4.0] or tunes
    tune = long_enough[len(long_enough) // 2]
    query = synthesise_query(tune, kind="hum", seed=d.hum_seed,
                             config=QueryConfig(level="moderate", target_duration_s=d.hum_duration_s))
    path = Path(args.out) / "hum_to_identify.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, samples=query.samples, sample_rate_hz=query.sample_rate_hz)
    t = query.truth
    print(f"   hummed: {tune.title!r} ({tune.tune_id}), {t.duration_s:.1f} s, transposed "
          f"{t.transposition_semitones:+d} semitones, tempo x{t.tempo_ratio:.2f}, {t.level} room/device noise")
    return str(path), tune.tune_id


def run(args: argparse.Namespace) -> int:
    from assistant.cli.main import main

    steps = _steps(args)
    for i, (title, argv) in enumerate(steps, 1):
        print(f"\n== step {i}: {title}  (humdinger {' '.join(argv)})", flush=True)
        t0 = time.perf_counter()
        rc = main(argv)
        print(f"   ... {'done' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - t0:.1f} s", flush=True)
        if rc != 0:
            return rc
    print(f"\n== step {len(steps) + 1}: what's this song? a synthetic hum of a held-out tune, identified", flush=True)
    wav, tune_id = _demo_hum(args)
    from assistant.cli.library_cmd import print_identify
    from music_models.library import Library, LibraryConfig

    with Library.open(LibraryConfig()) as library:
        library.warm()
        result = library.identify_file(wav, top_k=3)
    print(f"$ humdinger identify {wav} --top 3")
    print_identify(result, wav)
    ranks = [h.rank for h in result.results if h.song_id == tune_id]
    print(f"   -> {'named correctly' if ranks and ranks[0] == 1 else 'NOT named first'} "
          f"(the hum was of {tune_id}; rank {ranks[0] if ranks else '> 3'})")
    rc = 0
    if not args.no_conversation:
        print(f"\n== step {len(steps) + 2}: a spoken conversation: espeak-ng asks \"hey humdinger, what's this song?\" "
              "and hums, then \"play it\", then \"stop\" (PocketSphinx -> Rasa -> skills -> espeak-ng)", flush=True)
        script = _conversation_script(args, wav)
        print(f"$ humdinger converse --script {script} --out {script.parent}")
        rc = main(["converse", "--script", str(script), "--out", str(script.parent)])
    print(f"\nDemo outputs are under {args.out}/ (renders/: WAV+MIDI+manifest.jsonl, queries/: WAV+manifest.jsonl, "
          "hum_to_identify.wav, conversation/: the spoken turns, replies and transcript.json). "
          "Try: humdinger identify YOUR_HUM.wav, or humdinger listen")
    return rc


def _conversation_script(args: argparse.Namespace, hum_wav: str) -> Path:
    """Three spoken turns as WAVs (espeak-ng speech; the first followed by the demo hum) and their script."""
    import json

    import numpy as np

    from assistant.audio.chunk import AudioClip
    from assistant.audio.file_source import read_audio_file
    from assistant.audio.sinks import write_wav
    from assistant.tts import EspeakTTS

    folder = Path(args.out) / "conversation"
    folder.mkdir(parents=True, exist_ok=True)
    tts = EspeakTTS()
    hum = read_audio_file(hum_wav).samples
    rng = np.random.default_rng(0)

    def quiet(seconds: float) -> np.ndarray:  # a quiet room, not digital silence
        return (0.002 * rng.standard_normal(int(seconds * 16000))).astype(np.float32)

    turns = []
    for name, text, extra in (("ask", "hey humdinger, what's this song?", [quiet(1.0), hum]),
                              ("play", "play it", []), ("stop", "stop", [])):
        samples = np.concatenate([quiet(0.4), tts.speak(text).samples, *extra, quiet(1.2)]).astype(np.float32)
        write_wav(folder / f"{name}.wav", AudioClip(samples))
        turns.append({"audio": f"{name}.wav", "label": text} | ({"gap_s": 2.0} if name == "stop" else {}))
    script = folder / "script.yaml"
    script.write_text(json.dumps({"turns": turns}, indent=1) + "\n")  # JSON is YAML
    return script
