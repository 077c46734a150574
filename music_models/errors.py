"""The exception hierarchy of Humdinger's music side. Messages say how to fix the problem."""

from __future__ import annotations

__all__ = [
    "AudioInputError",
    "ConfigError",
    "CorpusError",
    "HumdingerError",
    "LibraryError",
    "ModelError",
    "ParseError",
    "RenderError",
    "UnknownCollectionError",
]


class HumdingerError(Exception):
    """Base class: anything the CLI should print as a clear one-line reason, not a traceback."""


class ConfigError(HumdingerError):
    """A setting is missing or invalid."""


class CorpusError(HumdingerError):
    """The bundled corpus cannot be built or read."""


class UnknownCollectionError(CorpusError):
    """A collection name that the corpus does not know."""

    def __init__(self, name: str, valid: list[str]) -> None:
        super().__init__(f"unknown collection {name!r}; valid names: {', '.join(sorted(valid))}")
        self.name = name
        self.valid = sorted(valid)


class ParseError(CorpusError):
    """One source file or tune could not be parsed."""


class RenderError(HumdingerError):
    """MIDI could not be rendered to audio (FluidSynth or soundfont missing, bad MIDI)."""


class AudioInputError(HumdingerError):
    """An audio file is corrupt, empty, too long, or otherwise unusable."""


class ModelError(HumdingerError):
    """A model checkpoint is missing, corrupt, or does not match the code."""


class LibraryError(HumdingerError):
    """The song library (Qdrant) is missing, empty, or unreachable."""
