"""Defaults of the NLU component (Rasa server lifecycle, HTTP client, training cache)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FALLBACK_INTENT", "REPO_ROOT", "NluConfig"]

REPO_ROOT = Path(__file__).resolve().parents[2]

#: The intent Rasa's FallbackClassifier predicts when no intent is confident enough.
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class NluConfig:
    """Everything the NLU component needs; ``from_env`` applies ``RASA_URL`` / ``RASA_TOKEN``.

    ``model_dir=None`` means ``data_dir()/rasa/models`` (resolved when used, never at import).
    """

    project_dir: Path = REPO_ROOT / "nlu_data"
    rasa_venv: Path = REPO_ROOT / ".venv-rasa"
    model_dir: Path | None = None
    rasa_url: str | None = None
    rasa_token: str | None = None
    host: str = "127.0.0.1"
    port_range: tuple[int, int] = (5005, 5105)
    startup_timeout_s: float = 180.0
    shutdown_timeout_s: float = 10.0
    train_timeout_s: float = 900.0
    models_to_keep: int = 3
    request_timeout_s: float = 5.0
    connect_timeout_s: float = 2.0
    retries: int = 1
    retry_backoff_s: float = 0.2
    poll_interval_s: float = 0.25
    server_env: dict[str, str] = field(default_factory=lambda: {
        "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONWARNINGS": "ignore",
    })

    @property
    def rasa_bin(self) -> Path:
        return self.rasa_venv / "bin" / "rasa"

    @property
    def song_title_lookup_path(self) -> Path:
        return self.project_dir / "data" / "lookups" / "song_title.yml"

    def resolved_model_dir(self) -> Path:
        if self.model_dir is not None:
            return Path(self.model_dir)
        from music_models.paths import data_dir

        return data_dir() / "rasa" / "models"

    @classmethod
    def from_env(cls, **overrides: Any) -> NluConfig:
        env: dict[str, Any] = {}
        if os.environ.get("RASA_URL"):
            env["rasa_url"] = os.environ["RASA_URL"].rstrip("/")
            env["rasa_token"] = os.environ.get("RASA_TOKEN") or None
        env.update(overrides)
        return cls(**env)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, Path):
                d[k] = str(v)
        d["port_range"] = list(self.port_range)
        d["rasa_token"] = "***" if self.rasa_token else None
        return d
