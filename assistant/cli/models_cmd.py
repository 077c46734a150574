"""``humdinger models ...``: the speech models (status, fetch Vosk) and trying the spoken path on files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from assistant.asr.fetch import FetchConfig
    from assistant.asr.sphinx import SPHINX_MODES, PocketSphinxConfig
    from assistant.tts.espeak import EspeakConfig

    fetch_defaults, sphinx_defaults, tts_defaults = FetchConfig(), PocketSphinxConfig(), EspeakConfig()
    parser = sub.add_parser("models", help="speech models: status, fetch Vosk, transcribe or speak to/from files",
                            description="Speech recognition and synthesis models used by the assistant.")
    msub = parser.add_subparsers(dest="models_command", metavar="MODELS_COMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    p = msub.add_parser("status", help="which ASR back-end is active and where its models are")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=_status)

    p = msub.add_parser("fetch", help="download a model (needs internet)")
    p.add_argument("name", choices=["vosk"], help="which model")
    p.add_argument("--url", default=fetch_defaults.vosk_url, help="download address (default: %(default)s)")
    p.add_argument("--timeout-s", type=float, default=fetch_defaults.timeout_s, help="network timeout")
    p.set_defaults(func=_fetch)

    p = msub.add_parser("transcribe", help="recognise a spoken command in an audio file")
    p.add_argument("file", type=Path, help="WAV/FLAC/OGG/MP3 file (any rate, mono or stereo)")
    p.add_argument("--mode", choices=SPHINX_MODES, default=sphinx_defaults.mode,
                   help="PocketSphinx search: the command grammar or the open language model (default: %(default)s)")
    p.add_argument("--title", action="append", default=[], help="a song title to add to the grammar (repeatable)")
    p.add_argument("--json", action="store_true", help="print the transcript as JSON")
    p.set_defaults(func=_transcribe)

    p = msub.add_parser("say", help="speak text with espeak-ng into a 16 kHz WAV file")
    p.add_argument("text", help="what to say")
    p.add_argument("--out", type=Path, required=True, help="WAV file to write")
    p.add_argument("--voice", default=tts_defaults.voice, help="espeak-ng voice (default: %(default)s)")
    p.add_argument("--rate-wpm", type=int, default=tts_defaults.rate_wpm, help="words per minute")
    p.set_defaults(func=_say)


def _status(args: argparse.Namespace) -> int:
    from assistant.asr.factory import AsrConfig
    from assistant.asr.vosk_backend import VOSK_MODEL_ENV, resolve_vosk_model
    from assistant.audio.errors import SpeechModelError

    backend = AsrConfig().resolved_backend()
    info: dict[str, str] = {"asr_backend": backend}
    try:
        import pocketsphinx

        info["pocketsphinx_model"] = str(Path(pocketsphinx.get_model_path()) / "en-us")
    except ImportError:
        info["pocketsphinx_model"] = "pocketsphinx not installed (make setup)"
    try:
        info["vosk_model"] = str(resolve_vosk_model())
    except SpeechModelError as exc:
        info["vosk_model"] = f"not available: {exc}" if backend == "vosk" else f"not configured ({VOSK_MODEL_ENV})"
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for k, v in info.items():
            print(f"{k:20} {v}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from assistant.asr.fetch import FetchConfig, fetch_vosk_model
    from assistant.asr.vosk_backend import VOSK_MODEL_ENV

    path = fetch_vosk_model(config=replace(FetchConfig(), vosk_url=args.url, timeout_s=args.timeout_s))
    print(f"Vosk model ready in {path}\nuse it: export {VOSK_MODEL_ENV}={path}")
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from assistant.asr.factory import AsrConfig, create_recognizer, transcribe
    from assistant.asr.phrases import build_phrase_set
    from assistant.audio.file_source import file_chunks

    chunks = file_chunks(args.file)
    cfg = AsrConfig()
    cfg = replace(cfg, pocketsphinx=replace(cfg.pocketsphinx, mode=args.mode))
    rec = create_recognizer(build_phrase_set(song_titles=args.title), config=cfg)
    result = transcribe(rec, chunks)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.text or "(nothing recognised)")
        print(f"[{result.backend}, {result.duration_s:.2f} s audio, real-time factor {result.real_time_factor:.2f}]")
    return 0


def _say(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from assistant.audio.sinks import write_wav
    from assistant.tts.espeak import EspeakConfig, EspeakTTS

    tts = EspeakTTS(replace(EspeakConfig(), voice=args.voice, rate_wpm=args.rate_wpm))
    path = write_wav(args.out, tts.speak(args.text))
    print(f"wrote {path}")
    return 0
