"""File mode: a conversation script (YAML) of WAV and typed turns, run through the engine.

    turns:
      - audio: ask.wav          # speech, a hum, or speech followed by a hum (paths relative to the script)
      - audio: hum.wav
        gap_s: 0.5              # seconds since the previous turn ended (default ConversationConfig.default_gap_s)
      - text: play it           # typed input: no ASR
      - audio: stop.wav
    wake: push_to_talk          # or keyphrase: turns must start with the wake phrase unless a follow-up is due
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.conversation.config import WAKE_MODES
from assistant.conversation.engine import Conversation
from assistant.conversation.types import TurnRecord
from music_models.errors import ConfigError, HumdingerError

__all__ = ["Script", "ScriptTurn", "load_script", "run_script", "summarise"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScriptTurn:
    """One turn: ``audio`` (a file path) or ``text``; ``gap_s`` None = the config's default."""

    audio: str | None = None
    text: str | None = None
    gap_s: float | None = None
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScriptTurn:
        return cls(d.get("audio"), d.get("text"), d.get("gap_s"), str(d.get("label", "")))


@dataclass(frozen=True)
class Script:
    path: str
    turns: tuple[ScriptTurn, ...]
    wake: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "turns": [t.to_dict() for t in self.turns], "wake": self.wake}


def _turn(item: Any, i: int, base: Path, where: Path) -> ScriptTurn:
    if isinstance(item, str):  # a bare path
        item = {"audio": item}
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: turn {i} must be a mapping like {{audio: ask.wav}} or {{text: 'play it'}}")
    unknown = sorted(set(item) - {"audio", "text", "gap_s", "label"})
    if unknown:
        raise ConfigError(f"{where}: turn {i} has unknown key(s) {unknown}; use audio, text, gap_s, label")
    has_audio, has_text = item.get("audio") is not None, item.get("text") is not None
    if has_audio == has_text:
        raise ConfigError(f"{where}: turn {i} needs exactly one of 'audio' (a WAV path) or 'text'")
    gap = item.get("gap_s")
    if gap is not None and (not isinstance(gap, (int, float)) or gap < 0):
        raise ConfigError(f"{where}: turn {i} gap_s must be a number >= 0, got {gap!r}")
    audio = str(base / str(item["audio"])) if has_audio else None
    return ScriptTurn(audio, str(item["text"]) if has_text else None, None if gap is None else float(gap),
                      str(item.get("label", "")))


def load_script(path: str | Path) -> Script:
    """Parse and check a script; audio paths are resolved relative to the script's folder."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"script {p} not found; write a YAML file with a 'turns:' list (see 'humdinger converse -h')")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p} is not valid YAML ({exc})") from exc
    if isinstance(doc, list):
        doc = {"turns": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("turns"), list) or not doc["turns"]:
        raise ConfigError(f"{p} needs a non-empty 'turns:' list of {{audio: FILE}} / {{text: TEXT}} items")
    wake = doc.get("wake")
    if wake is not None and wake not in WAKE_MODES:
        raise ConfigError(f"{p}: wake must be one of {', '.join(WAKE_MODES)}, got {wake!r}")
    turns = tuple(_turn(item, i, p.parent, p) for i, item in enumerate(doc["turns"], 1))
    return Script(str(p), turns, wake)


def run_script(conversation: Conversation, script: Script, *,
               on_turn: Callable[[TurnRecord], None] | None = None) -> list[TurnRecord]:
    """Every turn in order; an unreadable turn file is a spoken reason, and the script goes on."""
    from assistant.audio.file_source import read_audio_file

    cfg = conversation.cfg
    wake_mode = script.wake or cfg.wake_mode
    records: list[TurnRecord] = []
    for i, turn in enumerate(script.turns):
        if i:
            conversation.advance(cfg.default_gap_s if turn.gap_s is None else turn.gap_s)
        if turn.text is not None:
            rec = conversation.text_turn(turn.text, info={"kind": "text", "text": turn.text, "label": turn.label})
        else:
            assert turn.audio is not None
            info: dict[str, Any] = {"kind": "audio", "path": turn.audio, "label": turn.label}
            try:
                clip = read_audio_file(turn.audio, config=cfg.file_source)
            except HumdingerError as exc:
                rec = conversation.failed_input_turn(str(exc), info=info)
            else:
                info["duration_s"] = round(clip.duration_s, 3)
                rec = conversation.audio_turn(clip.chunks(chunk_s=cfg.file_source.chunk_s), info=info,
                                              woken_by="push_to_talk" if wake_mode == "push_to_talk" else None)
        records.append(rec)
        if on_turn is not None:
            on_turn(rec)
    return records


def summarise(records: list[TurnRecord]) -> dict[str, Any]:
    """Counts and the median end-of-speech-to-reply over the turns that had one."""
    import statistics

    lat = [r.replies[0].timings_ms["end_of_speech_to_reply"] for r in records
           if r.replies and "end_of_speech_to_reply" in r.replies[0].timings_ms and r.replies[0].trigger == "speech"]
    return {"turns": len(records), "replies": sum(len(r.replies) for r in records),
            "errors": sum(1 for r in records if r.error or any(x.error for x in r.replies)),
            "end_of_speech_to_reply_ms_p50": round(statistics.median(lat), 1) if lat else None}
