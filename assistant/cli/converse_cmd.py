"""``humdinger converse --script S.yaml --out DIR [--json]``: the voice assistant fed from WAV files.

Each turn of the script is a WAV (speech, a hum, or speech followed by a hum) or typed text. Replies are
spoken to ``DIR/turnNN_reply.wav``, music played to ``DIR/turnNN_music.wav``, and the transcript (per turn:
input, ASR text, intent + confidence, entities, skill, reply, files, timings) to ``DIR/transcript.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]

_EXAMPLE = """script example (paths relative to the script):
  turns:
    - audio: ask.wav        # "hey humdinger, what's this song?" (a hum may follow in the same file)
    - audio: hum.wav        # the melody, when it was not in the previous file
    - text: play it         # typed turn (no speech recognition)
    - audio: stop.wav
      gap_s: 2.0            # seconds since the previous turn (follow-ups need no wake word for a while)
  wake: push_to_talk        # or keyphrase: turns must start with the wake phrase unless a follow-up is due
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "converse", help="run a conversation from WAV files (file mode of the voice assistant)",
        description="Runs the voice assistant on a script of WAV and typed turns. Each WAV is speech, a hum, or "
                    "speech followed by a hum. Replies go to DIR/turnNN_reply.wav, music played to "
                    "DIR/turnNN_music.wav, the transcript to DIR/transcript.json. Uses RASA_URL/RASA_TOKEN and "
                    "QDRANT_URL when set; otherwise starts Rasa locally and opens the local library.",
        epilog=_EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--script", required=True, type=Path, help="conversation script (YAML)")
    p.add_argument("--out", required=True, type=Path, help="folder for reply/music WAVs and transcript.json")
    p.add_argument("--json", action="store_true", help="print the transcript as JSON instead of a summary")
    p.add_argument("--wake", default=None, metavar="MODE",
                   help="push_to_talk or keyphrase: overrides the script's wake mode (default: the script's, "
                        "else the config's)")
    p.add_argument("--no-library", action="store_true", help="run without the song library")
    p.set_defaults(func=run)


def _line(rec: Any) -> str:
    d = rec.to_dict()
    heard = d["asr_text"] if d["asr_text"] is not None else d["input"].get("text", "")
    intent = f"{d['intent']} ({d['confidence']:.2f})" if d["intent"] else "-"
    files = [Path(f).name for fs in d["files"].values() for f in fs]
    return (f"turn {d['index']}: heard {heard!r} -> {intent} -> {d['skill'] or '-'}: {d['reply_text'] or '(no reply)'}"
            + (f"  [{', '.join(files)}]" if files else "") + (f"  ! {d['error']}" if d["error"] else ""))


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from assistant.conversation import (
        AssistantConfig,
        Conversation,
        FileOutput,
        build_assistant,
        load_script,
        run_script,
        summarise,
    )
    from assistant.conversation.config import WAKE_MODES
    from music_models.errors import ConfigError

    script = load_script(args.script)
    if args.wake:
        if args.wake not in WAKE_MODES:
            raise ConfigError(f"--wake must be one of {', '.join(WAKE_MODES)}, got {args.wake!r}")
        script = replace(script, wake=args.wake)
    cfg = AssistantConfig.from_env(use_library=not args.no_library)
    print("starting the assistant (speech recognition, Rasa, library) ...", file=sys.stderr)
    with build_assistant(cfg, progress=True) as assistant:
        for problem in assistant.problems():
            print(f"humdinger converse: warning: {problem}", file=sys.stderr)
        conversation = Conversation(assistant, FileOutput(args.out))
        records = run_script(conversation, script,
                             on_turn=None if args.json else (lambda r: print(_line(r), flush=True)))
        transcript = {"script": script.to_dict(), "startup_s": assistant.startup_s,
                      "problems": assistant.problems(), "summary": summarise(records),
                      "turns": [r.to_dict() for r in records]}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "transcript.json"
    path.write_text(json.dumps(transcript, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(transcript, indent=2, ensure_ascii=False))
    else:
        print(f"wrote {path}")
    return 0
