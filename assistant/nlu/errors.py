"""Errors of the NLU layer (Rasa). Messages say how to fix the problem."""

from __future__ import annotations

from music_models.errors import HumdingerError

__all__ = ["NluError", "NluSetupError", "NluTrainingError", "NluUnavailableError"]


class NluError(HumdingerError):
    """Base class of the NLU layer's errors."""


class NluUnavailableError(NluError):
    """The Rasa server cannot be reached or did not answer in time; the router speaks an apology."""


class NluSetupError(NluError):
    """Rasa is not installed (.venv-rasa missing) or the Rasa project is invalid."""


class NluTrainingError(NluError):
    """``rasa train nlu`` failed."""
