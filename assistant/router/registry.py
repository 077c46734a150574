"""Finding skills: the built-in ones plus any installed plugin (entry point group ``humdinger.skills``)."""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points
from typing import Any

from skills.base import Skill

__all__ = ["BUILTIN_SKILLS", "INTENTS_OF_UNINSTALLED", "load_skills"]

log = logging.getLogger(__name__)

#: "module:Class" of the skills that ship with Humdinger.
BUILTIN_SKILLS: tuple[str, ...] = (
    "skills.identify_song:IdentifySongSkill",
    "skills.play_music:PlayMusicSkill",
)

#: Intents whose skills come with later parts of the product; the router says they are not installed.
INTENTS_OF_UNINSTALLED: dict[str, str] = {"play_along": "play along", "compose_like": "compose"}


def _load(spec: str, **kwargs: Any) -> Skill:
    module, _, cls = spec.partition(":")
    obj = getattr(importlib.import_module(module), cls)(**kwargs)
    if not isinstance(obj, Skill):
        raise TypeError(f"{spec} does not implement the Skill protocol (name, intents, kind, handle)")
    return obj


def load_skills(*, plugins: bool = True, **kwargs: Any) -> list[Skill]:
    """Built-in skills, then plugins; a plugin that fails to load is logged and skipped, never fatal."""
    skills = [_load(s, **kwargs) for s in BUILTIN_SKILLS]
    if plugins:
        for ep in entry_points(group="humdinger.skills"):
            try:
                skills.append(_load(ep.value, **kwargs))
            except Exception as exc:  # noqa: BLE001 -- a broken plugin must not take the assistant down
                log.warning("skill plugin %s failed to load: %s", ep.name, exc)
    return skills
