"""Choose how the recogniser's N best word sequences and Rasa's parses of each make one intent, on a
DEVELOPMENT set: the assistant's own NLU examples spoken by espeak-ng voices that the intent benchmark
never uses. The held-out commands of bench_intent_e2e.py stay untouched until a rule is chosen.

    .venv/bin/python bench/nbest_dev.py [--limit 150] [--nbest 8]  ->  bench/results/nbest_dev.json

Per utterance it keeps the transcript, its alternatives with their path scores, and Rasa's intent ranking
for each distinct alternative; then scores, for each (alternatives used N, posterior sharpness alpha), the
rule of :func:`combine_parses`: the intent distributions of the N alternatives weighted by
``softmax(alpha * log_score)``, then Rasa's own fallback rule on the mixture (alpha = inf is the one-best
transcript); and of :func:`cascade`: the one-best parse unless it is a fallback or below ``min_conf``,
else the first alternative whose parse is confident. "oracle" counts an utterance right when any of the
N parses is right. ``--rescore`` scores the rules again on a JSON this script wrote, without decoding.

Result (session 9, 150 examples x clean / 10 dB): no rule beat the one-best transcript by more than
2 points (1-3 utterances), the mixtures lost up to 17 points (splitting the probability mass makes Rasa's
fallback rule refuse), while the oracle over 8 alternatives is 0.87 / 0.73 against 0.69 / 0.50: the
right words are often in the list, but neither the recogniser's scores nor Rasa's confidence can tell
which. Most errors are confident wrong intents from wrong words, not fallbacks. So N-best is not used.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_intent_e2e import machine, same_intent

from assistant.asr.types import Alternative
from assistant.nlu.types import FALLBACK_INTENT, NluResult

RESULTS = ROOT / "bench" / "results" / "nbest_dev.json"
ALPHAS = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0, math.inf)
NS = (1, 2, 3, 5, 8)
MIN_CONFS = (0.7, 0.9, 0.95)
FALLBACKS = frozenset({FALLBACK_INTENT, "out_of_scope"})


def posterior_weights(log_scores: Sequence[float], *, alpha: float) -> list[float]:
    """``softmax(alpha * log_scores)``; ``alpha = inf`` puts all weight on the best score (the first of
    equals), scores of ``-inf`` get none unless every score is ``-inf`` (then all weigh the same)."""
    if not log_scores:
        return []
    finite = [s for s in log_scores if math.isfinite(s)]
    if not finite:
        return [1.0 / len(log_scores)] * len(log_scores)
    top = max(finite)
    if math.isinf(alpha):
        first = next(i for i, s in enumerate(log_scores) if s == top)
        return [1.0 if i == first else 0.0 for i in range(len(log_scores))]
    raw = [math.exp(alpha * (s - top)) if math.isfinite(s) else 0.0 for s in log_scores]
    total = sum(raw)
    return [r / total for r in raw]


def _distribution(res: NluResult) -> dict[str, float]:
    """Rasa's intent ranking without the fallback's own entry (it is re-decided on the mixture)."""
    ranked = {name: conf for name, conf in res.ranking if name != FALLBACK_INTENT}
    if not ranked and res.intent != FALLBACK_INTENT:
        ranked = {res.intent: res.confidence}
    return ranked


def combine_parses(one_best: NluResult, alternatives: Sequence[Alternative], parses: Mapping[str, NluResult], *,
                   alpha: float, threshold: float, ambiguity: float) -> NluResult:
    """The intent of the weighted mixture of ``parses`` (by alternative text) over ``alternatives``.

    Returns ``one_best`` unchanged when there is nothing to mix (no alternatives with a parse, or
    ``alpha = inf``). Otherwise the result carries the mixture's intent, its probability as confidence and
    its ranking; text and entities come from the heaviest alternative whose own parse has that intent (or
    the heaviest alternative overall when the mixture falls back)."""
    usable = [a for a in alternatives if a.text in parses]
    if not usable or math.isinf(alpha):
        return one_best
    weights = posterior_weights([a.log_score for a in usable], alpha=alpha)
    mixture: dict[str, float] = {}
    for a, w in zip(usable, weights, strict=True):
        for name, conf in _distribution(parses[a.text]).items():
            mixture[name] = mixture.get(name, 0.0) + w * conf
    ranking = sorted(mixture.items(), key=lambda kv: -kv[1])
    if not ranking:
        return one_best
    best, p = ranking[0]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    confident = p >= threshold and p - second >= ambiguity
    intent = best if confident else FALLBACK_INTENT
    order = sorted(zip(usable, weights, strict=True), key=lambda aw: -aw[1])
    source = next((parses[a.text] for a, _ in order if parses[a.text].intent == intent), parses[order[0][0].text])
    ranked = ((FALLBACK_INTENT, threshold),) + tuple(ranking) if not confident else tuple(ranking)
    return replace(source, intent=intent, confidence=p if confident else threshold, ranking=ranked)


def cascade(one_best: NluResult, alternatives: Sequence[Alternative], parses: Mapping[str, NluResult], *,
            min_conf: float) -> NluResult:
    """The one-best parse when it is a confident intent; else the first alternative's that is; else it."""
    for res in [one_best, *(parses[a.text] for a in alternatives if a.text in parses)]:
        if res.intent not in FALLBACKS and res.confidence >= min_conf:
            return res
    return one_best


def fallback_rule(project_dir: Path) -> tuple[float, float]:
    """``(threshold, ambiguity_threshold)`` of the Rasa project's ``FallbackClassifier`` (Rasa's
    defaults, 0.3 and 0.1, where the pipeline has none or sets none)."""
    import yaml

    doc = yaml.safe_load((project_dir / "config.yml").read_text(encoding="utf-8")) or {}
    for comp in doc.get("pipeline") or ():
        if isinstance(comp, dict) and comp.get("name") == "FallbackClassifier":
            return float(comp.get("threshold", 0.3)), float(comp.get("ambiguity_threshold", 0.1))
    return 0.3, 0.1



def score_rules(items: list[dict[str, Any]], *, threshold: float, ambiguity: float) -> dict[str, Any]:
    """Intent accuracy of every (N, alpha) rule and the oracle, per condition."""
    out: dict[str, Any] = {}
    for cond in sorted({x["condition"] for x in items}):
        its = [x for x in items if x["condition"] == cond]
        one_best = sum(same_intent(x["expected"], x["one_best"]["intent"]) for x in its) / len(its)
        rows: dict[str, Any] = {"n": len(its), "one_best_transcript": round(one_best, 4)}
        for n in NS:
            oracle = 0
            by_alpha: dict[str, float] = {}
            for alpha in ALPHAS:
                right = 0
                for x in its:
                    alts = [Alternative(a["text"], a["log_score"]) for a in x["alternatives"][:n]]
                    parses = {t: NluResult.from_dict(p) for t, p in x["parses"].items()}
                    one = NluResult.from_dict(x["one_best"])
                    got = combine_parses(one, alts, parses, alpha=alpha, threshold=threshold, ambiguity=ambiguity)
                    right += same_intent(x["expected"], got.intent)
                by_alpha[str(alpha)] = round(right / len(its), 4)
            for x in its:
                texts = [x["one_best"]["text"]] + [a["text"] for a in x["alternatives"][:n]]
                oracle += any(same_intent(x["expected"], x["parses"].get(t, x["one_best"])["intent"]) for t in texts)
            by_conf: dict[str, float] = {}
            for min_conf in MIN_CONFS:
                right = 0
                for x in its:
                    alts = [Alternative(a["text"], a["log_score"]) for a in x["alternatives"][:n]]
                    parses = {t: NluResult.from_dict(p) for t, p in x["parses"].items()}
                    got = cascade(NluResult.from_dict(x["one_best"]), alts, parses, min_conf=min_conf)
                    right += same_intent(x["expected"], got.intent)
                by_conf[str(min_conf)] = round(right / len(its), 4)
            rows[f"N={n}"] = {"mixture_by_alpha": by_alpha, "cascade_by_min_conf": by_conf,
                              "oracle": round(oracle / len(its), 4)}
        out[cond] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=150, help="NLU examples to speak (an even spread)")
    parser.add_argument("--nbest", type=int, default=max(NS), help="alternatives to read off each decode")
    parser.add_argument("--snr-db", type=float, default=10.0)
    parser.add_argument("--background", default="music+noise")
    parser.add_argument("--seed", type=int, default=2000, help="far from the benchmark's and the augmenter's")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rescore", action="store_true", help="score the rules again on --out's items")
    args = parser.parse_args(argv)
    if args.rescore:
        result = json.loads(args.out.read_text())
        c = result["config"]
        result["rules"] = score_rules(result["items"], threshold=c["fallback_threshold"],
                                      ambiguity=c["fallback_ambiguity"])
        return _write(result, args.out)

    from speech_corpus import (
        SpeechCorpusConfig,
        background_pool,
        make_background,
        mix_at_snr,
        spoken_variants,
    )
    from tqdm import tqdm

    from assistant.asr.phrases import normalize_text
    from assistant.audio.chunk import AudioClip
    from assistant.conversation import AssistantConfig, build_assistant
    from assistant.conversation.capture import capture_utterance
    from assistant.nlu.asr_augment import AsrAugmentConfig, training_examples

    examples = training_examples(ROOT / "nlu_data")
    examples = examples[:: max(1, len(examples) // args.limit)][: args.limit]
    speakers = replace(SpeechCorpusConfig(), voices=AsrAugmentConfig().voices)
    pool = background_pool(seed=args.seed)
    cfg = AssistantConfig.from_env(use_library=False)
    cfg = replace(cfg, asr=replace(cfg.asr, pocketsphinx=replace(cfg.asr.pocketsphinx, nbest=args.nbest)))
    assistant = build_assistant(cfg, progress=True)
    if assistant.nlu is None or assistant.recognizer is None:
        print("cannot run: " + "; ".join(assistant.problems()), file=sys.stderr)
        return 1
    conv = cfg.conversation
    noisy_name = f"snr{args.snr_db:g}db_{args.background}"
    items: list[dict[str, Any]] = []
    parse_s: list[float] = []
    t0 = time.perf_counter()
    try:
        for i, (intent, text) in enumerate(tqdm(examples, desc="speaking NLU examples (dev voices)", unit="ex")):
            seed = args.seed + i
            (y, spec), = spoken_variants(text, n=1, seed=seed, config=speakers)
            noisy = mix_at_snr(y, make_background(args.background, len(y), pool=pool, seed=seed),
                               snr_db=args.snr_db, seed=seed)
            for cond, audio in (("clean", y), (noisy_name, noisy)):
                cap = capture_utterance(AudioClip(audio).chunks(chunk_s=conv.file_source.chunk_s), config=conv.speech,
                                        recognizer=assistant.recognizer, recognise_max_length=True,
                                        speculate_after_s=conv.speculate_after_s)
                tr = cap.transcript
                heard = normalize_text(tr.text) if tr is not None else ""
                alts = [a.to_dict() | {"text": normalize_text(a.text)} for a in (tr.alternatives if tr else ())]
                parses: dict[str, Any] = {}
                for t in dict.fromkeys([heard] + [a["text"] for a in alts]):
                    if t:
                        t1 = time.perf_counter()
                        parses[t] = assistant.nlu.parse(t).to_dict()
                        parse_s.append(time.perf_counter() - t1)
                one = parses.get(heard) or {"text": "", "intent": "nlu_fallback", "confidence": 0.0}
                items.append({"said": text, "expected": intent, "voice": spec.name, "condition": cond,
                              "heard": heard, "one_best": one, "alternatives": alts, "parses": parses})
    finally:
        assistant.close()
    project = assistant.config.nlu.project_dir
    threshold, ambiguity = fallback_rule(project)  # the Rasa project's FallbackClassifier, mirrored
    result = {"benchmark": "nbest_dev", "machine": machine(),
              "config": {"examples": len(examples), "nbest": args.nbest, "snr_db": args.snr_db,
                         "background": args.background, "seed": args.seed, "voices": list(speakers.voices),
                         "fallback_threshold": threshold, "fallback_ambiguity": ambiguity,
                         "nlu_project": str(project.relative_to(ROOT))},
              "seconds": round(time.perf_counter() - t0, 1),
              "rasa_parse_ms_p50": round(1000 * sorted(parse_s)[len(parse_s) // 2], 1) if parse_s else None,
              "rules": score_rules(items, threshold=threshold, ambiguity=ambiguity), "items": items}
    return _write(result, args.out)


def _write(result: dict[str, Any], out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    for cond, rows in result["rules"].items():
        print(cond, "one-best", rows["one_best_transcript"])
        for n in NS:
            print(f"  N={n}", rows[f"N={n}"])
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
