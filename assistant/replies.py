"""Reply templates: the sentences Humdinger speaks live in ``nlu_data/replies/<lang>.yml``."""

from __future__ import annotations

import logging
from pathlib import Path

from music_models.errors import ConfigError

__all__ = ["ReplyTemplates", "default_templates_path"]

log = logging.getLogger(__name__)


def default_templates_path(language: str = "en") -> Path:
    return Path(__file__).resolve().parent.parent / "nlu_data" / "replies" / f"{language}.yml"


class ReplyTemplates:
    def __init__(self, templates: dict[str, list[str]]) -> None:
        self.templates = templates

    @classmethod
    def load(cls, path: Path | None = None) -> ReplyTemplates:
        import yaml

        path = path or default_templates_path()
        if not path.is_file():
            raise ConfigError(f"reply templates not found at {path}; restore nlu_data/replies from git")
        data = yaml.safe_load(path.read_text()) or {}
        return cls({str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in data.items()})

    def render(self, key: str, slots: dict[str, str] | None = None, *, variant: int = 0) -> str:
        options = self.templates.get(key)
        if not options:
            log.error("no reply template %r", key)
            return "Sorry, I have nothing to say to that."
        text = options[variant % len(options)]
        try:
            return text.format(**(slots or {}))
        except (KeyError, IndexError) as exc:
            log.error("reply template %r is missing slot %s", key, exc)
            return text
