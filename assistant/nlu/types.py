"""Values the NLU layer hands to the router: a parse result with its intent ranking and entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.nlu.config import FALLBACK_INTENT
from assistant.nlu.errors import NluError

__all__ = ["Entity", "NluResult"]


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity: its type, canonical value (after synonyms), and character span ``[start, end)`` in the text."""

    entity: str
    value: str
    start: int
    end: int
    confidence: float = 1.0
    extractor: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "value": self.value, "start": self.start, "end": self.end,
                "confidence": self.confidence, "extractor": self.extractor}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        try:
            conf = d.get("confidence_entity", d.get("confidence", 1.0))
            return cls(entity=str(d["entity"]), value=str(d["value"]), start=int(d["start"]), end=int(d["end"]),
                       confidence=1.0 if conf is None else float(conf), extractor=str(d.get("extractor", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise NluError(f"malformed entity from the NLU server: {d!r} ({exc}); check the Rasa version (3.6)") from exc


def _drop_nested(entities: list[Entity]) -> list[Entity]:
    """Keep the longest of overlapping entities ("play cooley's reel": song_title, not also genre=reel)."""
    ordered = sorted(entities, key=lambda e: (-(e.end - e.start), e.start))
    kept: list[Entity] = []
    for e in ordered:
        if all(e.end <= k.start or e.start >= k.end for k in kept):
            kept.append(e)
    return sorted(kept, key=lambda e: e.start)


@dataclass(frozen=True, slots=True)
class NluResult:
    """Rasa's answer for one utterance. ``intent`` is ``nlu_fallback`` when no intent was confident enough."""

    text: str
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    @property
    def is_fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT

    def entity_value(self, name: str) -> str | None:
        """The first value of entity ``name``, or None."""
        return next((e.value for e in self.entities if e.entity == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "confidence": self.confidence,
                "ranking": [[name, conf] for name, conf in self.ranking],
                "entities": [e.to_dict() for e in self.entities]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NluResult:
        return cls(text=str(d["text"]), intent=str(d["intent"]), confidence=float(d["confidence"]),
                   ranking=tuple((str(n), float(c)) for n, c in d.get("ranking", ())),
                   entities=tuple(Entity.from_dict(e) for e in d.get("entities", ())))

    @classmethod
    def from_rasa(cls, payload: dict[str, Any]) -> NluResult:
        """From Rasa's ``/model/parse`` JSON; overlapping entities are resolved to the longest span."""
        try:
            intent = payload.get("intent") or {}
            name = intent.get("name")
            ranking = tuple((str(r["name"]), float(r["confidence"])) for r in payload.get("intent_ranking") or ())
            entities = [Entity.from_dict(e) for e in payload.get("entities") or ()]
            return cls(text=str(payload.get("text", "")), intent=str(name) if name else FALLBACK_INTENT,
                       confidence=float(intent.get("confidence") or 0.0), ranking=ranking,
                       entities=tuple(_drop_nested(entities)))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise NluError(f"malformed parse result from the NLU server ({exc}); is RASA_URL a Rasa 3.6 server?") from exc
