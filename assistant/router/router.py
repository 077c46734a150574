"""The router: sends each understood utterance to the skill that owns its intent.

Router-level intents (stop, pause, resume, repeat, help, greet, goodbye, fallback) are answered
here. A *continuous* skill's first reply may ask for a melody (``listen_for``); the router then
holds the session open and hands the captured audio to the skill's ``on_audio``. "stop" always
works, also while music plays or a session waits for a hum. A skill that fails gives a spoken
reason; the router keeps running.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.replies import ReplyTemplates
from assistant.router.registry import INTENTS_OF_UNINSTALLED
from music_models.errors import HumdingerError
from skills.base import ConversationState, MusicLibrary, Reply, Skill, SkillContext, SkillKind, Utterance

__all__ = ["RouteOutcome", "Router", "RouterConfig"]

log = logging.getLogger(__name__)

ROUTER_INTENTS = ("stop", "pause", "resume", "repeat", "help", "greet", "goodbye", "nlu_fallback")


@dataclass(frozen=True)
class RouterConfig:
    fallback_threshold: float = 0.45  # below this intent confidence the router says it didn't understand
    follow_up_window_s: float = 8.0  # follow-ups ("play it", "no") need no wake word for this long


@dataclass
class RouteOutcome:
    """What a turn produced: who answered, the reply (key, slots, rendered text) and actions."""

    skill: str
    reply: Reply
    text: str
    action: str | None = None  # "play", "stop", "pause", "resume"
    awaiting: str | None = None  # "melody" when a continuous session waits for audio
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"skill": self.skill, "reply": self.reply.to_dict(), "text": self.text, "action": self.action,
                "awaiting": self.awaiting, **self.extra}


class Router:
    def __init__(self, skills: list[Skill], templates: ReplyTemplates, library: MusicLibrary | None, *,
                 config: RouterConfig = RouterConfig(), clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.templates = templates
        self.library = library
        self.clock = clock
        self.state = ConversationState()
        self.skills = {s.name: s for s in skills}
        self.by_intent: dict[str, Skill] = {}
        for s in skills:
            for intent in s.intents:
                self.by_intent.setdefault(intent, s)
        self.awaiting: tuple[str, str] | None = None  # (skill name, what) while a continuous session listens
        self.playing = False
        self.paused = False

    # ---- helpers -------------------------------------------------------------------------------
    def _ctx(self) -> SkillContext:
        return SkillContext(self.state, self.library, self.clock())

    def _say(self, skill: str, reply: Reply, **kw: Any) -> RouteOutcome:
        text = self.templates.render(reply.key, reply.slots)
        self.state.last_reply = text
        if reply.follow_up:
            self.state.active_skill = skill
            self.state.follow_up_until_s = self.clock() + self.config.follow_up_window_s
        action = kw.pop("action", None)
        if reply.play_path:
            action = "play"
            self.playing, self.paused = True, False
            self.state.last_play_path = reply.play_path
        return RouteOutcome(skill, reply, text, action=action, **kw)

    def in_follow_up(self) -> bool:
        return self.state.active_skill is not None and self.clock() <= self.state.follow_up_until_s

    def _guarded(self, name: str, call: Callable[[], Reply]) -> RouteOutcome:
        try:
            reply = call()
        except HumdingerError as exc:
            log.warning("skill %s failed: %s", name, exc)
            return self._say(name, Reply("router.skill_error", {"reason": str(exc)}))
        except Exception as exc:  # a skill bug must not end the conversation; it is logged in full
            log.exception("skill %s crashed", name)
            return self._say(name, Reply("router.skill_error", {"reason": type(exc).__name__}))
        awaiting = reply.listen_for
        self.awaiting = (name, awaiting) if awaiting else None
        return self._say(name, reply, awaiting=awaiting)

    # ---- entry points --------------------------------------------------------------------------
    def route(self, utterance: Utterance) -> RouteOutcome:
        intent = utterance.intent
        if utterance.confidence < self.config.fallback_threshold and intent not in ("stop",):
            intent = "nlu_fallback"
        if intent in ROUTER_INTENTS:
            return self._router_intent(intent)
        if self.awaiting is not None:
            self.awaiting = None  # a new request replaces a session that was waiting for a hum
        if intent in ("affirm", "deny"):
            if self.in_follow_up() and self.state.active_skill in self.skills:
                skill = self.skills[self.state.active_skill]
                return self._guarded(skill.name, lambda: skill.handle(utterance, self._ctx()))
            return self._say("router", Reply("router.affirm_nothing"))
        skill = self.by_intent.get(intent)
        if skill is None:
            name = INTENTS_OF_UNINSTALLED.get(intent, intent.replace("_", " "))
            return self._say("router", Reply("router.not_installed", {"skill": name}))
        return self._guarded(skill.name, lambda: skill.handle(utterance, self._ctx()))

    def deliver_audio(self, samples: np.ndarray, sample_rate_hz: int) -> RouteOutcome:
        """Hand captured audio (a hum) to the continuous skill that asked for it."""
        if self.awaiting is None:
            raise RuntimeError("no skill is waiting for audio")
        name, _ = self.awaiting
        skill = self.skills[name]
        self.awaiting = None
        on_audio = getattr(skill, "on_audio", None)
        if skill.kind is not SkillKind.CONTINUOUS or on_audio is None:
            raise RuntimeError(f"skill {name} asked for audio but cannot take it")
        return self._guarded(name, lambda: on_audio(samples, sample_rate_hz, self._ctx()))

    def timeout(self) -> RouteOutcome:
        """The session waited for audio and none came."""
        self.awaiting = None
        return self._say("router", Reply("router.timeout"))

    def _router_intent(self, intent: str) -> RouteOutcome:
        if intent == "stop":
            had = self.playing or self.awaiting is not None
            self.playing = self.paused = False
            self.awaiting = None
            self.state.active_skill = None
            return self._say("router", Reply("router.stopped" if had else "router.nothing_to_stop"), action="stop")
        if intent == "pause":
            if self.playing:
                self.paused = True
                return self._say("router", Reply("router.paused"), action="pause")
            return self._say("router", Reply("router.nothing_to_stop"))
        if intent == "resume":
            if self.playing and self.paused:
                self.paused = False
                return self._say("router", Reply("router.resumed"), action="resume")
            return self._say("router", Reply("router.nothing_to_resume"))
        if intent == "repeat":
            if not self.state.last_reply:
                return self._say("router", Reply("router.nothing_to_repeat"))
            text = self.state.last_reply
            return RouteOutcome("router", Reply("router.repeat"), text)
        key = {"help": "router.help", "greet": "router.greet", "goodbye": "router.goodbye"}.get(intent, "router.fallback")
        return self._say("router", Reply(key))
