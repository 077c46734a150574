"""Tune type and default tempo of a tune without a ``Q:`` mark. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from music_models.types import Meter

__all__ = ["classify_tune_type", "default_tempo_qpm"]

# (type, pattern) in priority order: "slip jig" before "jig", "set dance" before "dance".
_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("slip jig", r"slip\s*-?jig|hop\s*jig"),
    ("jig", r"jigg?s?"),
    ("reel", r"reels?"),
    ("hornpipe", r"hornpipes?"),
    ("strathspey", r"strathspeys?"),
    ("fling", r"(?:highland\s+)?fling"),
    ("clog", r"clogs?"),
    ("polka", r"polkas?"),
    ("slide", r"slides?"),
    ("waltz", r"waltz(?:es)?|valse"),
    ("mazurka", r"mazurkas?|varsovienne"),
    ("march", r"march(?:es)?|quick\s*-?step|walk\s*-?around"),
    ("set dance", r"set\s+dance|long\s+dance"),
    ("air", r"airs?|laments?|planxty"),
    ("song", r"songs?|ballads?|lied|romanze"),
)
_TEMPO_WORDS: tuple[tuple[str, str], ...] = (
    ("slow", r"slow|plaintive|tender|andante|adagio|largo|lento|mournful|with\s+feeling|expressive"),
    ("moderate", r"moderat\w*|allegretto"),
    ("lively", r"lively|spirit\w*|quick|brisk|allegro|vivace|gaily|cheerful"),
)
_METER_TYPES: dict[str, str] = {"6/8": "jig", "9/8": "slip jig", "12/8": "slide"}


def _search(table: tuple[tuple[str, str], ...], text: str) -> str | None:
    low = text.lower()
    for name, pattern in table:
        if re.search(rf"\b(?:{pattern})\b", low):
            return name
    return None


def classify_tune_type(
    *, rhythm: str = "", title: str = "", notes_text: str = "", meter: Meter | None = None,
    default_type: str = "tune",
) -> str:
    """The tune's type from its ``R:`` field, then its title, then tempo words in ``N:``/``Q:``,
    then its meter (6/8 jig, 9/8 slip jig, 12/8 slide — only when the collection's default is ``tune``)."""
    for text in (rhythm, title):
        found = _search(_TYPE_PATTERNS, text) if text else None
        if found:
            return found
    found = _search(_TEMPO_WORDS, notes_text) if notes_text else None
    if found:
        return found
    if default_type == "tune" and meter is not None and meter.name in _METER_TYPES:
        return _METER_TYPES[meter.name]
    return default_type


def default_tempo_qpm(
    *, tune_type: str, durations_beats: Sequence[float], notes_per_second: Mapping[str, float],
    min_qpm: float, max_qpm: float,
) -> float:
    """Tempo at which the melody's notes run at the type's typical rate (notes per second).

    The note density (notes per quarter beat) makes the tempo independent of how the tune was notated:
    a reel written in quavers and the same reel in semiquavers get the same sounding speed.
    """
    rate = notes_per_second.get(tune_type, notes_per_second.get("tune", 4.0))
    total = float(sum(d for d in durations_beats if d > 0))
    if total <= 0:
        return float(min(max(60.0 * rate, min_qpm), max_qpm))
    density = len(durations_beats) / total
    return float(round(min(max(60.0 * rate / density, min_qpm), max_qpm), 1))
