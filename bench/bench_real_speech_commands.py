"""Real people saying things the assistant does not do: what does the whole spoken path answer?

    .venv/bin/python bench/bench_real_speech_commands.py [--data ../shared/data/real-speech] [--limit N]
        ->  bench/results/real_speech_commands.json

Every recording in the shared real-speech set that is a request or sentence (the Picovoice coffee
orders, the CMU Sphinx test sentences, cards, numbers and "go forward"; not the one-word wake-word
clips) is one push-to-talk turn of the real conversation engine (endpointer, PocketSphinx, the
vocabulary gate, a real Rasa server, the router; no library needed), fed at file speed. None of them
is a music request, so the right answer is the fallback ("Sorry, I didn't understand that"). Reported:
how many got it, how many got a reply that does nothing ("Okay.", a greeting, help), how many were
taken for a command that does something (plays, stops, waits for a hum), and how many were heard as
silence, noise, melody or too long. The same recordings' words are scored by bench_asr.py; this is what the user hears
back. Skips cleanly when the shared data is absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DATA = ROOT.parent / "shared" / "data" / "real-speech"
RESULTS = ROOT / "bench" / "results" / "real_speech_commands.json"
#: The right answer to an out-of-domain request.
REFUSALS = frozenset({"router.fallback"})
NOT_HEARD = frozenset({"router.timeout", "conversation.noise", "conversation.too_long",
                       "conversation.melody_unasked"})
#: Replies that start something or change what is playing: the wrong answers that cost the user.
ACTIONS = frozenset({"play.playing", "play.playing_collection", "play.similar", "play.not_found",
                     "identify.prompt", "router.stopped", "router.paused", "router.resumed", "router.goodbye",
                     "router.not_installed"})


def recordings(data: Path, limit: int = 0) -> list[dict[str, str]]:
    """The manifest's sentences and requests (not the one-word keyword clips)."""
    with (data / "manifest.tsv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")
                if r["file"].endswith(".wav") and not r["file"].startswith("picovoice_wakeword/")]
    return rows[:limit] if limit else rows


def outcome(reply_key: str) -> str:
    if reply_key in REFUSALS:
        return "fallback"
    if reply_key in NOT_HEARD:
        return "not_heard"
    return "acted" if reply_key in ACTIONS else "no_action"  # "Okay.", a greeting, help: wrong but harmless


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the real-speech folder (with manifest.tsv)")
    parser.add_argument("--limit", type=int, default=0, help="recordings to use (0 = all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (args.data / "manifest.tsv").is_file():
        print(f"skipped: no real-speech data at {args.data}")
        return 0

    from bench_intent_e2e import machine
    from tqdm import tqdm

    from assistant.audio.file_source import read_audio_file
    from assistant.conversation import AssistantConfig, Conversation, FileOutput, build_assistant

    rows = recordings(args.data, args.limit)
    assistant = build_assistant(AssistantConfig.from_env(use_library=False), progress=True)
    if assistant.nlu is None or assistant.recognizer is None:
        print("cannot run: " + "; ".join(assistant.problems()), file=sys.stderr)
        return 1
    items: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="humdinger-real-speech-") as tmp:
            conv = Conversation(assistant, FileOutput(tmp))
            for r in tqdm(rows, desc="real recordings as turns", unit="turn"):
                conv.router.awaiting = None  # each recording on its own
                conv.router.state.active_skill = None
                clip = read_audio_file(args.data / r["file"])
                rec = conv.audio_turn(clip.chunks())
                key = rec.replies[0].key if rec.replies else "none"
                items.append({"file": r["file"], "said": r["reference_transcript"] or r["note"],
                              "duration_s": round(clip.duration_s, 2), "asr_text": (rec.asr or {}).get("text", ""),
                              "intent": (rec.nlu or {}).get("intent"), "confidence": (rec.nlu or {}).get("confidence"),
                              "reply": key, "outcome": outcome(key)})
    finally:
        assistant.close()
    counts = Counter(x["outcome"] for x in items)
    by_source: dict[str, dict[str, int]] = {}
    for x in items:
        src = x["file"].split("/")[0] if "/" in x["file"] else x["file"].split("__")[0]
        by_source.setdefault(src, Counter())[x["outcome"]] += 1  # type: ignore[index]
    result = {"benchmark": "real_speech_commands", "machine": machine(), "data": str(args.data),
              "n": len(items), "elapsed_s": round(time.perf_counter() - t0, 1),
              "outcomes": {k: counts.get(k, 0) for k in ("fallback", "no_action", "acted", "not_heard")},
              "fallback_rate": round(counts.get("fallback", 0) / max(1, len(items)), 3),
              "replies": dict(Counter(x["reply"] for x in items if x["outcome"] != "fallback").most_common()),
              "by_source": {k: dict(v) for k, v in by_source.items()}, "turns": items}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(items)} real out-of-domain recordings: {result['outcomes']} (fallback rate {result['fallback_rate']})")
    print(f"other replies: {result['replies']}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
