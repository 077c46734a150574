"""Routing understood utterances to skills; static vs continuous sessions; conversation state."""

from assistant.router.registry import load_skills
from assistant.router.router import RouteOutcome, Router, RouterConfig

__all__ = ["RouteOutcome", "Router", "RouterConfig", "load_skills"]
