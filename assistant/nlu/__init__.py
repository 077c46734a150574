"""Language understanding: Rasa server lifecycle, HTTP client, model training, lookup tables."""

from __future__ import annotations

from assistant.nlu.client import RasaClient
from assistant.nlu.config import FALLBACK_INTENT, NluConfig
from assistant.nlu.errors import NluError, NluSetupError, NluTrainingError, NluUnavailableError
from assistant.nlu.server import RasaServer
from assistant.nlu.training import ensure_model, find_model, project_hash
from assistant.nlu.types import Entity, NluResult

__all__ = [
    "FALLBACK_INTENT",
    "Entity",
    "NluConfig",
    "NluError",
    "NluResult",
    "NluSetupError",
    "NluTrainingError",
    "NluUnavailableError",
    "RasaClient",
    "RasaServer",
    "ensure_model",
    "find_model",
    "project_hash",
]
