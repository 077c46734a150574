"""Benchmark spoken-command understanding end to end: synthetic speakers -> endpointing -> ASR -> Rasa,
through the assistant's own composition root (the recogniser and NLU client the engine uses).

    .venv/bin/python bench/bench_intent_e2e.py [--limit N] [--variants K] [--snr-db 10] [--tts flite]
        ->  bench/results/intent_e2e.json (--tts flite: bench/results/intent_e2e_flite.json)

Data: bench/data/heldout_commands.tsv (phrasings NOT in nlu_data), each spoken by K drawn speakers
(--tts espeak: espeak-ng voices en-us/en-gb/scottish/RP/caribbean/+variants; --tts flite: CMU flite's
awb/rms/slt/kal16, voices built from recordings of real people; 130-200 wpm, pitch 30-70), clean and with
rendered music + pink noise behind at --snr-db (the babble voices stay espeak-ng's either way).
An utterance is right when Rasa's intent is the TSV's
(``out_of_scope`` and ``nlu_fallback`` count as the same answer: both get the fallback reply).
Targets: >= 95 % clean, >= 85 % at 10 dB SNR.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HELDOUT = ROOT / "bench" / "data" / "heldout_commands.tsv"
RESULTS = ROOT / "bench" / "results" / "intent_e2e.json"
RESULTS_BY_TTS = {"espeak": RESULTS, "flite": ROOT / "bench" / "results" / "intent_e2e_flite.json"}
TTS_NAMES = {"espeak": "espeak-ng", "flite": "flite"}
FALLBACKS = frozenset({"out_of_scope", "nlu_fallback"})
TARGETS = {"clean": 0.95, "noisy": 0.85}


def load_rows(limit: int = 0) -> list[dict[str, str]]:
    """The held-out commands; with ``limit``, an even spread over the file (all intents stay in)."""
    with HELDOUT.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return rows[:: max(1, len(rows) // limit)][:limit] if limit else rows


def machine() -> dict[str, Any]:
    return {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def speakers(tts: str) -> tuple[Any, Any]:
    """The ``spoken_variants`` engine and corpus config for ``--tts``; espeak is speech_corpus's default."""
    from speech_corpus import SpeechCorpusConfig

    if tts == "flite":
        from flite_tts import FLITE_CORPUS, FliteTTS, flite_voices

        flite_voices()  # fail now, not after the assistant has started, when flite is missing
        return FliteTTS(), FLITE_CORPUS
    return None, SpeechCorpusConfig()


def same_intent(expected: str, got: str) -> bool:
    return got == expected or (got in FALLBACKS and expected in FALLBACKS)


def understand(assistant: Any, samples: Any) -> dict[str, Any]:
    """Endpoint, recognise and parse one utterance the way the conversation engine does."""
    from assistant.asr.phrases import normalize_text
    from assistant.audio.chunk import AudioClip
    from assistant.conversation.capture import capture_utterance

    cfg = assistant.config.conversation
    t0 = time.perf_counter()
    cap = capture_utterance(AudioClip(samples).chunks(chunk_s=cfg.file_source.chunk_s), config=cfg.speech,
                            recognizer=assistant.recognizer, recognise_max_length=True,
                            speculate_after_s=cfg.speculate_after_s)
    text = normalize_text(cap.transcript.text) if cap.transcript is not None else ""
    t1 = time.perf_counter()
    res = assistant.nlu.parse(text) if text else None
    return {"asr_text": text, "intent": res.intent if res else "nlu_fallback",
            "confidence": round(res.confidence, 3) if res else 0.0, "sound": cap.kind, "found": cap.found,
            # the recogniser's own time, its background decode included (asr_total_s is this thread's only)
            "asr_s": cap.transcript.elapsed_s if cap.transcript is not None else cap.asr_total_s,
            "utt_s": cap.clip.duration_s, "nlu_s": time.perf_counter() - t1,
            "total_s": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="held-out commands to use (0 = all)")
    parser.add_argument("--variants", type=int, default=2, help="drawn speakers per command")
    parser.add_argument("--tts", choices=sorted(TTS_NAMES), default="espeak", help="who speaks the commands")
    parser.add_argument("--snr-db", type=float, default=10.0, help="SNR of the noisy condition")
    parser.add_argument("--background", default="music+noise", help="speech_corpus background kind")
    parser.add_argument("--asr-mode", default=None, help="PocketSphinx mode (default: the ASR config's)")
    parser.add_argument("--sphinx", action="append", default=[], metavar="KEY=JSON",
                        help="override a PocketSphinxConfig field, e.g. fwdflat=false (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None,
                        help="default: bench/results/intent_e2e.json (--tts flite: intent_e2e_flite.json)")
    args = parser.parse_args(argv)

    from dataclasses import replace

    from speech_corpus import background_pool, make_background, mix_at_snr, spoken_variants
    from tqdm import tqdm

    from assistant.asr.phrases import ASR_VARIANTS_FILE, normalize_text
    from assistant.conversation import AssistantConfig, build_assistant
    from assistant.nlu.training import project_hash

    out_path: Path = args.out or RESULTS_BY_TTS[args.tts]
    tts, corpus = speakers(args.tts)
    rows = load_rows(args.limit)
    pool = background_pool(seed=args.seed)
    noisy_name = f"snr{args.snr_db:g}db_{args.background}"
    t0 = time.perf_counter()
    cfg = AssistantConfig.from_env(use_library=False)
    if args.asr_mode:
        cfg = replace(cfg, asr=replace(cfg.asr, pocketsphinx=replace(cfg.asr.pocketsphinx, mode=args.asr_mode)))
    if args.sphinx:
        over = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.sphinx)}
        cfg = replace(cfg, asr=replace(cfg.asr, pocketsphinx=replace(cfg.asr.pocketsphinx, **over)))
    assistant = build_assistant(cfg, progress=True)
    start_s = time.perf_counter() - t0
    if assistant.nlu is None or assistant.recognizer is None:
        print("cannot run: " + "; ".join(assistant.problems()), file=sys.stderr)
        return 1
    items: list[dict[str, Any]] = []
    try:
        for i, r in enumerate(tqdm(rows, desc="speaking + understanding held-out commands", unit="cmd")):
            spoken = spoken_variants(r["text"], n=args.variants, seed=args.seed + 100 * i,
                                     config=corpus, tts=tts)
            for j, (y, spec) in enumerate(spoken):
                seed = args.seed + 100 * i + j
                noisy = mix_at_snr(y, make_background(args.background, len(y), pool=pool, seed=seed),
                                   snr_db=args.snr_db, seed=seed)
                for cond, audio in (("clean", y), (noisy_name, noisy)):
                    got = understand(assistant, audio)
                    items.append({"text": r["text"], "expected": r["intent"], "voice": spec.name, "condition": cond,
                                  **got, "correct": same_intent(r["intent"], got["intent"])})
    finally:
        assistant.close()

    by_cond: dict[str, dict[str, Any]] = {}
    for cond in ("clean", noisy_name):
        its = [x for x in items if x["condition"] == cond]
        per_intent: dict[str, list[bool]] = defaultdict(list)
        for x in its:
            per_intent[x["expected"]].append(x["correct"])
        rtf = [x["asr_s"] / x["utt_s"] for x in its if x["utt_s"] > 0]
        by_cond[cond] = {
            "n": len(its), "intent_accuracy": round(sum(x["correct"] for x in its) / len(its), 4),
            "per_intent": {k: round(sum(v) / len(v), 3) for k, v in sorted(per_intent.items())},
            "confusions": Counter(f"{x['expected']}->{x['intent']}" for x in its if not x["correct"]).most_common(10),
            "worst_intents": {k: dict(Counter(x["intent"] for x in its if x["expected"] == k).most_common())
                              for k, _ in sorted(per_intent.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))[:4]},
            "asr_exact": round(sum(x["asr_text"] == normalize_text(x["text"]) for x in its) / len(its), 4),
            "asr_rtf_p50": round(statistics.median(rtf), 3) if rtf else None,
            "errors": [{k: x[k] for k in ("text", "voice", "asr_text", "expected", "intent", "confidence")}
                       for x in its if not x["correct"]][:40]}
    clean, noisy = by_cond["clean"], by_cond[noisy_name]
    result = {"benchmark": "intent_e2e", "machine": machine(),
              "config": {"rows": len(rows), "variants": args.variants, "tts": args.tts,
                         "voices": list(corpus.voices), "snr_db": args.snr_db,
                         "background": args.background, "seed": args.seed,
                         "asr_backend": assistant.config.asr.resolved_backend(),
                         "asr_mode": assistant.config.asr.pocketsphinx.mode,
                         "sphinx_overrides": list(args.sphinx),
                         "speculate_after_s": assistant.config.conversation.speculate_after_s,
                         "background_redecode": assistant.config.asr.pocketsphinx.background_redecode, "data": str(HELDOUT.relative_to(ROOT)),
                         "domain_lm": assistant.config.asr.pocketsphinx.domain_lm.to_dict(),
                         "nlu_project_hash": project_hash(project_dir=assistant.config.nlu.project_dir),
                         "nlu_asr_variants": (assistant.config.nlu.project_dir / "data" / ASR_VARIANTS_FILE).is_file()},
              "startup_s": round(start_s, 2), "targets": TARGETS, "conditions": by_cond,
              "meets_targets": {"clean": clean["intent_accuracy"] >= TARGETS["clean"],
                                "noisy": noisy["intent_accuracy"] >= TARGETS["noisy"]}}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"spoken-command intent accuracy, {TTS_NAMES[args.tts]} -> {result['config']['asr_backend']} "
          f"({result['config']['asr_mode']}) -> Rasa, on {machine()['processor']} x{os.cpu_count()}:")
    for cond, d in by_cond.items():
        print(f"  {cond:28s} {d['intent_accuracy']:.3f} over {d['n']} utterances (ASR RTF p50 {d['asr_rtf_p50']})")
    print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
