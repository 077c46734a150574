"""Does a keyword spotter trained only on espeak-ng speech recognise REAL people? An experiment, not a
product component: it decides whether the wake word could be learned from synthetic voices.

    .venv/bin/python bench/kws_synthetic_transfer.py [--keyword computer] [--out bench/results/kws_synthetic_transfer.json]

Training data (all espeak-ng, every English voice x variant, rate 110-220 wpm, pitch 15-85): 1,500
clips of the keyword (alone or inside "hey/ok KEYWORD", "KEYWORD play music") and 3,000 of other
sentences (the held-out commands and near misses such as "commuter train", "computation"), each a
1.2 s window with white or brown noise at 0-30 dB SNR and a random gain. Model: a 4-block CNN on 40 log-mel
bands (~60k parameters), 12 epochs of Adam. Test: the real recordings of bench_wake_real.py (60 people
saying the keyword; 112 other real recordings), scored by the best 1.2 s window (0.1 s hop).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(os.environ.get("HUMDINGER_REAL_SPEECH", ROOT.parent / "shared" / "data" / "real-speech"))
SR, WIN_S, HOP, N_MELS = 16000, 1.2, 160, 40
NEAR_MISSES = ("what time is it", "turn on the lights", "remind me tomorrow", "commuter train", "come here", "cute",
               "computation", "put it there", "complete", "compute", "a cup of tea", "the doctor")


def _voices() -> tuple[list[str], list[str]]:
    def names(arg: str) -> list[str]:
        out = subprocess.run(["espeak-ng", f"--voices={arg}"], capture_output=True, text=True, check=True).stdout
        return [ln.split()[4].split("/")[-1] for ln in out.splitlines()[1:] if not ln.split()[4].startswith("mb/")]

    return names("en"), names("variant")


def _say(text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
    import librosa
    import soundfile as sf

    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", text],
                         capture_output=True, check=True).stdout
    y, sr = sf.read(io.BytesIO(wav), dtype="float32")
    return librosa.resample(y, orig_sr=sr, target_sr=SR)


def _mel(y: np.ndarray) -> np.ndarray:
    import librosa

    m = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=400, hop_length=HOP, n_mels=N_MELS, fmin=60, fmax=7600)
    return np.log(m + 1e-6).astype(np.float32)


def _crop(y: np.ndarray, rnd: random.Random, center: int | None) -> np.ndarray:
    n = int(WIN_S * SR)
    if len(y) < n:
        y = np.pad(y, (n - len(y)) // 2 + 1)
    if center is None:
        s = rnd.randint(0, len(y) - n)
    else:
        s = int(np.clip(center - n // 2 + rnd.randint(-2400, 2400), 0, len(y) - n))
    return y[s:s + n]


def _augment(y: np.ndarray, rnd: random.Random, rng: np.random.Generator) -> np.ndarray:
    y = y * 10 ** (rnd.uniform(-20, 0) / 20)
    if rnd.random() < 0.8:
        noise = rng.standard_normal(len(y)).astype(np.float32)
        if rnd.random() < 0.5:  # brown-ish
            noise = np.cumsum(noise)
            noise -= np.convolve(noise, np.ones(200) / 200, "same")
        power = float(np.mean(y ** 2)) + 1e-9
        y = y + noise * np.sqrt(power / (float(np.mean(noise ** 2)) + 1e-9) / 10 ** (rnd.uniform(0, 30) / 10))
    return y


def _dataset(keyword: str, *, n_pos: int, n_neg: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rnd, rng = random.Random(seed), np.random.default_rng(seed)
    voices, variants = _voices()
    neg_text = [ln.split("\t")[0] for ln in (ROOT / "bench/data/heldout_commands.tsv").read_text().splitlines()[1:]
                if ln.strip()] + list(NEAR_MISSES)
    carriers = (keyword, keyword, f"hey {keyword}", f"{keyword} play music", f"ok {keyword}")
    feats, labels = [], []
    for i in range(n_pos + n_neg):
        voice = f"{rnd.choice(voices)}+{rnd.choice(variants)}"
        rate, pitch = rnd.randint(110, 220), rnd.randint(15, 85)
        if i < n_pos:
            y = np.pad(_say(rnd.choice(carriers), voice, rate, pitch), 4000)
            loud = np.flatnonzero(np.abs(y) > 0.02 * np.abs(y).max())
            window = _crop(y, rnd, (loud[0] + loud[-1]) // 2)
        else:
            window = _crop(np.pad(_say(rnd.choice(neg_text), voice, rate, pitch), 8000), rnd, None)
        feats.append(_mel(_augment(window, rnd, rng)))
        labels.append(1.0 if i < n_pos else 0.0)
    return np.stack(feats)[:, None], np.asarray(labels, dtype=np.float32)


def _net() -> Any:
    from torch import nn

    def block(a: int, b: int) -> nn.Module:
        return nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(), nn.MaxPool2d(2))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(block(1, 16), block(16, 32), block(32, 64), block(64, 64))
            self.out = nn.Linear(64, 1)

        def forward(self, x: Any) -> Any:
            return self.out(self.features(x).amax(dim=(2, 3))).squeeze(1)

    return Net()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keyword", default="computer", choices=("computer", "jarvis"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=ROOT / "bench/results/kws_synthetic_transfer.json")
    args = p.parse_args(argv)
    if not (REAL / "picovoice_wakeword").is_dir():
        print(f"no real-speech recordings at {REAL}; set HUMDINGER_REAL_SPEECH", file=sys.stderr)
        return 2
    import soundfile as sf
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    x, y = _dataset(args.keyword, n_pos=1500, n_neg=3000, seed=args.seed)
    mu, sd = float(x.mean()), float(x.std())
    x_t, y_t = torch.from_numpy((x - mu) / sd), torch.from_numpy(y)
    perm = torch.randperm(len(x_t))
    val, train = perm[:400], perm[400:]
    net = _net()
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    history = []
    for _ in range(12):
        net.train()
        order = train[torch.randperm(len(train))]
        for b in range(0, len(order), 64):
            j = order[b:b + 64]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x_t[j]), y_t[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            history.append(round(float(((net(x_t[val]) > 0) == (y_t[val] > 0.5)).float().mean()), 4))

    def file_score(path: Path) -> float:
        import librosa

        a, sr = sf.read(str(path), dtype="float32", always_2d=False)
        a = a.mean(axis=1) if a.ndim > 1 else a
        a = librosa.resample(a, orig_sr=sr, target_sr=SR) if sr != SR else a
        n = int(WIN_S * SR)
        a = np.pad(a, n // 2)
        wins = np.stack([_mel(a[s:s + n]) for s in range(0, max(1, len(a) - n + 1), 1600)])[:, None]
        with torch.no_grad():
            return float(torch.sigmoid(net(torch.from_numpy((wins - mu) / sd))).max())

    other = "jarvis" if args.keyword == "computer" else "computer"
    pos = np.array([file_score(f) for f in sorted((REAL / "picovoice_wakeword" / args.keyword).glob("*.wav"))])
    neg_files = (sorted((REAL / "picovoice_wakeword" / other).glob("*.wav"))
                 + sorted((REAL / "picovoice_s2i").glob("*.wav")) + sorted(REAL.glob("*.wav")))
    neg = np.array([file_score(f) for f in neg_files])
    rows = {f"{th:.2f}": {"real_detected": round(float(np.mean(pos >= th)), 4),
                          "real_negatives_accepted": int(np.sum(neg >= th))} for th in (0.1, 0.3, 0.5, 0.8, 0.9)}
    report = {"benchmark": "kws_synthetic_transfer", "keyword": args.keyword, "seed": args.seed,
              "train_clips": int(len(x)), "synthetic_val_accuracy_by_epoch": history,
              "real_positives": int(len(pos)), "real_negatives": int(len(neg)), "by_threshold": rows,
              "seconds": round(time.perf_counter() - t0, 1)}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
