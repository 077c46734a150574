"""The composition root: the one place that builds ASR, NLU (client and, when needed, the Rasa server),
the song library, the router with its skills, TTS, and the wake word from one :class:`AssistantConfig`.

A component that cannot start does not stop the assistant: its problem is recorded (printed at start,
spoken when a turn needs it) and the rest runs. Tests inject fakes through the keyword arguments of
:func:`build_assistant`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from assistant.asr.types import Recognizer
from assistant.audio.chunk import AudioClip
from assistant.conversation.config import AssistantConfig
from assistant.nlu.types import NluResult
from assistant.replies import ReplyTemplates
from assistant.router import Router, load_skills
from assistant.wake.base import WakeSource
from music_models.errors import HumdingerError
from skills.base import MusicLibrary

__all__ = ["Assistant", "LibraryProblem", "NluParser", "Speaker", "build_assistant", "open_library"]

log = logging.getLogger(__name__)

_DEFAULT: Any = object()


class NluParser(Protocol):
    def parse(self, text: str) -> NluResult: ...


class Speaker(Protocol):
    def speak(self, text: str) -> AudioClip: ...


@dataclass(frozen=True)
class LibraryProblem:
    """Why there is no usable library: the reply to give instead (``library.unavailable`` or ``library.empty``)."""

    key: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "reason": self.reason}


@dataclass
class Assistant:
    """Everything a :class:`~assistant.conversation.engine.Conversation` runs on."""

    config: AssistantConfig
    router: Router
    templates: ReplyTemplates
    recognizer: Recognizer | None
    nlu: NluParser | None
    tts: Speaker | None
    wake: WakeSource | None = None
    library: MusicLibrary | None = None
    library_problem: LibraryProblem | None = None
    nlu_problem: str | None = None
    asr_problem: str | None = None
    tts_problem: str | None = None
    startup_s: dict[str, float] = field(default_factory=dict)
    _closers: list[Any] = field(default_factory=list)
    #: Words of the assistant's language (NLU examples, entity values, lookups): the vocabulary gate's.
    vocabulary: frozenset[str] = frozenset()

    def problems(self) -> list[str]:
        """Printable reasons for every component that is not working."""
        out = []
        if self.asr_problem:
            out.append(f"speech recognition: {self.asr_problem}")
        if self.nlu_problem:
            out.append(f"language understanding: {self.nlu_problem}")
        if self.library_problem:
            out.append(f"song library: {self.library_problem.reason}")
        if self.tts_problem:
            out.append(f"speech output: {self.tts_problem}")
        return out

    def close(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception as exc:  # noqa: BLE001 - closing must not hide the real outcome
                log.warning("closing %s failed: %s", closer, exc)
        self._closers.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _library_size(lib: Any) -> int | None:
    try:
        return len(lib)
    except TypeError:  # a library that cannot say its size is not refused for that
        return None


def open_library(overrides: dict[str, Any]) -> tuple[MusicLibrary | None, LibraryProblem | None, Any]:
    """The song library (``music_models.library``), or the reason there is none. Returns
    ``(library, problem, close)``; an empty library is returned with a ``library.empty`` problem."""
    try:
        from music_models.library import Library, LibraryConfig
    except ImportError as exc:
        return None, LibraryProblem("library.unavailable", f"The song library is not installed ({exc})."), None
    try:
        lib = Library.open(LibraryConfig.from_dict(overrides))
    except HumdingerError as exc:
        return None, LibraryProblem("library.unavailable", str(exc)), None
    close = getattr(lib, "close", None)
    if _library_size(lib) == 0:
        return None, LibraryProblem("library.empty", "the library has no songs"), close
    warm = getattr(lib, "warm", None)
    if warm is not None:
        try:
            warm()  # load the music-space model now, not on the first hum
        except HumdingerError as exc:  # naming and playing by title still work without the model
            log.warning("the music-space model did not load: %s", exc)
    return lib, None, close


def _timed(startup: dict[str, float], name: str, t0: float) -> None:
    startup[name] = round(time.perf_counter() - t0, 3)


def build_assistant(config: AssistantConfig | None = None, *, recognizer: Recognizer | None = _DEFAULT,
                    nlu: NluParser | None = _DEFAULT, library: MusicLibrary | None = _DEFAULT,
                    library_problem: LibraryProblem | None = None, tts: Speaker | None = _DEFAULT,
                    wake: WakeSource | None = _DEFAULT, progress: bool = False) -> Assistant:
    """Build every component once (models load here, the Rasa server starts here when ``RASA_URL`` is
    unset). Pass a component to use it instead of building one (``None`` = run without it)."""
    cfg = config or AssistantConfig.from_env()
    startup: dict[str, float] = {}
    closers: list[Any] = []
    t_all = time.perf_counter()
    asr_problem = nlu_problem = tts_problem = None

    t0 = time.perf_counter()
    if library is _DEFAULT:
        if cfg.use_library:
            library, library_problem, close = open_library(cfg.library)
            if close is not None:
                closers.append(close)
        else:
            library, library_problem = None, LibraryProblem("library.unavailable", "No library is configured.")
    _timed(startup, "library", t0)

    t0 = time.perf_counter()
    from assistant.asr import build_phrase_set

    phrases = build_phrase_set()
    if recognizer is _DEFAULT:
        from assistant.asr import create_recognizer

        try:
            recognizer = create_recognizer(phrases, config=cfg.asr)
        except HumdingerError as exc:
            recognizer, asr_problem = None, str(exc)
    _timed(startup, "asr", t0)

    t0 = time.perf_counter()
    if nlu is _DEFAULT:
        from assistant.nlu import NluError, RasaServer

        server = RasaServer(cfg.nlu, progress=progress)
        try:
            server.start()
            nlu = server.client
            closers.append(server.stop)
        except NluError as exc:
            nlu, nlu_problem = None, str(exc)
    _timed(startup, "nlu", t0)

    t0 = time.perf_counter()
    if tts is _DEFAULT:
        from assistant.tts import EspeakTTS

        tts = EspeakTTS(cfg.tts)
    if wake is _DEFAULT:
        wake = None
        if cfg.conversation.wake_mode == "keyphrase":
            from assistant.wake import KeyphraseWakeWord

            try:
                wake = KeyphraseWakeWord(cfg.wake)
            except HumdingerError as exc:
                asr_problem = f"wake word unavailable: {exc}"
    _timed(startup, "tts_wake", t0)

    if callable(getattr(recognizer, "close", None)):
        closers.append(recognizer.close)  # type: ignore[union-attr]
    templates = ReplyTemplates.load()
    router = Router(load_skills(), templates, library, config=cfg.router)
    _timed(startup, "total", t_all)
    log.info("assistant ready in %.2f s (%s)", startup["total"], startup)
    return Assistant(cfg, router, templates, recognizer, nlu, tts, wake, library, library_problem, nlu_problem,
                     asr_problem, tts_problem, startup, closers, vocabulary=frozenset(phrases.vocabulary()))
