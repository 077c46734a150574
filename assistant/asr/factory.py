"""Choosing a recogniser from one config: Vosk when a model is configured, else PocketSphinx."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.asr.phrases import PhraseSet
from assistant.asr.sphinx import PocketSphinxConfig, PocketSphinxRecognizer
from assistant.asr.types import Recognizer, Transcript
from assistant.asr.vosk_backend import VOSK_MODEL_ENV, VoskConfig, VoskRecognizer
from assistant.audio.chunk import AudioChunk
from assistant.audio.errors import SpeechInputError

__all__ = ["ASR_BACKENDS", "AsrConfig", "create_recognizer", "transcribe"]

log = logging.getLogger(__name__)

ASR_BACKENDS: tuple[str, ...] = ("auto", "pocketsphinx", "vosk")


@dataclass(frozen=True)
class AsrConfig:
    """``backend='auto'`` picks Vosk when ``$HUMDINGER_VOSK_MODEL`` is set, PocketSphinx otherwise."""

    backend: str = "auto"
    pocketsphinx: PocketSphinxConfig = field(default_factory=PocketSphinxConfig)
    vosk: VoskConfig = field(default_factory=VoskConfig)

    def __post_init__(self) -> None:
        if self.backend not in ASR_BACKENDS:
            raise SpeechInputError(f"ASR backend must be one of {ASR_BACKENDS}, got {self.backend!r}")

    def resolved_backend(self) -> str:
        if self.backend != "auto":
            return self.backend
        return "vosk" if (self.vosk.model_dir or os.environ.get(VOSK_MODEL_ENV)) else "pocketsphinx"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AsrConfig:
        return cls(d.get("backend", "auto"), PocketSphinxConfig.from_dict(d.get("pocketsphinx", {})),
                   VoskConfig.from_dict(d.get("vosk", {})))


def create_recognizer(phrases: PhraseSet | None, *, config: AsrConfig | None = None) -> Recognizer:
    """Build the configured recogniser once (models load here); reuse it for every utterance."""
    cfg = config or AsrConfig()
    backend = cfg.resolved_backend()
    log.info("ASR back-end: %s", backend)
    if backend == "vosk":
        return VoskRecognizer(phrases, config=cfg.vosk)
    return PocketSphinxRecognizer(phrases, config=cfg.pocketsphinx)


def transcribe(recognizer: Recognizer, chunks: Iterable[AudioChunk]) -> Transcript:
    """Run one utterance through a recogniser."""
    t0 = time.perf_counter()
    recognizer.start()
    for chunk in chunks:
        recognizer.accept(chunk)
    result = recognizer.finish()
    log.debug("transcribed %.2f s in %.3f s: %r", result.duration_s, time.perf_counter() - t0, result.text)
    return result
