"""Benchmark speech recognition: real-time factor, word accuracy and slot accuracy of PocketSphinx in
each search mode (command grammar, domain trigram LM, stock open LM).

    .venv/bin/python bench/bench_asr.py [--limit N] [--variants K] [--modes grammar,domain_lm,lm]
        ->  bench/results/asr.json

(a) the held-out spoken commands (bench/data/heldout_commands.tsv, phrasings not in nlu_data) spoken by
espeak-ng speakers (voices, rates 130-200 wpm, pitches 30-70), clean and with music + noise behind at
``--snr-db``; slots are the TSV's entities, scored by their spoken words appearing in the transcript.
(b) real people (/work/shared/data/real-speech, skipped when absent): the command-style recordings
(cards, "go forward ten meters", a digit string) with a grammar of that task, read sentences
(LibriVox) and spoken coffee orders (Picovoice, slot values) with the open LM.
The real-time factor is reported as wall time (what a user waits for, on a shared machine) and as CPU
time of the recognising process (independent of other load).
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HELDOUT = ROOT / "bench" / "data" / "heldout_commands.tsv"
SYNONYMS = ROOT / "nlu_data" / "data" / "synonyms.yml"
REAL = Path(os.environ.get("HUMDINGER_REAL_SPEECH", ROOT.parent / "shared" / "data" / "real-speech"))
RESULTS = ROOT / "bench" / "results" / "asr.json"

_RANKS = ("ace", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "jack", "queen", "king")
_DIGITS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def _edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _contains(words: list[str], span: list[str]) -> bool:
    return any(words[i:i + len(span)] == span for i in range(len(words) - len(span) + 1)) if span else False


def _spoken_forms() -> dict[str, list[str]]:
    """Canonical entity value -> the ways it is said (nlu_data synonyms)."""
    import yaml

    from assistant.asr import normalize_text

    doc = yaml.safe_load(SYNONYMS.read_text()) if SYNONYMS.is_file() else {}
    out: dict[str, list[str]] = {}
    for item in (doc or {}).get("nlu", []) or []:
        if "synonym" in item:
            forms = [ln.strip()[1:].strip() for ln in str(item.get("examples", "")).splitlines() if ln.strip()]
            out.setdefault(normalize_text(str(item["synonym"])), []).extend(normalize_text(f) for f in forms)
    return out


def slot_spans(reference: str, entities: str, forms: dict[str, list[str]]) -> list[list[str]]:
    """The words of each expected entity as they are said in ``reference``."""
    from assistant.asr import normalize_text

    ref = normalize_text(reference).split()
    spans = []
    for pair in filter(None, (entities or "").split(";")):
        value = normalize_text(pair.split("=", 1)[1])
        cands = [value, value + "s", value + "es", *forms.get(value, [])]
        found = [c.split() for c in cands if _contains(ref, c.split())]
        spans.append(max(found, key=len) if found else value.split())
    return spans


def _decode(rec: Any, samples: Any) -> tuple[str, float, float, float]:
    from assistant.asr import transcribe
    from assistant.audio import chunks_from_array

    c0, w0 = time.process_time(), time.perf_counter()
    t = transcribe(rec, chunks_from_array(samples, chunk_s=0.1))
    return t.text, time.perf_counter() - w0, time.process_time() - c0, len(samples) / 16000.0


def _score(items: list[dict[str, Any]]) -> dict[str, Any]:
    from assistant.asr import normalize_text

    errs = words = exact = slots_ok = slots_n = 0
    for it in items:
        ref, hyp = normalize_text(it["ref"]).split(), normalize_text(it["hyp"]).split()
        errs += _edit_distance(ref, hyp)
        words += len(ref)
        exact += ref == hyp
        for span in it.get("slots", []):
            slots_n += 1
            slots_ok += _contains(hyp, span)
    wall = [it["wall_s"] / it["audio_s"] for it in items]
    cpu = [it["cpu_s"] / it["audio_s"] for it in items]
    return {"n": len(items), "word_accuracy": round(1 - errs / max(1, words), 4), "wer": round(errs / max(1, words), 4),
            "sentence_accuracy": round(exact / max(1, len(items)), 4),
            "slot_accuracy": round(slots_ok / slots_n, 4) if slots_n else None, "n_slots": slots_n,
            "empty_rate": round(sum(not it["hyp"] for it in items) / max(1, len(items)), 4),
            "rtf_wall_median": round(statistics.median(wall), 4) if wall else None,
            "rtf_wall_p90": round(_pct(wall, 0.9), 4), "rtf_cpu_median": round(statistics.median(cpu), 4) if cpu else None,
            "rtf_cpu_p90": round(_pct(cpu, 0.9), 4)}


def _real_command_phrases() -> Any:
    """A grammar for the real command recordings' tasks (as the PocketSphinx test suite decodes them)."""
    from assistant.asr import PhraseSet

    cards = tuple(f"{r} of {s}" for r in _RANKS for s in ("clubs", "diamonds", "hearts", "spades")) + _RANKS
    templates = ("<card>", "<card> <card>", "<card> <card> <card>", "<card> <card> <card> <card>",
                 "go <direction> <number> meters", *(" ".join(["<digit>"] * k) for k in range(1, 17)))
    return PhraseSet(templates, {"card": cards, "direction": ("forward", "back", "left", "right"),
                                 "number": _RANKS[1:10], "digit": _DIGITS})


def _real_sets(*, max_orders: int) -> dict[str, list[dict[str, Any]]]:
    """Real recordings by task: commands (with a reference), read sentences, coffee orders (slot values)."""
    if not (REAL / "manifest.tsv").is_file():
        return {}
    with (REAL / "manifest.tsv").open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    sets: dict[str, list[dict[str, Any]]] = {"commands": [], "read_sentences": [], "coffee_orders": []}
    for r in rows:
        name, ref = r["file"], r["reference_transcript"].strip()
        if ref and ("cards" in name or "goforward" in name or "vosk-api" in name):
            sets["commands"].append({"file": name, "ref": ref})
        elif ref and "librivox" in name:
            sets["read_sentences"].append({"file": name, "ref": ref})
        elif name.startswith("picovoice_s2i/") and "slots=" in r["note"]:
            slots = json.loads(r["note"].split("slots=", 1)[1])
            sets["coffee_orders"].append({"file": name, "ref": "", "slot_values": [v.strip() for v in slots.values()]})
    sets["coffee_orders"] = sets["coffee_orders"][:max_orders]
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="held-out commands to use (0 = all)")
    parser.add_argument("--variants", type=int, default=1, help="espeak speakers per command")
    parser.add_argument("--modes", default="grammar,domain_lm,lm", help="PocketSphinx modes to compare")
    parser.add_argument("--snr-db", type=float, default=10.0, help="SNR of the noisy condition")
    parser.add_argument("--no-real", action="store_true", help="skip the real-speech recordings")
    parser.add_argument("--real-orders", type=int, default=12, help="real coffee-order recordings to use (of 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from dataclasses import replace

    from speech_corpus import background_pool, make_background, mix_at_snr, spoken_variants
    from tqdm import tqdm

    from assistant.asr import PocketSphinxConfig, PocketSphinxRecognizer, build_phrase_set, normalize_text
    from assistant.audio import read_audio_file

    modes = [m for m in args.modes.split(",") if m]
    with HELDOUT.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    rows = rows[:: max(1, len(rows) // args.limit)][: args.limit] if args.limit else rows
    forms = _spoken_forms()
    pool = background_pool(seed=args.seed)
    clips: list[dict[str, Any]] = []
    for i, r in enumerate(tqdm(rows, desc="speaking held-out commands", unit="cmd")):
        for j, (y, spec) in enumerate(spoken_variants(r["text"], n=args.variants, seed=args.seed + 100 * i)):
            spans = slot_spans(r["text"], r["entities"], forms)
            noise = make_background("music+noise", len(y), pool=pool, seed=args.seed + 100 * i + j)
            noisy = mix_at_snr(y, noise, snr_db=args.snr_db, seed=args.seed + 100 * i + j)
            for cond, audio in (("clean", y), (f"snr{args.snr_db:g}db", noisy)):
                clips.append({"ref": r["text"], "intent": r["intent"], "slots": spans, "voice": spec.name,
                              "condition": cond, "audio": audio})
    phrases = build_phrase_set()
    real = {} if args.no_real else _real_sets(max_orders=args.real_orders)
    real_audio = {it["file"]: read_audio_file(REAL / it["file"]).samples for s in real.values() for it in s}
    real_phrases = _real_command_phrases()
    results: dict[str, Any] = {"espeak": {}, "real": {}}
    examples: dict[str, list[dict[str, str]]] = {}
    for mode in modes:
        cfg = PocketSphinxConfig(mode=mode)
        t0 = time.perf_counter()
        rec = PocketSphinxRecognizer(None if mode == "lm" else phrases, config=cfg)
        load_s = time.perf_counter() - t0
        items: list[dict[str, Any]] = []
        for c in tqdm(clips, desc=f"recognising ({mode})", unit="utt"):
            hyp, wall, cpu, dur = _decode(rec, c["audio"])
            items.append({**{k: v for k, v in c.items() if k != "audio"}, "hyp": hyp, "wall_s": wall, "cpu_s": cpu,
                          "audio_s": dur})
        by_cond: dict[str, Any] = {"load_s": round(load_s, 3)}
        for cond in dict.fromkeys(c["condition"] for c in clips):
            by_cond[cond] = _score([it for it in items if it["condition"] == cond])
        results["espeak"][mode] = by_cond
        examples[mode] = [{"ref": it["ref"], "hyp": it["hyp"], "condition": it["condition"], "voice": it["voice"]}
                          for it in items[:: max(1, len(items) // 12)]]
        if real:
            real_rec = (rec if mode == "lm" else
                        PocketSphinxRecognizer(real_phrases, config=replace(cfg, optional_prefix="")))
            out: dict[str, Any] = {}
            for name, recs in real.items():
                if mode != "lm" and name != "commands":
                    continue  # read sentences and coffee orders are outside any grammar of ours
                its = []
                for it in tqdm(recs, desc=f"real {name} ({mode})", unit="utt"):
                    hyp, wall, cpu, dur = _decode(real_rec, real_audio[it["file"]])
                    spans = [normalize_text(v).split() for v in it.get("slot_values", [])]
                    its.append({"ref": it["ref"] or hyp, "hyp": hyp, "slots": spans, "wall_s": wall, "cpu_s": cpu,
                                "audio_s": dur, "file": it["file"]})
                score = _score(its)
                if name == "coffee_orders":  # no verbatim text: only the slot values are scored
                    score = {k: score[k] for k in ("n", "slot_accuracy", "n_slots", "rtf_wall_median", "rtf_cpu_median")}
                out[name] = {**score, "examples": [{"ref": x["ref"], "hyp": x["hyp"]} for x in its[:6]]}
            results["real"][mode] = out

    def key(m: str) -> tuple[float, float]:
        e = results["espeak"][m]
        conds = [v for k, v in e.items() if k != "load_s"]
        return (statistics.mean(v["slot_accuracy"] or 0 for v in conds), statistics.mean(v["word_accuracy"] for v in conds))

    best = max(modes, key=key)
    result = {
        "benchmark": "asr", "backend": "pocketsphinx", "modes": modes, "best_mode": best,
        "best_by": "mean slot accuracy over clean and noisy espeak commands, then word accuracy",
        "n_commands": len(rows), "variants_per_command": args.variants, "snr_db": args.snr_db,
        "background": "music (FluidSynth-rendered corpus tunes) + pink noise at equal power",
        "espeak": results["espeak"], "real": results["real"], "examples": examples,
        "voices": sorted({c["voice"].split("/")[0] for c in clips}),
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version(), "load_avg_1m": round(os.getloadavg()[0], 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for m in modes:
        for cond, v in results["espeak"][m].items():
            if cond != "load_s":
                print(f"{m:10} espeak {cond:9} words {v['word_accuracy']:.3f}  slots {v['slot_accuracy'] if v['slot_accuracy'] is not None else float('nan'):.3f}  "
                      f"empty {v['empty_rate']:.2f}  RTF wall {v['rtf_wall_median']:.3f} (p90 {v['rtf_wall_p90']:.3f})"
                      f"  cpu {v['rtf_cpu_median']:.3f} (p90 {v['rtf_cpu_p90']:.3f})")
        for name, v in results["real"].get(m, {}).items():
            print(f"{m:10} real   {name:14} words {v.get('word_accuracy', float('nan')):.3f}  "
                  f"slots {v['slot_accuracy'] if v.get('slot_accuracy') is not None else float('nan'):.3f}  RTF cpu {v['rtf_cpu_median']:.3f}")
    print(f"best mode: {best}; {result['machine']['processor']}, {os.cpu_count()} CPUs, "
          f"load {result['machine']['load_avg_1m']} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
