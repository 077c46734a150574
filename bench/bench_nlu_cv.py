"""Validate the Rasa project and cross-validate its intent classifier (text in, no speech).

    .venv/bin/python bench/bench_nlu_cv.py [--folds 5] [--without-asr-variants]
        ->  bench/results/nlu_cv.json  (+ Rasa's own reports under bench/results/nlu_cv/)

Runs ``rasa data validate`` and ``rasa test nlu --cross-validation`` from .venv-rasa on a copy of
nlu_data/ (Rasa writes beside its inputs). ``--without-asr-variants`` leaves out the generated file of
recogniser confusions (scripts/augment_nlu_with_asr.py), to score the hand-written examples alone.
Rasa's cross-validation scores the intent classifier's own prediction (the FallbackClassifier's
``nlu_fallback`` does not appear in its reports). Target: intent F1 >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "nlu_cv.json"
REPORTS = ROOT / "bench" / "results" / "nlu_cv"


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--without-asr-variants", action="store_true",
                        help="leave the generated ASR-variant examples out")
    parser.add_argument("--variants", type=Path, default=None,
                        help="use this generated ASR-variant file instead of nlu_data's (to compare selections)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--reports", type=Path, default=REPORTS)
    args = parser.parse_args(argv)

    from assistant.asr.phrases import ASR_VARIANTS_FILE
    from assistant.nlu import NluConfig
    from assistant.nlu.asr_augment import training_examples
    from assistant.nlu.training import project_hash, rasa_env, require_rasa

    cfg = NluConfig.from_env()
    rasa = str(require_rasa(config=cfg))
    env = rasa_env(config=cfg)
    with tempfile.TemporaryDirectory(prefix="humdinger-nlu-cv-") as tmp:
        project = Path(tmp) / "nlu_data"
        shutil.copytree(cfg.project_dir, project, ignore=shutil.ignore_patterns(
            *([ASR_VARIANTS_FILE] if args.without_asr_variants else []), "results", "models", ".rasa"))
        if args.variants is not None and not args.without_asr_variants:
            shutil.copy(args.variants, project / "data" / ASR_VARIANTS_FILE)
        n_examples = len(training_examples(project / "data", exclude=()))
        variants_included = (project / "data" / ASR_VARIANTS_FILE).is_file()
        t0 = time.perf_counter()
        rc_validate, out_validate = _run([rasa, "data", "validate", "--data", "data", "--domain", "domain.yml",
                                          "--config", "config.yml"], cwd=project, env=env)
        validate_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rc_cv, out_cv = _run([rasa, "test", "nlu", "--nlu", "data", "--config", "config.yml", "--cross-validation",
                              "--folds", str(args.folds), "--out", "results"], cwd=project, env=env)
        cv_s = time.perf_counter() - t0
        if rc_cv != 0:
            print(out_cv[-4000:], file=sys.stderr)
            print(f"error: rasa test nlu failed (exit {rc_cv})", file=sys.stderr)
            return 1
        report = json.loads((project / "results" / "intent_report.json").read_text())
        args.reports.mkdir(parents=True, exist_ok=True)
        for name in ("intent_report.json", "intent_errors.json"):
            if (project / "results" / name).is_file():
                shutil.copy(project / "results" / name, args.reports / name)
        data_hash = project_hash(project_dir=project)

    warnings = [line.strip() for line in out_validate.splitlines() if "UserWarning" in line or "WARNING" in line]
    per_intent = {k: {m: round(float(v[m]), 4) for m in ("precision", "recall", "f1-score", "support")}
                  for k, v in report.items() if isinstance(v, dict) and "f1-score" in v
                  and k not in ("macro avg", "weighted avg", "micro avg")}
    result: dict[str, Any] = {
        "benchmark": "nlu_cross_validation",
        "folds": args.folds,
        "asr_variants_included": variants_included,
        "asr_variants_file": str(args.variants) if args.variants else None,
        "nlu_data_hash": data_hash,
        "examples": n_examples,
        "validate": {"exit_code": rc_validate, "warnings": warnings[:50], "seconds": round(validate_s, 1)},
        "intent": {"accuracy": round(float(report.get("accuracy", 0.0)), 4),
                   "f1_macro": round(float(report["macro avg"]["f1-score"]), 4),
                   "f1_weighted": round(float(report["weighted avg"]["f1-score"]), 4),
                   "per_intent": per_intent},
        "target_f1": 0.95,
        "seconds": round(cv_s, 1),
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version()},
    }
    result["meets_target"] = result["intent"]["f1_weighted"] >= 0.95 and rc_validate == 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    i = result["intent"]
    print(f"rasa data validate: exit {rc_validate}, {len(warnings)} warning line(s)")
    print(f"{args.folds}-fold cross-validation on {n_examples} examples: intent F1 weighted {i['f1_weighted']:.3f}, "
          f"macro {i['f1_macro']:.3f}, accuracy {i['accuracy']:.3f} ({cv_s:.0f} s); wrote {args.out}")
    return 0 if rc_validate == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
