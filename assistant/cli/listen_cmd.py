"""``humdinger listen``: the voice assistant live on the microphone and speaker."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

__all__ = ["register", "run"]


def _device(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "listen", help="talk to the assistant live (microphone and speaker)",
        description="Waits for Enter (push-to-talk, the default) or, with --wake-word, for the wake phrase "
                    "(WakeWordConfig.phrase, 'hey humdinger'; bench/results/wake.json shows it misses and false-wakes "
                    "too often to be the default yet); then listens to a command, answers, and keeps listening for a "
                    "hum or a follow-up. Without audio devices use 'humdinger converse'. Ctrl-C ends.")
    p.add_argument("--input-device", type=_device, default=None,
                   help="microphone: sounddevice index or name part (default: DeviceConfig.device, the system's)")
    p.add_argument("--output-device", type=_device, default=None,
                   help="speaker: sounddevice index or name part (default: DeviceConfig.device, the system's)")
    p.add_argument("--wake-word", action="store_true", help="listen for the wake phrase instead of waiting for Enter")
    p.add_argument("--push-to-talk", action="store_true", help="press Enter to talk (the default; kept for scripts)")
    p.add_argument("--no-library", action="store_true", help="run without the song library")
    p.add_argument("--no-echo-cancel", action="store_true",
                   help="do not take the assistant's own music out of the microphone (SpeexDSP echo canceller; "
                        "on by default, so 'stop' is heard over the music)")
    p.set_defaults(func=run)


def _microphone(cfg: Any, *, echo_cancel: bool) -> tuple[Any, Any]:
    """(the chunk stream to listen to, the echo reference the music player feeds, or None)."""
    from assistant.audio.devices import MicrophoneSource
    from assistant.audio.echo import EchoReference, SpeexEchoCanceller, cancel_echo
    from assistant.audio.errors import SpeechEngineError

    mic = MicrophoneSource(cfg.input_device)
    if not (echo_cancel and cfg.echo.enabled):
        return mic, None
    try:
        canceller = SpeexEchoCanceller(cfg.echo)
    except SpeechEngineError as exc:
        print(f"humdinger listen: warning: no echo cancellation ({exc}); 'stop' over loud music may not be heard",
              file=sys.stderr)
        return mic, None
    reference = EchoReference(cfg.echo.sample_rate_hz, keep_s=cfg.echo.keep_s)
    return cancel_echo(mic, reference, capture_time=mic.capture_time, config=cfg.echo, canceller=canceller), reference


def _push_to_talk_keys(ptt: Any) -> None:
    for _ in sys.stdin:
        ptt.press()


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from assistant.audio.devices import find_device
    from assistant.audio.errors import NoAudioDeviceError
    from assistant.conversation import AssistantConfig, Conversation, DeviceOutput, build_assistant
    from assistant.conversation.live import run_live
    from assistant.wake import PushToTalk

    cfg = AssistantConfig.from_env(use_library=not args.no_library)
    cfg = cfg.with_devices(input_device=cfg.input_device.device if args.input_device is None else args.input_device,
                           output_device=cfg.output_device.device if args.output_device is None
                           else args.output_device)
    try:
        find_device("input", config=cfg.input_device)
        find_device("output", config=cfg.output_device)
    except NoAudioDeviceError as exc:
        print(f"humdinger listen: {exc}.\nWithout a microphone or speaker, run the same assistant from WAV files: "
              "humdinger converse --script S.yaml --out DIR", file=sys.stderr)
        return 1
    push_to_talk = args.push_to_talk or not args.wake_word
    mode = "push_to_talk" if push_to_talk else "keyphrase"
    cfg = replace(cfg, conversation=replace(cfg.conversation, wake_mode=mode))
    print("starting the assistant (speech recognition, Rasa, library) ...", file=sys.stderr)
    push = PushToTalk() if push_to_talk else None
    assistant = build_assistant(cfg, progress=True, wake=push) if push else build_assistant(cfg, progress=True)
    with assistant:
        for problem in assistant.problems():
            print(f"humdinger listen: warning: {problem}", file=sys.stderr)
        wake = assistant.wake
        if wake is None:
            print("humdinger listen: the wake word is unavailable; run without --wake-word (push-to-talk)",
                  file=sys.stderr)
            return 1
        if isinstance(wake, PushToTalk):
            threading.Thread(target=_push_to_talk_keys, args=(wake,), daemon=True).start()
        chunks, reference = _microphone(cfg, echo_cancel=not args.no_echo_cancel)
        output = DeviceOutput(cfg.output_device, echo_reference=reference)
        conversation = Conversation(assistant, output, skip_own_speech=True)
        hint = "press Enter, then talk" if push_to_talk else f"say {cfg.wake.phrase!r}"
        print(f"ready in {assistant.startup_s.get('total', 0):.1f} s: {hint} (Ctrl-C to quit)", file=sys.stderr)

        def show(rec: Any) -> None:
            d = rec.to_dict()
            print(f"you: {d['asr_text'] or '(no words)'}  ->  {d['reply_text'] or '(no reply)'}"
                  + (f"  ! {d['error']}" if d["error"] else ""), flush=True)

        try:
            run_live(conversation, chunks, wake=wake, on_turn=show)
        except NoAudioDeviceError as exc:
            print(f"humdinger listen: {exc}; without audio devices use 'humdinger converse'", file=sys.stderr)
            return 1
        finally:
            output.close()
    return 0
