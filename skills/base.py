"""The contract between the router and the skills.

A skill declares the intents it handles and whether it is *static* (answers once) or *continuous*
(keeps the microphone: after its first reply the router captures audio, e.g. a hum, and hands it
to ``on_audio``). Skills never touch devices: they get text, entities, captured samples and a
context with the library and the conversation state, and return a :class:`Reply`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["ConversationState", "MusicLibrary", "Reply", "Skill", "SkillContext", "SkillKind", "Utterance"]


class SkillKind(str, Enum):
    STATIC = "static"
    CONTINUOUS = "continuous"


@dataclass(frozen=True)
class Utterance:
    """What the user said, as understood: text, intent, confidence, entities (name -> value)."""

    text: str
    intent: str
    confidence: float = 1.0
    entities: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "confidence": self.confidence, "entities": self.entities}


@dataclass(frozen=True)
class Reply:
    """A skill's answer: a template key with its slots, optionally music to play.

    ``listen_for="melody"`` asks the router to capture a melody next and call ``on_audio``;
    ``follow_up`` keeps the skill as the addressee of follow-ups ("play it", "no") for a few seconds.
    """

    key: str
    slots: dict[str, str] = field(default_factory=dict)
    play_path: str | None = None
    listen_for: str | None = None
    follow_up: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "slots": self.slots, "play_path": self.play_path, "listen_for": self.listen_for,
                "follow_up": self.follow_up}


@dataclass
class ConversationState:
    """What the conversation remembers between turns."""

    last_query_z: np.ndarray | None = None
    last_results: list[dict[str, Any]] = field(default_factory=list)
    candidate_index: int = 0
    last_song_id: str | None = None
    last_reply: str = ""
    last_play_path: str | None = None
    active_skill: str | None = None
    follow_up_until_s: float = 0.0

    def clear_results(self) -> None:
        self.last_results = []
        self.candidate_index = 0


class MusicLibrary(Protocol):
    """The part of the song library the skills use (implemented over Qdrant in music_models.library)."""

    def identify(self, samples: np.ndarray, sample_rate_hz: int, top_k: int = 5) -> Any: ...

    def search_metadata(self, *, title: str | None = None, collection: str | None = None,
                        mood: str | None = None, limit: int = 5) -> list[Any]: ...

    def song(self, song_id: str) -> Any: ...

    def similar_to(self, z: np.ndarray, limit: int = 5) -> list[Any]: ...


@dataclass
class SkillContext:
    state: ConversationState
    library: MusicLibrary | None
    now_s: float = 0.0


@runtime_checkable
class Skill(Protocol):
    name: str
    intents: tuple[str, ...]
    kind: SkillKind

    def handle(self, utterance: Utterance, ctx: SkillContext) -> Reply: ...
