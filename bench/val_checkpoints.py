"""Validation metrics of several checkpoints on ONE training config's validation bank (the same queries
for all), so checkpoints trained on different banks can be compared.

    .venv/bin/python bench/val_checkpoints.py --config music_models/training/configs/stage5_fresh_bank.yaml \\
        music_models/checkpoints/music_space.pt $HUMDINGER_DATA/train/objectives-14.pt \\
        --out bench/results/val_checkpoints_stage5_fresh_bank.json

The bank must exist (``humdinger train --config CFG`` builds it first thing).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoints", type=Path, nargs="+", help="checkpoint files (shipped or working)")
    p.add_argument("--config", type=Path, required=True, help="the training config whose validation bank is used")
    p.add_argument("--out", type=Path, required=True, help="JSON report")
    args = p.parse_args()

    from music_models.corpus import load_corpus
    from music_models.errors import HumdingerError
    from music_models.evaluation.report import machine_info
    from music_models.paths import data_dir
    from music_models.space.checkpoint import load_model
    from music_models.training.bank import FeatureBank
    from music_models.training.run import _pick, load_run_config
    from music_models.training.validation import validate

    cfg = load_run_config(args.config)
    bank_dir = data_dir() / "bank" / cfg.bank_key() / "val"
    if not any(bank_dir.glob("shard-*.npz")):
        raise SystemExit(f"no validation bank at {bank_dir}; 'humdinger train --config {args.config}' builds it")
    bank = FeatureBank.load(bank_dir)
    tunes = {t.tune_id: t for t in _pick(load_corpus(split="val"), cfg.val_tunes, cfg.min_tune_s)}
    report: dict[str, Any] = {"benchmark": "val_checkpoints", "config": str(args.config), "bank": str(bank_dir),
                              "val_tunes": len(tunes), "bank_items": len(bank.items), "machine": machine_info(),
                              "checkpoints": {}}
    for path in args.checkpoints:
        t0 = time.perf_counter()
        try:
            model, info, _ = load_model(path, verify=False)
        except HumdingerError as exc:
            raise SystemExit(str(exc)) from exc
        metrics = validate(model, bank, tunes)
        report["checkpoints"][str(path)] = {"sha256": info.sha256, "step": info.step,
                                            "metrics": {k: round(float(v), 4) for k, v in metrics.items()},
                                            "seconds": round(time.perf_counter() - t0, 1)}
        print(path, info.step, {k: round(float(v), 4) for k, v in metrics.items()}, flush=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
