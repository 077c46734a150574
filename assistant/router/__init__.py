"""Routing understood utterances to skills; static vs continuous sessions; conversation state."""

from assistant.router.router import RouteOutcome, Router, RouterConfig
from assistant.router.registry import load_skills

__all__ = ["Router", "RouterConfig", "RouteOutcome", "load_skills"]
