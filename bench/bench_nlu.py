"""Benchmark the NLU layer: parse latency against a warm Rasa server, and text-level accuracy on the
held-out spoken-command phrasings (bench/data/heldout_commands.tsv, never seen in training).

    .venv/bin/python bench/bench_nlu.py [--repeats 5]   ->  bench/results/nlu.json

Uses RASA_URL when set, otherwise starts (and, if nlu_data/ changed, trains) the local server.
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

HELDOUT = ROOT / "bench" / "data" / "heldout_commands.tsv"
RESULTS = ROOT / "bench" / "results" / "nlu.json"


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _expected_entities(field: str) -> set[tuple[str, str]]:
    return {tuple(p.split("=", 1)) for p in filter(None, (field or "").split(";"))}  # type: ignore[misc]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="passes over the held-out texts for latency")
    parser.add_argument("--warmup", type=int, default=10, help="parses before timing starts")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from tqdm import tqdm

    from assistant.nlu import NluConfig, RasaServer, find_model

    with HELDOUT.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    cfg = NluConfig.from_env()
    trained_before = cfg.rasa_url is not None or find_model(config=cfg) is not None
    t0 = time.perf_counter()
    with RasaServer(cfg) as server:
        start_s = time.perf_counter() - t0
        client = server.client
        for r in rows[: args.warmup]:
            client.parse(r["text"])
        latencies_ms: list[float] = []
        correct, ent_correct, ent_total, errors = 0, 0, 0, []
        for rep in tqdm(range(args.repeats), desc="parsing held-out commands", unit="pass"):
            for r in rows:
                t = time.perf_counter()
                res = client.parse(r["text"])
                latencies_ms.append((time.perf_counter() - t) * 1000.0)
                if rep:
                    continue
                ok = res.intent == r["intent"]
                correct += ok
                if not ok:
                    errors.append({"text": r["text"], "expected": r["intent"], "got": res.intent,
                                   "confidence": round(res.confidence, 3)})
                want = _expected_entities(r["entities"])
                got = {(e.entity, e.value) for e in res.entities}
                if want or got:
                    ent_total += 1
                    ent_correct += want == got
        model = client.status().get("model_file", "")
    n = len(rows)
    result: dict[str, Any] = {
        "benchmark": "nlu",
        "machine": {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version(), "platform": platform.platform()},
        "server": {"url_mode": "remote" if cfg.rasa_url else "local", "model": Path(str(model)).name,
                   "start_s": round(start_s, 2), "included_training": not trained_before},
        "parse_latency_ms": {"n": len(latencies_ms), "p50": round(statistics.median(latencies_ms), 2),
                             "p90": round(_percentile(latencies_ms, 0.9), 2),
                             "p99": round(_percentile(latencies_ms, 0.99), 2),
                             "mean": round(statistics.fmean(latencies_ms), 2)},
        "heldout_text": {"n": n, "intent_accuracy": round(correct / n, 4),
                         "entity_exact_match": round(ent_correct / ent_total, 4) if ent_total else None,
                         "entity_utterances": ent_total, "errors": errors},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    lat = result["parse_latency_ms"]
    print(f"NLU parse latency (warm, {lat['n']} requests): p50 {lat['p50']} ms, p90 {lat['p90']} ms, "
          f"p99 {lat['p99']} ms on {result['machine']['processor']} x{os.cpu_count()}")
    print(f"held-out text ({n} utterances): intent accuracy {result['heldout_text']['intent_accuracy']:.3f}, "
          f"entity exact match {result['heldout_text']['entity_exact_match']}")
    print(f"server start {start_s:.1f} s{' (including training)' if not trained_before else ''}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
