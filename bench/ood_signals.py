"""Which signal tells a real person's out-of-domain request from a music command? (an experiment)

    .venv/bin/python bench/ood_signals.py [--limit 70]   ->  bench/results/ood_signals.json

The domain language model maps a spoken coffee order onto the assistant's words ("I'd like a medium
mocha" -> "make me a tune like brahms ...") and Rasa is then sure of it (bench_real_speech_commands.py:
9 of 52 real out-of-domain recordings were taken for a command). Candidate signals, per utterance,
from the recogniser as the engine runs it (endpointer, domain LM, whole-utterance redecode):

- ``posterior``: PocketSphinx's posterior probability of the hypothesis (lattice), also per word (its
  log10 over the number of words or over the captured seconds: long requests are not penalised for their
  length) and the mean and minimum of the words' own posteriors;
- ``acoustic_fit``: (the words' acoustic score - a free phone loop's) per frame;
- ``open_in_vocab``: the same utterance decoded with the stock en-US trigram model (open vocabulary),
  and the share of its content words that are in the assistant's language (the vocabulary gate's).

Sets: ``real_ood`` (the 52 real requests and sentences of ../shared/data/real-speech, none about music),
and ``--limit`` held-out commands (bench/data/heldout_commands.tsv) spoken clean by flite's
human-derived voices (``flite_in``) and by espeak-ng (``espeak_in``). For each signal: how many real
out-of-domain requests a threshold turns away at the cost of 0, 2 and 5% of in-domain commands (flite),
and where the 9 that were acted on fall; for the per-second posterior also fixed thresholds.
``--rescore`` recomputes the summary from ``--out``'s saved utterances. No Rasa: signals only. Skips the
real set when absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results" / "ood_signals.json"
DATA = ROOT.parent / "shared" / "data" / "real-speech"
SIGNALS = ("posterior", "log10_posterior_per_word", "log10_posterior_per_s", "mean_word_posterior",
           "min_word_posterior", "acoustic_fit", "open_in_vocab")


def in_vocab_share(text: str, vocabulary: frozenset[str]) -> float | None:
    from assistant.nlu.vocabulary import content_words

    words = content_words(text)
    return sum(w in vocabulary for w in words) / len(words) if words else None


def measure(clip: np.ndarray, *, domain: Any, open_lm: Any, vocabulary: frozenset[str], speech_cfg: Any) -> dict[str, Any]:
    from assistant.asr.factory import transcribe
    from assistant.asr.phrases import normalize_text
    from assistant.audio.chunk import AudioClip
    from assistant.conversation.capture import capture_utterance

    cap = capture_utterance(AudioClip(clip.astype(np.float32)).chunks(chunk_s=0.1), config=speech_cfg,
                            recognizer=domain, recognise_max_length=True)
    tr = cap.transcript
    if tr is None or not cap.found:
        return {"heard": None}
    opened = transcribe(open_lm, cap.clip.chunks())
    confs = [w.confidence for w in tr.words]
    return {"heard": normalize_text(tr.text), "open_heard": normalize_text(opened.text),
            "duration_s": round(cap.clip.duration_s, 2), "word_posteriors": [round(c, 5) for c in confs],
            "posterior": float(tr.confidence),
            "log10_posterior_per_word": (round(float(np.log10(max(tr.confidence, 1e-30))) / len(confs), 4)
                                         if confs else None),
            "log10_posterior_per_s": round(float(np.log10(max(tr.confidence, 1e-30))) / max(cap.clip.duration_s, 0.1), 4),
            "mean_word_posterior": round(float(np.mean(confs)), 4) if confs else None,
            "min_word_posterior": round(float(np.min(confs)), 4) if confs else None,
            "acoustic_fit": round(float(tr.acoustic_fit), 4) if tr.acoustic_fit is not None else None,
            "open_in_vocab": in_vocab_share(normalize_text(opened.text), vocabulary),
            "domain_in_vocab": in_vocab_share(normalize_text(tr.text), vocabulary)}


def separation(ood: list[float], ind: list[float], *, higher_is_in: bool = True) -> dict[str, Any]:
    """OOD turned away by the threshold that turns away at most 0 / 2 / 5% of in-domain utterances."""
    if not ood or not ind:
        return {}
    sign = 1.0 if higher_is_in else -1.0
    o, i = sign * np.asarray(ood, float), sign * np.asarray(ind, float)
    out = {}
    for cost in (0.0, 0.02, 0.05):
        thr = float(np.quantile(i, cost)) if cost else float(i.min())
        out[f"ood_refused_at_{int(cost * 100)}pct_in_domain"] = round(float(np.mean(o < thr)), 3)
        out[f"threshold_at_{int(cost * 100)}pct_in_domain"] = round(sign * thr, 4)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=70, help="held-out commands per synthetic set")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rescore", action="store_true", help="recompute the summary from --out's utterances")
    args = parser.parse_args(argv)
    if args.rescore:
        result = json.loads(args.out.read_text())
        for rows in result["sets"].values():
            for x in rows:
                if x.get("heard") and "log10_posterior_per_s" not in x:
                    x["log10_posterior_per_s"] = round(float(np.log10(max(x["posterior"], 1e-30)))
                                                       / max(x["duration_s"], 0.1), 4)
        result["summary"] = summarise(result["sets"])
        return write(result, args.out)

    from bench_intent_e2e import load_rows, machine, speakers
    from bench_real_speech_commands import recordings
    from speech_corpus import spoken_variants
    from tqdm import tqdm

    from assistant.asr import build_phrase_set
    from assistant.asr.factory import AsrConfig, create_recognizer
    from assistant.audio.file_source import read_audio_file, resample
    from assistant.conversation import ConversationConfig

    phrases = build_phrase_set()
    vocabulary = frozenset(phrases.vocabulary())
    base = AsrConfig()
    domain = create_recognizer(phrases, config=replace(base, pocketsphinx=replace(base.pocketsphinx,
                                                                                  phone_loop_check=True,
                                                                                  bestpath=True)))
    open_lm = create_recognizer(phrases, config=replace(base, pocketsphinx=replace(base.pocketsphinx, mode="lm")))
    speech_cfg = ConversationConfig().speech
    sets: dict[str, list[dict[str, Any]]] = {}
    acted = {}
    real_results = ROOT / "bench" / "results" / "real_speech_commands.json"
    if real_results.is_file():
        acted = {t["file"]: t["outcome"] for t in json.loads(real_results.read_text())["turns"]}
    t0 = time.perf_counter()
    if (args.data / "manifest.tsv").is_file():
        for r in tqdm(recordings(args.data), desc="real out-of-domain", unit="rec"):
            audio = read_audio_file(args.data / r["file"])
            y = resample(audio.samples, from_hz=audio.sample_rate_hz, to_hz=16000)
            y = np.concatenate([np.zeros(8000, np.float32), y, np.zeros(16000, np.float32)])
            sets.setdefault("real_ood", []).append({"file": r["file"], "outcome_when_run": acted.get(r["file"]),
                                                    **measure(y, domain=domain, open_lm=open_lm,
                                                              vocabulary=vocabulary, speech_cfg=speech_cfg)})
    rows = load_rows(args.limit)
    for tts in ("flite", "espeak"):
        engine, corpus = speakers(tts)
        for i, r in enumerate(tqdm(rows, desc=f"held-out commands ({tts})", unit="cmd")):
            (y, spec), = spoken_variants(r["text"], n=1, seed=args.seed + 7 * i, config=corpus,
                                          **({"tts": engine} if engine is not None else {}))
            sets.setdefault(f"{tts}_in", []).append({"said": r["text"], "intent": r["intent"], "voice": spec.name,
                                                     **measure(y, domain=domain, open_lm=open_lm,
                                                               vocabulary=vocabulary, speech_cfg=speech_cfg)})
    for rec in (domain, open_lm):
        getattr(rec, "close", lambda: None)()

    out = {"benchmark": "ood_signals", "machine": machine(), "elapsed_s": round(time.perf_counter() - t0, 1),
           "config": {"limit": args.limit, "seed": args.seed, "data": str(args.data)},
           "summary": summarise(sets), "sets": sets}
    return write(out, args.out)


def summarise(sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    def values(name: str, signal: str) -> list[float]:
        return [float(x[signal]) for x in sets.get(name, []) if x.get(signal) is not None]

    summary: dict[str, Any] = {}
    for signal in SIGNALS:
        summary[signal] = {
            **{f"{name}_median": (round(float(np.median(values(name, signal))), 3) if values(name, signal) else None)
               for name in sets},
            "vs_flite": separation(values("real_ood", signal), values("flite_in", signal)),
            "vs_espeak": separation(values("real_ood", signal), values("espeak_in", signal)),
            "acted_on": [x[signal] for x in sets.get("real_ood", []) if x.get("outcome_when_run") == "acted"],
        }
    per_s = "log10_posterior_per_s"
    summary[per_s]["fixed_thresholds"] = {
        f"{thr:g}": {"real_ood_refused": round(float(np.mean(np.array(values("real_ood", per_s)) < thr)), 3),
                     "acted_on_refused": sum(v < thr for v in summary[per_s]["acted_on"]),
                     "flite_in_refused": round(float(np.mean(np.array(values("flite_in", per_s)) < thr)), 3),
                     "espeak_in_refused": round(float(np.mean(np.array(values("espeak_in", per_s)) < thr)), 3)}
        for thr in (-1.6, -1.8, -2.0, -2.2)} if values("real_ood", per_s) else {}
    share = "open_in_vocab"
    summary[share]["below_half"] = {name: round(float(np.mean(np.array(values(name, share)) < 0.5)), 3)
                                    for name in sets if values(name, share)}
    return summary


def write(out: dict[str, Any], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    for signal, s in out["summary"].items():
        print(signal, json.dumps({k: v for k, v in s.items() if k != "acted_on"}))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
