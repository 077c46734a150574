"""One config for the whole assistant (:class:`AssistantConfig`) and the engine's own limits
(:class:`ConversationConfig`). The composition root builds every component from these."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from assistant.asr.factory import AsrConfig
from assistant.audio.devices import DeviceConfig
from assistant.audio.echo import EchoConfig
from assistant.audio.endpoint import HUM_ENDPOINTER_CONFIG, EndpointerConfig
from assistant.audio.file_source import FileSourceConfig
from assistant.nlu.config import NluConfig
from assistant.router.router import RouterConfig
from assistant.tts.espeak import EspeakConfig
from assistant.wake.keyphrase import WakeWordConfig
from music_models.errors import ConfigError

__all__ = ["WAKE_MODES", "AssistantConfig", "ConversationConfig"]

#: How a turn is addressed to the assistant: every turn is (push-to-talk), or only after the wake phrase.
WAKE_MODES: tuple[str, ...] = ("push_to_talk", "keyphrase")


@dataclass(frozen=True)
class ConversationConfig:
    """Limits and behaviour of the conversation engine.

    ``speech`` endpoints spoken commands, ``hum`` endpoints melodies (≤ 15 s). A command that runs into
    ``speech.max_utterance_s`` is answered "too long" without recognition. ``stop_words`` keep "stop"
    working when the language-understanding server is down.
    """

    speech: EndpointerConfig = field(default_factory=EndpointerConfig)
    hum: EndpointerConfig = HUM_ENDPOINTER_CONFIG
    wake_mode: str = "push_to_talk"
    #: Files of up to an hour are read (a 10-minute input is answered, not refused at the door).
    file_source: FileSourceConfig = field(default_factory=lambda: FileSourceConfig(max_duration_s=3600.0))
    wake_phrase_words: tuple[str, ...] = ("hey", "humdinger")
    stop_words: tuple[str, ...] = ("stop", "stop it", "stop the music", "cancel", "quiet", "be quiet")
    #: Intents that mean "not something I do" (Rasa's out_of_scope): answered like nlu_fallback.
    fallback_intents: tuple[str, ...] = ("out_of_scope",)
    #: Text none of whose content words the assistant's language has is answered as the fallback
    #: without asking Rasa, which is confidently wrong on some real-word nonsense (assistant.nlu.vocabulary).
    vocabulary_gate: bool = True
    #: Live mode: after our own speech, ignore this much more microphone audio (room echo).
    echo_guard_s: float = 0.2
    #: File mode: time between turns when the script does not say (inside the follow-up window).
    default_gap_s: float = 1.0
    #: After this much quiet inside a command (the end needs ``speech.trailing_silence_s``), the recogniser
    #: starts its final decode in the background; if the speaker goes on, it is dropped. None = off.
    speculate_after_s: float | None = 0.4
    #: A melody's (or an answer's) endpointer starts from the room the last command's endpointer heard,
    #: when that was at most this long ago in stream time: a hum that starts the moment the prompt ends
    #: leaves it no quiet to learn from, and music in the room would keep a melody going. 0 = off.
    carry_background_s: float = 30.0

    def __post_init__(self) -> None:
        if self.wake_mode not in WAKE_MODES:
            raise ConfigError(f"wake_mode must be one of {WAKE_MODES}, got {self.wake_mode!r}")
        if self.hum.target != "melody" or self.speech.target != "speech":
            raise ConfigError("ConversationConfig.speech must target 'speech' and .hum must target 'melody'")
        if self.carry_background_s < 0:
            raise ConfigError(f"carry_background_s must be >= 0 (0 = off), got {self.carry_background_s}")
        if self.speculate_after_s is not None and not 0 < self.speculate_after_s < self.speech.trailing_silence_s:
            raise ConfigError(f"speculate_after_s must be between 0 and speech.trailing_silence_s "
                              f"({self.speech.trailing_silence_s} s), or None; got {self.speculate_after_s}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ConversationConfig:
        kw = dict(d)
        for name in ("speech", "hum"):
            if isinstance(kw.get(name), dict):
                kw[name] = EndpointerConfig.from_dict(kw[name])
        if isinstance(kw.get("file_source"), dict):
            kw["file_source"] = FileSourceConfig.from_dict(kw["file_source"])
        for name in ("wake_phrase_words", "stop_words", "fallback_intents"):
            if name in kw:
                kw[name] = tuple(kw[name])
        return cls(**kw)


@dataclass(frozen=True)
class AssistantConfig:
    """Everything the assistant is built from. ``library`` holds overrides for the song library's own
    ``LibraryConfig`` (empty = its defaults, which read ``QDRANT_URL``); ``use_library=False`` runs
    without one (skills say so)."""

    asr: AsrConfig = field(default_factory=AsrConfig)
    nlu: NluConfig = field(default_factory=NluConfig)
    tts: EspeakConfig = field(default_factory=EspeakConfig)
    wake: WakeWordConfig = field(default_factory=WakeWordConfig)
    router: RouterConfig = field(default_factory=RouterConfig)
    conversation: ConversationConfig = field(default_factory=ConversationConfig)
    input_device: DeviceConfig = field(default_factory=DeviceConfig)
    output_device: DeviceConfig = field(default_factory=DeviceConfig)
    #: Live mode: the music the assistant plays is taken out of the microphone (barge-in over it).
    echo: EchoConfig = field(default_factory=EchoConfig)
    library: dict[str, Any] = field(default_factory=dict)
    use_library: bool = True
    song_titles_in_grammar: bool = True

    @classmethod
    def from_env(cls, **overrides: Any) -> AssistantConfig:
        """Defaults with ``RASA_URL``/``RASA_TOKEN`` applied (``QDRANT_URL`` is read by the library)."""
        known = {f.name for f in fields(cls)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise ConfigError(f"unknown AssistantConfig field(s) {bad}; valid: {sorted(known)}")
        cfg = cls(nlu=NluConfig.from_env())
        return replace(cfg, **overrides)

    def with_devices(self, *, input_device: int | str | None, output_device: int | str | None) -> AssistantConfig:
        return replace(self, input_device=replace(self.input_device, device=input_device),
                       output_device=replace(self.output_device, device=output_device))

    def to_dict(self) -> dict[str, Any]:
        return {"asr": self.asr.to_dict(), "nlu": self.nlu.to_dict(), "tts": self.tts.to_dict(),
                "wake": self.wake.to_dict(), "router": asdict(self.router),
                "conversation": self.conversation.to_dict(), "input_device": self.input_device.to_dict(),
                "output_device": self.output_device.to_dict(), "echo": self.echo.to_dict(),
                "library": dict(self.library),
                "use_library": self.use_library, "song_titles_in_grammar": self.song_titles_in_grammar,
                "rasa_url_set": bool(os.environ.get("RASA_URL"))}
