"""The objectives ablation: same data, same budget, objectives 1 / 1+2 / 1+2+3 / 1+2+3+4; and the input
features (HCQT vs log-mel) for one set of objectives.

    .venv/bin/python bench/ablation.py [--steps 800] [--rows 1,12,123,1234,14,14:mel]
        -> bench/results/ablation.json and a markdown table on stdout

A row is a digit string of objectives, optionally ``:mel`` for the log-mel input
(music_models/training/configs/ablation_mel.yaml: the same tunes, renderings, queries, model and budget;
128 mel bands instead of the 144-bin CQT, and no harmonic stacking, which needs a log-frequency axis).

Each row is one ``humdinger train`` run with the shipped configuration
(music_models/training/configs/ablation.yaml = the shipped one on one thread: the same feature bank of train-split tunes, the same
seed and batch sampler) and only the objectives switched; every run gets ``--steps`` steps and is
validated on the same held-out val-split tunes: retrieval MRR / top-1 / top-10 of synthetic queries
against the recordings, how Gaussian the aggregate posterior is (mean |per-dim mean|, per-dim std,
KS statistic and MMD against N(0, I)), and the decoder's note accuracy where it is trained.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ablation.json"
CONFIGS = {"hcqt": ROOT / "music_models" / "training" / "configs" / "ablation.yaml",
           "mel": ROOT / "music_models" / "training" / "configs" / "ablation_mel.yaml"}
COLUMNS = ("val_mrr", "val_top1", "val_top10", "prior_dim_mean_abs_avg", "prior_dim_std_avg", "prior_ks_mean",
           "prior_mmd", "decoder_pitch_acc")


def run_row(objectives: str, steps: int, work_dir: Path, *, features: str = "hcqt") -> dict[str, Any]:
    if features not in CONFIGS:
        raise SystemExit(f"unknown features {features!r} in --rows; use one of {sorted(CONFIGS)}")
    name = f"ablation-{objectives.replace(',', '')}" + ("" if features == "hcqt" else f"-{features}")
    out = work_dir / f"{name}.json"
    if not out.is_file():
        cmd = [str(ROOT / ".venv" / "bin" / "humdinger"), "train", "--config", str(CONFIGS[features]),
               "--objectives", objectives, "--steps", str(steps), "--work", str(work_dir / f"{name}.pt"),
               "--json", str(out)]
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    metrics = json.loads(out.read_text())
    return {"objectives": "+".join(objectives.split(",")), "features": features, "steps": metrics.get("step", steps),
            **{k: metrics.get(k) for k in COLUMNS}}


def markdown(rows: list[dict[str, Any]]) -> str:
    head = "| objectives | features | steps | " + " | ".join(COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 3)]
    for r in rows:
        cells = ["-" if r[k] is None else f"{r[k]:.3f}" for k in COLUMNS]
        lines.append(f"| {r['objectives']} | {r.get('features', 'hcqt')} | {r['steps']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=800, help="training steps per row (default 800)")
    parser.add_argument("--rows", default="1,12,123,1234,14,14:mel",
                        help="rows: objectives as digit strings, ':mel' for the log-mel input "
                             "(default 1,12,123,1234,14,14:mel)")
    args = parser.parse_args(argv)
    from music_models.paths import data_dir

    work = data_dir() / "train" / f"ablation-{args.steps}"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for spec in args.rows.split(","):
        digits, _, features = spec.partition(":")
        rows.append(run_row(",".join(digits), args.steps, work, features=features or "hcqt"))
    report = {"benchmark": "ablation", "steps_per_row": args.steps,
              "configs": {k: str(v.relative_to(ROOT)) for k, v in CONFIGS.items()},
              "rows": rows, "machine": {"processor": platform.processor() or platform.machine(),
                                        "cpu_count": os.cpu_count()}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
