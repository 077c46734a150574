"""Vosk back-end (better accuracy), used when ``HUMDINGER_VOSK_MODEL`` names a model directory.
Recognition is restricted to the assistant's phrases plus ``[unk]`` (a Kaldi grammar)."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.asr.phrases import PhraseSet, expand_phrases
from assistant.asr.types import Transcript, Word
from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, to_pcm16_bytes
from assistant.audio.errors import SpeechEngineError, SpeechInputError, SpeechModelError

__all__ = [
    "VOSK_MODEL_ENV",
    "VOSK_REQUIRED_FILES",
    "VoskConfig",
    "VoskRecognizer",
    "resolve_vosk_model",
    "vosk_phrase_list",
]

log = logging.getLogger(__name__)

VOSK_MODEL_ENV = "HUMDINGER_VOSK_MODEL"
#: Files every Kaldi model that Vosk loads has (the small English model included).
VOSK_REQUIRED_FILES: tuple[str, ...] = ("am/final.mdl", "conf/model.conf")
_FETCH_HINT = "run 'humdinger models fetch vosk' on a machine with internet, or point {env} at an unpacked model"


@dataclass(frozen=True)
class VoskConfig:
    """``model_dir`` None = ``$HUMDINGER_VOSK_MODEL``; ``use_grammar`` False = the model's full vocabulary."""

    model_dir: str | None = None
    use_grammar: bool = True
    max_phrases: int = 20000
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VoskConfig:
        return cls(**d)


def resolve_vosk_model(model_dir: str | Path | None = None) -> Path:
    """The model directory, checked; :class:`SpeechModelError` naming the fetch command otherwise."""
    hint = _FETCH_HINT.format(env=VOSK_MODEL_ENV)
    raw = model_dir if model_dir is not None else os.environ.get(VOSK_MODEL_ENV)
    if not raw:
        raise SpeechModelError(f"no Vosk model configured ({VOSK_MODEL_ENV} is not set); {hint}")
    p = Path(raw).expanduser()
    if not p.is_dir():
        raise SpeechModelError(f"Vosk model directory {p} does not exist; {hint}")
    missing = [f for f in VOSK_REQUIRED_FILES if not (p / f).is_file()]
    if missing:
        raise SpeechModelError(f"{p} is not a complete Vosk model (missing {', '.join(missing)}); "
                               f"re-download it: {hint}")
    return p


def vosk_phrase_list(phrases: PhraseSet, *, max_phrases: int = 20000) -> list[str]:
    """The grammar Vosk takes: every expanded phrase, each slot value alone, and ``[unk]`` for the rest."""
    out = expand_phrases(phrases, max_phrases=max_phrases)
    out += [v for vals in phrases.slots.values() for v in vals]
    out = list(dict.fromkeys(p for p in out if p))
    if not out:
        raise SpeechInputError("the phrase set is empty; add NLU examples (nlu_data/data/nlu.yml) or song titles")
    return out + ["[unk]"]


class VoskRecognizer:
    """A :class:`~assistant.asr.types.Recognizer` over ``vosk.KaldiRecognizer``; the model is loaded once."""

    backend = "vosk"

    def __init__(self, phrases: PhraseSet | None = None, *, config: VoskConfig | None = None) -> None:
        self.config = cfg = config or VoskConfig()
        path = resolve_vosk_model(cfg.model_dir)
        try:
            import vosk
        except (ImportError, OSError) as exc:
            raise SpeechEngineError(f"Vosk is not usable ({exc}); run make setup (pip install vosk==0.3.45)") from exc
        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception for a model it cannot read
            raise SpeechModelError(f"Vosk could not load {path} ({exc}); "
                                   + _FETCH_HINT.format(env=VOSK_MODEL_ENV)) from exc
        self._grammar = (json.dumps(vosk_phrase_list(phrases, max_phrases=cfg.max_phrases))
                         if cfg.use_grammar and phrases is not None else None)
        self._rec: Any = None
        self._samples = 0
        self._elapsed = 0.0

    def start(self) -> None:
        import vosk

        args = (self._model, float(self.config.sample_rate_hz)) + ((self._grammar,) if self._grammar else ())
        self._rec = vosk.KaldiRecognizer(*args)
        self._rec.SetWords(True)
        self._samples = 0
        self._elapsed = 0.0

    def accept(self, chunk: AudioChunk) -> str:
        if self._rec is None:
            self.start()
        if chunk.sample_rate_hz != self.config.sample_rate_hz:
            raise SpeechInputError(f"Vosk expects {self.config.sample_rate_hz} Hz audio, got {chunk.sample_rate_hz} Hz")
        t0 = time.perf_counter()
        self._rec.AcceptWaveform(to_pcm16_bytes(chunk.samples))
        partial = json.loads(self._rec.PartialResult()).get("partial", "")
        self._samples += len(chunk.samples)
        self._elapsed += time.perf_counter() - t0
        return str(partial)

    def finish(self) -> Transcript:
        if self._rec is None:
            self.start()
        t0 = time.perf_counter()
        result = json.loads(self._rec.FinalResult())
        self._rec = None
        self._elapsed += time.perf_counter() - t0
        return transcript_from_vosk(result, duration_s=self._samples / self.config.sample_rate_hz,
                                    elapsed_s=self._elapsed)


def transcript_from_vosk(result: dict[str, Any], *, duration_s: float, elapsed_s: float) -> Transcript:
    """A :class:`Transcript` from Vosk's JSON result (``[unk]`` words are left out)."""
    words = tuple(Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
                  for w in result.get("result", []) if w.get("word") != "[unk]")
    conf = min((w.confidence for w in words), default=0.0)
    text = " ".join(w.text for w in words) if words else str(result.get("text", "")).replace("[unk]", "").strip()
    return Transcript(text, conf, words, duration_s, elapsed_s, "vosk")
