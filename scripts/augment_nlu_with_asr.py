"""Generate nlu_data/data/nlu_asr_variants.yml: the NLU examples as the default recogniser hears them.

    nice -n 15 .venv/bin/python scripts/augment_nlu_with_asr.py [--voices 2] [--snr-db 10] [--no-noise]
        [--limit N] [--out nlu_data/data/nlu_asr_variants.yml] [--report bench/results/nlu_asr_variants.json]

Each example of nlu_data/data (except the generated file itself) is spoken by ``--voices`` espeak-ng
speakers (bench/speech_corpus.py, drawn from AsrAugmentConfig.voices: other voices than the intent
benchmark's, and other seeds for speed, pitch and background),
clean and with rendered music + pink noise at ``--snr-db``, endpointed and decoded exactly as the
conversation engine does, and the decoded texts are selected by assistant.nlu.asr_augment.select_variants.
Held-out phrasings (bench/data/heldout_commands.tsv) are never written, even when a decode happens to
produce one. Rasa retrains on its own at the next start (content hash of nlu_data/).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from assistant.nlu.asr_augment import AsrAugmentConfig, HeardExample

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # speech_corpus: the benchmarks' espeak speakers and backgrounds

HELDOUT = ROOT / "bench" / "data" / "heldout_commands.tsv"
_BATCH = 25  # progress lines every this many examples


def main(argv: list[str] | None = None) -> int:
    from assistant.asr.phrases import ASR_VARIANTS_FILE, DEFAULT_NLU_DIR
    from assistant.nlu.asr_augment import AsrAugmentConfig

    d = AsrAugmentConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=d.voices_per_example, help="espeak speakers per example")
    parser.add_argument("--snr-db", type=float, default=d.snr_db, help="SNR of the noisy condition")
    parser.add_argument("--background", default=d.background, help="speech_corpus background kind")
    parser.add_argument("--no-noise", action="store_true", help="clean speech only")
    parser.add_argument("--min-similarity", type=float, default=d.min_similarity,
                        help="drop decodes less similar than this to what was said (0..1)")
    parser.add_argument("--max-per-intent", type=int, default=d.max_per_intent)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--limit", type=int, default=0, help="examples to speak (0 = all; for trying it out)")
    parser.add_argument("--nlu-dir", type=Path, default=DEFAULT_NLU_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_NLU_DIR / ASR_VARIANTS_FILE)
    parser.add_argument("--report", type=Path, default=None, help="also write every decode as JSON here")
    parser.add_argument("--cache", type=Path, default=None,
                        help="JSONL of decodes, appended as it goes: an interrupted run started again resumes")
    parser.add_argument("--reverse", action="store_true",
                        help="work from the last example back: a second process on the same --cache (the other "
                             "core) meets the first in the middle; each skips what the cache already holds")
    args = parser.parse_args(argv)
    from music_models.errors import HumdingerError

    try:
        cfg = AsrAugmentConfig(voices_per_example=args.voices, noisy=not args.no_noise, snr_db=args.snr_db,
                               background=args.background, min_similarity=args.min_similarity,
                               max_per_intent=args.max_per_intent, seed=args.seed)
        return _run(args, cfg)
    except HumdingerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, cfg: AsrAugmentConfig) -> int:
    from speech_corpus import (
        SpeechCorpusConfig,
        background_pool,
        make_background,
        mix_at_snr,
        spoken_variants,
    )

    from assistant.asr import build_phrase_set, create_recognizer, normalize_text
    from assistant.audio.chunk import AudioClip
    from assistant.conversation import AssistantConfig
    from assistant.conversation.capture import capture_utterance
    from assistant.nlu.asr_augment import (
        hear_examples,
        render_variants_yaml,
        select_variants,
        training_examples,
    )

    examples = training_examples(args.nlu_dir)
    if args.limit:
        examples = examples[:: max(1, len(examples) // args.limit)][: args.limit]
    with HELDOUT.open(newline="") as f:
        heldout = [r["text"] for r in csv.DictReader(f, delimiter="\t")]
    acfg = AssistantConfig.from_env(use_library=False)
    recognizer = create_recognizer(build_phrase_set(nlu_path=args.nlu_dir), config=acfg.asr)
    speech = acfg.conversation.speech
    chunk_s = acfg.conversation.file_source.chunk_s

    def recognise(samples: np.ndarray) -> str:
        cap = capture_utterance(AudioClip(samples).chunks(chunk_s=chunk_s), config=speech, recognizer=recognizer,
                                recognise_max_length=True)
        return cap.transcript.text if cap.transcript is not None else ""

    speakers = replace(SpeechCorpusConfig(), voices=cfg.voices)

    def speak(text: str, seed: int) -> list[tuple[np.ndarray, str]]:
        return [(y, spec.name) for y, spec in spoken_variants(text, n=cfg.voices_per_example, seed=seed,
                                                              config=speakers)]

    noisy = None
    if cfg.noisy:
        pool = background_pool(seed=cfg.seed)

        def noisy(samples: np.ndarray, seed: int) -> np.ndarray:
            return mix_at_snr(samples, make_background(cfg.background, len(samples), pool=pool, seed=seed),
                              snr_db=cfg.snr_db, seed=seed)

    t0 = time.perf_counter()
    # The decodes depend on who speaks, the noise and the recogniser, not on the selection thresholds, so a
    # re-selection (--min-similarity, --max-per-intent) reuses the cache.
    heard_by = {k: v for k, v in cfg.to_dict().items() if k not in ("min_similarity", "max_per_intent")}
    key = hashlib.sha256(json.dumps([heard_by, acfg.asr.to_dict(), build_phrase_set(nlu_path=args.nlu_dir)
                                     .to_dict()], sort_keys=True, default=str).encode()).hexdigest()[:16]
    done = _load_cache(args.cache, key=key)
    todo = [i for i in range(len(examples)) if i not in done][:: -1 if args.reverse else 1]
    for start in range(0, len(todo), _BATCH):
        batch = todo[start:start + _BATCH]
        print(f"{len(todo) - start} of {len(examples)} examples to go", file=sys.stderr)
        for i in batch:
            if args.cache and args.reverse:
                done.update(_load_cache(args.cache, key=key))  # what the other process has finished
            if i in done:
                continue
            got = hear_examples([examples[i]], speak=speak, recognise=recognise, noisy=noisy, first_index=i,
                                noisy_name=f"snr{cfg.snr_db:g}db_{cfg.background}", seed=cfg.seed)
            done[i] = got
            if args.cache:
                with args.cache.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"key": key, "index": i, "heard": [h.to_dict() for h in got]}) + "\n")
    if args.cache:
        done.update(_load_cache(args.cache, key=key))
    missing = [i for i in range(len(examples)) if i not in done]
    if missing:  # another process on the same cache is still on these
        print(f"{len(missing)} example(s) not decoded yet; run again (same --cache) to write {args.out}")
        return 0
    heard = [h for i in range(len(examples)) for h in done[i]]
    variants = select_variants(heard, existing=[t for _, t in examples], config=cfg, forbidden=heldout)
    exact = sum(h.heard_text == normalize_text(h.said_text) for h in heard)
    command = "nice -n 15 .venv/bin/python scripts/augment_nlu_with_asr.py " + " ".join(argv_for_header(args))
    conditions = f"clean + {cfg.snr_db:g} dB {cfg.background}" if cfg.noisy else "clean"
    notes = [(f"{len(examples)} examples x {cfg.voices_per_example} speakers x {conditions}: {len(heard)} decodes, "
              f"{exact} exactly right, {sum(map(len, variants.values()))} variants kept")]
    args.out.write_text(render_variants_yaml(variants, command=command.strip(), notes=notes), encoding="utf-8")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps({"config": cfg.to_dict(), "decodes": [h.to_dict() for h in heard],
                                           "kept": variants}, indent=1) + "\n")
    print(f"{notes[0]} in {time.perf_counter() - t0:.0f} s; wrote {args.out}")
    return 0


def _load_cache(path: Path | None, *, key: str) -> dict[int, list[HeardExample]]:
    """Decodes of an earlier, interrupted run with the same configuration and phrase set (other lines are stale)."""
    from assistant.nlu.asr_augment import HeardExample

    out: dict[int, list[HeardExample]] = {}
    if path is None or not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by the interruption
        if rec.get("key") == key:
            out[int(rec["index"])] = [HeardExample.from_dict(h) for h in rec["heard"]]
    return out


def argv_for_header(args: argparse.Namespace) -> list[str]:
    """The options of this run, to reproduce it from the generated file's header."""
    out = [f"--voices {args.voices}", f"--snr-db {args.snr_db:g}", f"--seed {args.seed}",
           f"--min-similarity {args.min_similarity:g}", f"--max-per-intent {args.max_per_intent}"]
    if args.no_noise:
        out.append("--no-noise")
    if args.limit:
        out.append(f"--limit {args.limit}")
    return out


if __name__ == "__main__":
    sys.exit(main())
