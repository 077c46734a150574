"""Real people talking, sent to "what's this song?": how many get ``no_melody``, and does any get a song?

    .venv/bin/python bench/bench_real_speech_identify.py   ->  bench/results/real_speech_identify.json

Every recording in ``../shared/data/real-speech`` (173 files: coffee orders, wake words, card names, read
sentences, digits; skipped cleanly when the folder is absent) is identified against the demo library
(``make demo`` builds it), twice: with the shipped melody gate, and with its "clearly melodic" rule off
(``sure_max_glide_fraction`` 1, ``sure_min_steady_fraction`` 0: a melody that only just passes the gate
may then be a ``match``). Speech should get ``no_melody``; a ``match`` is a false match. The eval's
non-melodic queries are espeak-ng speech, which glides more than people do; this is the check on people.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "data" / "real-speech"
RESULTS = ROOT / "bench" / "results" / "real_speech_identify.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REAL)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    files = sorted(args.data.rglob("*.wav")) if args.data.is_dir() else []
    if not files:
        print(f"no recordings under {args.data}; nothing to measure", file=sys.stderr)
        return 0

    from music_models.library import Library, LibraryConfig
    from music_models.library.audio_files import read_audio_file

    base = LibraryConfig()
    variants = {"shipped": base,
                "clear_rule_off": replace(base, melody=replace(base.melody, sure_max_glide_fraction=1.0,
                                                               sure_min_steady_fraction=0.0))}
    result: dict[str, Any] = {"benchmark": "real_speech_identify", "recordings": len(files),
                              "data": str(args.data), "variants": {}}
    for name, config in variants.items():
        rows = []
        with Library.open(config) as lib:
            lib.warm()
            for f in files:
                audio = read_audio_file(f, max_duration_s=config.max_duration_s)
                r = lib.identify(audio.samples, audio.sample_rate_hz, top_k=3)
                m = r.melody
                rows.append({"file": str(f.relative_to(args.data)), "verdict": r.verdict,
                             "answer": r.results[0].title if r.results else None,
                             "confidence": round(r.results[0].confidence, 3) if r.results else None,
                             "voiced_s": round(m.voiced_s, 2) if m else None,
                             "glide": round(m.glide_fraction, 3) if m else None,
                             "steady": round(m.steady_fraction, 3) if m else None})
        verdicts = Counter(r["verdict"] for r in rows)
        result["variants"][name] = {"verdicts": dict(verdicts), "false_matches": verdicts.get("match", 0),
                                    "false_match_rate": round(verdicts.get("match", 0) / len(rows), 4),
                                    "passed_gate": [r for r in rows if r["verdict"] != "no_melody"]}
        print(name, dict(verdicts))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
