"""Speech recognition: one streaming :class:`Recognizer` interface, PocketSphinx (default, grammar from
the Rasa project) and Vosk (when a model is configured) behind it."""

from assistant.asr.factory import ASR_BACKENDS, AsrConfig, create_recognizer, transcribe
from assistant.asr.fetch import FetchConfig, fetch_vosk_model, vosk_models_dir
from assistant.asr.phrases import PhraseSet, build_phrase_set, expand_phrases, normalize_text, to_jsgf
from assistant.asr.sphinx import PocketSphinxConfig, PocketSphinxRecognizer
from assistant.asr.types import Recognizer, Transcript, Word
from assistant.asr.vosk_backend import (
    VOSK_MODEL_ENV,
    VoskConfig,
    VoskRecognizer,
    resolve_vosk_model,
    vosk_phrase_list,
)

__all__ = [
    "ASR_BACKENDS",
    "VOSK_MODEL_ENV",
    "AsrConfig",
    "FetchConfig",
    "PhraseSet",
    "PocketSphinxConfig",
    "PocketSphinxRecognizer",
    "Recognizer",
    "Transcript",
    "VoskConfig",
    "VoskRecognizer",
    "Word",
    "build_phrase_set",
    "create_recognizer",
    "expand_phrases",
    "fetch_vosk_model",
    "normalize_text",
    "resolve_vosk_model",
    "to_jsgf",
    "transcribe",
    "vosk_models_dir",
    "vosk_phrase_list",
]
