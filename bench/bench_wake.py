"""Benchmark the wake phrase: misses on spoken "hey humdinger" and false wakes per hour on everything else,
for a sweep of PocketSphinx keyphrase thresholds and phone-loop probabilities; picks the setting with
the fewest misses among those with at most
``--max-false-per-hour`` false wakes.

    .venv/bin/python bench/bench_wake.py [--speakers 16] [--negative-minutes 30] [--thresholds 1e-10,...]
        ->  bench/results/wake.json

Positives: the phrase (alone, or leading a command) said by espeak-ng speakers (voices, 130-200 wpm,
pitch 30-70), clean and with music, babble or music + noise behind at several SNRs. Negatives, each
fed as one continuous stream as an always-on speaker hears it: real people (/work/shared/data/real-speech,
skipped when absent), espeak-spoken commands, chat and near-miss sentences ("hey, hum it for me"), and
FluidSynth-rendered corpus tunes (alone and with chat over them).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
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


def _positives(*, n_speakers: int, seed: int, pool: Any) -> list[dict[str, Any]]:
    from speech_corpus import make_background, mix_at_snr, pad_with_noise, spoken_variants

    out = []
    for k in range(n_speakers):
        text = ("hey humdinger " + FOLLOW_UPS[k % len(FOLLOW_UPS)]).strip()
        (y, spec), = spoken_variants(text, n=1, seed=seed + k)
        y = pad_with_noise(y, lead_s=1.0, tail_s=0.5, floor_rms=0.002, seed=seed + k)
        for bg, snr in POSITIVE_CONDITIONS:
            audio = y if snr is None else mix_at_snr(
                y, make_background(bg, len(y), pool=pool, seed=seed + 31 * k), snr_db=snr, seed=seed + k)
            out.append({"text": text, "voice": spec.name, "condition": bg if snr is None else f"{bg}@{snr:g}dB",
                        "audio": audio})
    return out


def _stream(parts: list[np.ndarray], *, minutes: float, seed: int) -> np.ndarray:
    """Concatenate ``parts`` with short quiet gaps, up to ``minutes``."""
    rng = np.random.default_rng(seed)
    out, total = [], 0
    for p in parts:
        gap = rng.normal(0.0, 0.002, int(rng.uniform(0.3, 1.5) * SR))
        out += [p.astype(np.float32), gap.astype(np.float32)]
        total += len(p) + len(gap)
        if total >= minutes * 60 * SR:
            break
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def _negatives(*, minutes: float, seed: int, pool: Any) -> dict[str, np.ndarray]:
    from speech_corpus import make_background, mix_at_snr, render_music, spoken_variants

    from assistant.audio import read_audio_file

    share = minutes / 4.0
    streams: dict[str, np.ndarray] = {}
    if (REAL / "manifest.tsv").is_file():
        with (REAL / "manifest.tsv").open(newline="") as f:
            files = [r["file"] for r in csv.DictReader(f, delimiter="\t")]
        streams["real_speech"] = _stream([read_audio_file(REAL / fn).samples for fn in files], minutes=share, seed=seed)
    with HELDOUT.open(newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t")]
    texts += list(NEAR_MISSES) * 3
    spoken = [y for i, t in enumerate(texts) for y, _ in spoken_variants(t, n=1, seed=seed + 7 * i)]
    streams["espeak_speech"] = _stream(spoken, minutes=share, seed=seed + 1)
    music = render_music(n_tunes=max(4, int(share * 60 / 45) + 1), seed=seed, max_s=60.0)
    streams["music"] = _stream(music, minutes=share, seed=seed + 2)
    over = streams["music"][: int(share * 60 * SR)]
    chat = make_background("babble", len(over), pool=pool, seed=seed + 3)
    streams["music_with_chat"] = mix_at_snr(chat, over, snr_db=0.0, seed=seed + 4)
    return streams


def _run(threshold: float, plp: float, audio: np.ndarray) -> tuple[int, float]:
    from dataclasses import replace

    from assistant.audio import chunks_from_array
    from assistant.wake import KeyphraseWakeWord, WakeWordConfig

    ww = KeyphraseWakeWord(replace(WakeWordConfig(), kws_threshold=threshold, kws_plp=plp))
    c0 = time.process_time()
    n = len(list(ww.detect(chunks_from_array(audio, chunk_s=0.1))))
    return n, time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", type=int, default=16, help="espeak speakers saying the phrase")
    parser.add_argument("--negative-minutes", type=float, default=30.0, help="minutes of non-phrase audio")
    parser.add_argument("--thresholds", default="1e-2,1e-5,1e-10,1e-20,1e-30")
    parser.add_argument("--plps", default="1e-1,1e-10,1e-30", help="phone-loop probabilities (kws_plp)")
    parser.add_argument("--max-false-per-hour", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from speech_corpus import background_pool
    from tqdm import tqdm

    from assistant.wake import WakeWordConfig

    pool = background_pool(seed=args.seed)
    positives = _positives(n_speakers=args.speakers, seed=args.seed, pool=pool)
    negatives = _negatives(minutes=args.negative_minutes, seed=args.seed, pool=pool)
    neg_hours = sum(len(a) for a in negatives.values()) / SR / 3600.0
    conditions = list(dict.fromkeys(p["condition"] for p in positives))
    sweep = []
    grid = [(float(t), float(p)) for p in args.plps.split(",") for t in args.thresholds.split(",")]
    for thr, plp in grid:
        hits = {c: 0 for c in conditions}
        missed: list[str] = []
        cpu = 0.0
        for p in tqdm(positives, desc=f"phrase @ {thr:g}/{plp:g}", unit="clip"):
            n, c = _run(thr, plp, p["audio"])
            cpu += c
            hits[p["condition"]] += n > 0
            if n == 0:
                missed.append(f"{p['voice']} {p['condition']}: {p['text']}")
        false = {}
        for name, audio in tqdm(negatives.items(), desc=f"non-phrase @ {thr:g}/{plp:g}", unit="stream"):
            n, c = _run(thr, plp, audio)
            cpu += c
            false[name] = n
        per_cond = {c: round(1 - hits[c] / args.speakers, 4) for c in conditions}
        audio_s = sum(len(p["audio"]) for p in positives) / SR + neg_hours * 3600
        sweep.append({"kws_threshold": thr, "kws_plp": plp, "miss_rate": round(1 - sum(hits.values()) / len(positives), 4),
                      "miss_rate_by_condition": per_cond, "false_wakes": false,
                      "false_wakes_per_hour": round(sum(false.values()) / neg_hours, 3),
                      "rtf_cpu": round(cpu / audio_s, 4), "missed_examples": missed[:8]})
    ok = [s for s in sweep if s["false_wakes_per_hour"] <= args.max_false_per_hour]
    chosen = min(ok, key=lambda s: (s["miss_rate"], -s["kws_threshold"])) if ok else None
    result = {
        "benchmark": "wake", "phrase": WakeWordConfig().phrase, "config_default": WakeWordConfig().to_dict(),
        "n_positive_clips": len(positives), "speakers": args.speakers, "conditions": conditions,
        "negative_hours": round(neg_hours, 3),
        "negative_sources_s": {k: round(len(a) / SR, 1) for k, a in negatives.items()},
        "max_false_per_hour": args.max_false_per_hour,
        "chosen": chosen, "sweep": sweep,
        "voices": sorted({p["voice"] for p in positives}),
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version(), "load_avg_1m": round(os.getloadavg()[0], 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for s in sweep:
        print(f"threshold {s['kws_threshold']:8.0e} plp {s['kws_plp']:6.0e}  misses {s['miss_rate']:.3f}  "
              f"false wakes/h {s['false_wakes_per_hour']:6.2f} {s['false_wakes']}  RTF cpu {s['rtf_cpu']:.3f}")
    print(f"{len(positives)} phrase clips, {neg_hours:.2f} h of non-phrase audio; chosen: "
          f"{(chosen['kws_threshold'], chosen['kws_plp']) if chosen else 'none meets the false-wake limit'} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
