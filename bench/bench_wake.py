"""Benchmark the wake phrase: misses on spoken "hey humdinger" and false wakes per hour on everything else,
for the two-stage detector (a permissive PocketSphinx keyphrase search proposes, the phrase verifier accepts).
Thresholds are chosen on a TUNING set and reported on a separate TEST set (other espeak voices and rates,
other real-speech files, other tunes, other babble speakers).

    .venv/bin/python bench/bench_wake.py [--speakers 16] [--tune-minutes 16] [--test-minutes 30]
        [--first-stages 1e-10/1e-15,1e-20/1e-30]   ->  bench/results/wake.json

For each first-stage setting (kws_threshold/kws_plp) every candidate window is scored once
(:class:`assistant.wake.PhraseVerifier`); the second-stage threshold (``min_llr_nats_per_frame``, with the
duration gates at their defaults, and with none) is then swept over the stored scores. The setting with the
fewest tuning misses among those with at most ``--max-false-per-hour`` tuning false wakes is chosen and
re-run end to end through ``KeyphraseWakeWord.detect`` on the test set (``confirmed``).

Positives: the phrase (alone, or leading a command) said by espeak-ng speakers, clean and with music, babble
or music + noise behind at several SNRs. Negatives, each fed as one continuous stream as an always-on speaker
hears it: real people (/work/shared/data/real-speech, split by file between the sets; skipped when absent),
espeak-spoken commands, chat and near-miss sentences ("hey, hum it for me", "a real humdinger of a player"),
FluidSynth-rendered corpus tunes, and chat over music.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HELDOUT = ROOT / "bench" / "data" / "heldout_commands.tsv"
REAL = Path(os.environ.get("HUMDINGER_REAL_SPEECH", ROOT.parent / "shared" / "data" / "real-speech"))
RESULTS = ROOT / "bench" / "results" / "wake.json"
SR = 16000

FOLLOW_UPS = ("", "what's this song", "play some jigs", "stop")
NEAR_MISSES = (
    "hey hum it for me", "hey there I am humming a tune", "those were humdrum days", "hey come and dig here",
    "hey hand me the ginger", "hey how are you doing", "humming birds are tiny", "hey hunting dogs",
    "the hum of the fridge", "hey hummus and ginger", "he is a real humdinger of a player",
)
#: (background, SNR dB); None = clean.
POSITIVE_CONDITIONS: tuple[tuple[str, float | None], ...] = (
    ("clean", None), ("music", 20.0), ("music", 10.0), ("music", 5.0), ("babble", 10.0), ("music+noise", 10.0))
#: Speakers of each set (espeak-ng voices and variants; the tuning set's are SpeechCorpusConfig's defaults).
VOICES = {"tune": ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us+f2", "en-us+m3", "en-gb+f3"),
          "test": ("en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", "en-us+f4", "en-gb+m7", "en-us+klatt2",
                   "en-gb-scotland+f5", "en-029+m1")}
RATES = {"tune": (130, 200), "test": (120, 215)}
LLR_GRID = tuple(round(float(x), 2) for x in np.arange(-3.4, -0.95, 0.1))


def _speech_config(which: str) -> Any:
    from speech_corpus import SpeechCorpusConfig

    return replace(SpeechCorpusConfig(), voices=VOICES[which], rate_wpm_range=RATES[which])


def _positives(which: str, *, n_speakers: int, seed: int, pool: Any) -> list[dict[str, Any]]:
    from speech_corpus import make_background, mix_at_snr, pad_with_noise, spoken_variants

    cfg = _speech_config(which)
    out = []
    for k in range(n_speakers):
        text = ("hey humdinger " + FOLLOW_UPS[k % len(FOLLOW_UPS)]).strip()
        (y, spec), = spoken_variants(text, n=1, seed=seed + k, config=replace(
            cfg, voices=cfg.voices[k % len(cfg.voices):] + cfg.voices[: k % len(cfg.voices)]))
        y = pad_with_noise(y, lead_s=1.0, tail_s=0.5, floor_rms=0.002, seed=seed + k)
        for bg, snr in POSITIVE_CONDITIONS:
            audio = y if snr is None else mix_at_snr(
                y, make_background(bg, len(y), pool=pool, seed=seed + 31 * k), snr_db=snr, seed=seed + k)
            out.append({"text": text, "voice": spec.name, "condition": bg if snr is None else f"{bg}@{snr:g}dB",
                        "audio": audio})
    return out


def _stream(parts: list[np.ndarray], *, minutes: float, seed: int) -> np.ndarray:
    """Concatenate ``parts`` (cycled if needed) with short quiet gaps, up to ``minutes``."""
    rng = np.random.default_rng(seed)
    out, total = [], 0
    while parts and total < minutes * 60 * SR:
        for p in parts:
            gap = rng.normal(0.0, 0.002, int(rng.uniform(0.3, 1.5) * SR))
            out += [p.astype(np.float32), gap.astype(np.float32)]
            total += len(p) + len(gap)
            if total >= minutes * 60 * SR:
                break
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def _negatives(which: str, *, minutes: float, seed: int, pool: Any, music: list[np.ndarray]) -> dict[str, np.ndarray]:
    from speech_corpus import make_background, mix_at_snr, spoken_variants

    from assistant.audio import read_audio_file

    share = minutes / 4.0
    streams: dict[str, np.ndarray] = {}
    parity = 0 if which == "tune" else 1
    if (REAL / "manifest.tsv").is_file():
        with (REAL / "manifest.tsv").open(newline="") as f:
            files = sorted(r["file"] for r in csv.DictReader(f, delimiter="\t"))[parity::2]
        real = [read_audio_file(REAL / fn).samples for fn in files]
        streams["real_speech"] = _stream(real, minutes=min(share, sum(map(len, real)) / SR / 60), seed=seed)
    with HELDOUT.open(newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t")]
    texts += list(NEAR_MISSES) * 3
    cfg = _speech_config(which)
    spoken = [y for i, t in enumerate(texts) for y, _ in spoken_variants(t, n=1, seed=seed + 7 * i, config=cfg)]
    rest = (minutes - len(streams.get("real_speech", ())) / SR / 60) / 3.0
    streams["espeak_speech"] = _stream(spoken, minutes=rest, seed=seed + 1)
    streams["music"] = _stream(music, minutes=rest, seed=seed + 2)
    over = _stream(music[::-1], minutes=rest, seed=seed + 5)
    chat = make_background("babble", len(over), pool=pool, seed=seed + 3)
    streams["music_with_chat"] = mix_at_snr(chat, over, snr_db=0.0, seed=seed + 4)
    return streams


def _scan(ww: Any, audio: np.ndarray) -> tuple[list[tuple[float, Any]], float]:
    """First-stage candidates of one clip/stream with their verifier scores, and the CPU seconds taken."""
    from assistant.audio import chunks_from_array

    trims = ww.config.verifier.end_trims_s
    c0 = time.process_time()
    out = [(c.time_s, ww.verifier.score(c.samples, end_trims_s=trims))
           for c in ww.candidates(chunks_from_array(audio, chunk_s=0.1))]
    return out, time.process_time() - c0


def _count(cands: list[tuple[float, Any]], vcfg: Any, refractory_s: float) -> int:
    from assistant.wake import judge_phrase

    n, last = 0, -1e9
    for t, score in cands:
        if t - last > refractory_s and (not vcfg.enabled or not judge_phrase(score, config=vcfg)):
            n, last = n + 1, t
    return n


def _sweep_point(scanned: dict[str, Any], vcfg: Any, refractory_s: float, conditions: list[str]) -> dict[str, Any]:
    pos, neg, neg_hours = scanned["positives"], scanned["negatives"], scanned["negative_hours"]
    hit = [(_count(c, vcfg, refractory_s) > 0, p) for c, p in pos]
    per_cond = {c: round(1 - np.mean([h for h, p in hit if p["condition"] == c]), 4) for c in conditions}
    false = {name: _count(c, vcfg, refractory_s) for name, c in neg.items()}
    return {"miss_rate": round(1 - float(np.mean([h for h, _ in hit])), 4), "miss_rate_by_condition": per_cond,
            "false_wakes": false, "false_wakes_per_hour": round(sum(false.values()) / neg_hours, 3),
            "missed_examples": [f"{p['voice']} {p['condition']}: {p['text']}" for h, p in hit if not h][:6]}


def _confirm(cfg: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The chosen config end to end through ``detect`` on one set."""
    from assistant.audio import chunks_from_array
    from assistant.wake import KeyphraseWakeWord

    ww = KeyphraseWakeWord(cfg)
    c0 = time.process_time()
    hits = [len(list(ww.detect(chunks_from_array(p["audio"], chunk_s=0.1)))) > 0 for p in data["positives"]]
    false = {n: len(list(ww.detect(chunks_from_array(a, chunk_s=0.1)))) for n, a in data["negatives"].items()}
    audio_s = sum(len(p["audio"]) for p in data["positives"]) / SR + data["negative_hours"] * 3600
    return {"miss_rate": round(1 - float(np.mean(hits)), 4), "false_wakes": false,
            "false_wakes_per_hour": round(sum(false.values()) / data["negative_hours"], 3),
            "rtf_cpu": round((time.process_time() - c0) / audio_s, 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", type=int, default=16, help="espeak speakers saying the phrase, per set")
    parser.add_argument("--tune-minutes", type=float, default=16.0, help="minutes of non-phrase tuning audio")
    parser.add_argument("--test-minutes", type=float, default=30.0, help="minutes of non-phrase test audio")
    parser.add_argument("--first-stages", default="1e-10/1e-15,1e-20/1e-30",
                        help="comma-separated kws_threshold/kws_plp pairs (the permissive first stage)")
    parser.add_argument("--max-false-per-hour", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from speech_corpus import background_pool, render_music
    from tqdm import tqdm

    from assistant.wake import KeyphraseWakeWord, WakeWordConfig

    tunes = render_music(n_tunes=2 * max(4, int(args.test_minutes / 3 * 60 / 60) + 1), seed=args.seed, max_s=60.0)
    data: dict[str, dict[str, Any]] = {}
    for i, which in enumerate(("tune", "test")):
        seed = args.seed + 1000 * i
        pool = background_pool(seed=seed, config=_speech_config(which))
        minutes = args.tune_minutes if which == "tune" else args.test_minutes
        negs = _negatives(which, minutes=minutes, seed=seed, pool=pool, music=tunes[i::2])
        data[which] = {"positives": _positives(which, n_speakers=args.speakers, seed=seed, pool=pool),
                       "negatives": negs, "negative_hours": sum(len(a) for a in negs.values()) / SR / 3600.0}
    conditions = [f"{bg}@{snr:g}dB" if snr is not None else bg for bg, snr in POSITIVE_CONDITIONS]
    base = WakeWordConfig()  # the scan needs the verifier on to score every candidate (it is, by default)
    base = replace(base, verifier=replace(base.verifier, enabled=True))
    no_gates = replace(base.verifier, min_word_s=0.0, max_pause_s=1e9, min_phrase_s=0.0, max_phrase_s=1e9)
    sweep: list[dict[str, Any]] = []
    for pair in args.first_stages.split(","):
        thr, plp = (float(x) for x in pair.split("/"))
        cfg = replace(base, kws_threshold=thr, kws_plp=plp)
        ww = KeyphraseWakeWord(cfg)
        scanned: dict[str, Any] = {}
        for which, d in data.items():
            cpu = 0.0
            pos = []
            for p in tqdm(d["positives"], desc=f"{which} phrase @ {pair}", unit="clip"):
                cands, c = _scan(ww, p["audio"])
                pos.append((cands, p))
                cpu += c
            neg = {}
            for name, audio in tqdm(d["negatives"].items(), desc=f"{which} non-phrase @ {pair}", unit="stream"):
                neg[name], c = _scan(ww, audio)
                cpu += c
            audio_s = sum(len(p["audio"]) for p in d["positives"]) / SR + d["negative_hours"] * 3600
            scanned[which] = {"positives": pos, "negatives": neg, "negative_hours": d["negative_hours"],
                              "candidates_per_hour": round(sum(map(len, neg.values())) / d["negative_hours"], 1),
                              "rtf_cpu": round(cpu / audio_s, 4)}
        first_only = replace(no_gates, enabled=False)  # every candidate accepted: the first stage alone
        for gates, vbase in (("durations", base.verifier), ("none", no_gates)):
            for llr in LLR_GRID + ((-1e9,) if gates == "none" else ()):
                vcfg = replace(vbase if llr > -1e8 else first_only, min_llr_nats_per_frame=llr)
                sweep.append({"kws_threshold": thr, "kws_plp": plp, "gates": gates, "min_llr_nats_per_frame": llr,
                              **{w: _sweep_point(scanned[w], vcfg, cfg.refractory_s, conditions) for w in scanned},
                              "candidates_per_hour": {w: s["candidates_per_hour"] for w, s in scanned.items()},
                              "rtf_cpu_two_stage": {w: s["rtf_cpu"] for w, s in scanned.items()}})
    ok = [s for s in sweep if s["tune"]["false_wakes_per_hour"] <= args.max_false_per_hour]
    chosen = min(ok, key=lambda s: (s["tune"]["miss_rate"], s["tune"]["false_wakes_per_hour"],
                                    -s["min_llr_nats_per_frame"])) if ok else None
    result = {
        "benchmark": "wake", "phrase": base.phrase, "config_default": base.to_dict(),
        "sets": {w: {"voices": list(VOICES[w]), "rate_wpm_range": list(RATES[w]),
                     "n_positive_clips": len(d["positives"]), "negative_hours": round(d["negative_hours"], 3),
                     "negative_sources_s": {k: round(len(a) / SR, 1) for k, a in d["negatives"].items()}}
                 for w, d in data.items()},
        "conditions": conditions, "max_false_per_hour": args.max_false_per_hour,
        "chosen": chosen, "confirmed": None, "sweep": sweep,
        "command": "bench/bench_wake.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version(), "load_avg_1m": round(os.getloadavg()[0], 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for s in sweep:
        if s["gates"] == "durations" or s["min_llr_nats_per_frame"] < -1e8:
            print(f"{s['kws_threshold']:6.0e}/{s['kws_plp']:6.0e} {s['gates']:9s} llr>={s['min_llr_nats_per_frame']:6.2f}"
                  f"  tune misses {s['tune']['miss_rate']:.3f} fw/h {s['tune']['false_wakes_per_hour']:7.2f}"
                  f"  test misses {s['test']['miss_rate']:.3f} fw/h {s['test']['false_wakes_per_hour']:7.2f}", flush=True)
    confirmed = None
    if chosen is not None:
        vbase = base.verifier if chosen["gates"] == "durations" else no_gates
        ccfg = replace(base, kws_threshold=chosen["kws_threshold"], kws_plp=chosen["kws_plp"],
                       verifier=replace(vbase, min_llr_nats_per_frame=chosen["min_llr_nats_per_frame"]))
        print("confirming the chosen setting end to end on the test set...", flush=True)
        confirmed = {"config": ccfg.to_dict(), "test": _confirm(ccfg, data["test"])}
    result["confirmed"] = confirmed
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    hours = {w: round(d["negative_hours"], 2) for w, d in data.items()}
    print(f"non-phrase hours {hours}; chosen on tune: "
          f"{(chosen['kws_threshold'], chosen['kws_plp'], chosen['gates'], chosen['min_llr_nats_per_frame']) if chosen else None}"
          f"; confirmed on test: {confirmed['test'] if confirmed else None} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
