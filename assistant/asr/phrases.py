"""What the assistant can be told: phrase templates and slot values, read from the Rasa project
(``nlu_data/data/*.yml``) plus the library's song titles, and turned into a JSGF grammar
(PocketSphinx) or a phrase list (Vosk).

An NLU example ``play [Greensleeves](song_title)`` becomes the template ``play <song_title>``
and adds ``greensleeves`` to the ``song_title`` values, so every title can fill every template.

The generated file of what the recogniser heard (:data:`ASR_VARIANTS_FILE`, written by
``scripts/augment_nlu_with_asr.py``) trains Rasa only: it holds recognition errors, and feeding them
back into the recogniser's own language would teach it to make them."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.audio.errors import SpeechInputError

__all__ = [
    "ASR_VARIANTS_FILE",
    "DEFAULT_NLU_DIR",
    "INLINE_PHRASES",
    "SONG_TITLE_SLOT",
    "PhraseSet",
    "build_phrase_set",
    "expand_phrases",
    "load_nlu_phrases",
    "normalize_text",
    "number_to_words",
    "parse_nlu_yaml",
    "to_jsgf",
]

log = logging.getLogger(__name__)

SONG_TITLE_SLOT = "song_title"
DEFAULT_NLU_DIR = Path(__file__).resolve().parents[2] / "nlu_data" / "data"
#: NLU examples generated from recogniser output: Rasa trains on them, the recogniser's language leaves them out.
ASR_VARIANTS_FILE = "nlu_asr_variants.yml"

#: Used until/unless the Rasa project is present: the product's commands, with slots in <>.
INLINE_PHRASES: tuple[str, ...] = (
    "what's this song", "what is this song", "what song is this", "name that tune", "identify this song",
    "play <song_title>", "play some <genre>", "play something <mood>", "play it", "play along with me",
    "jam with me", "compose something like this", "compose something like <song_title>",
    "write a tune like this", "stop", "repeat", "help", "what can you do",
)
INLINE_SLOTS: dict[str, tuple[str, ...]] = {
    "genre": ("jigs", "reels", "hornpipes", "waltzes", "chorales", "folk songs", "polkas", "marches"),
    "mood": ("calm", "happy", "sad", "lively", "relaxing", "upbeat"),
    SONG_TITLE_SLOT: ("greensleeves", "scarborough fair", "the kesh jig", "drowsy maggie"),
}

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ENTITY = re.compile(r"\[([^\]]+)\]\s*(?:\(([^)]+)\)|(\{[^}]*\}))")


def number_to_words(n: int) -> str:
    """0..9999 in English words (``42`` -> ``forty two``); larger numbers digit by digit."""
    if n < 0:
        return "minus " + number_to_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        return _ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + number_to_words(n % 100))
    if n < 10000:
        return number_to_words(n // 1000) + " thousand" + ("" if n % 1000 == 0 else " " + number_to_words(n % 1000))
    return " ".join(_ONES[int(d)] for d in str(n))


def normalize_text(text: str) -> str:
    """Lower-case words as a recogniser outputs them: digits spelled out, punctuation dropped
    (apostrophes inside words kept), ``&`` -> ``and``."""
    t = text.lower().replace("&", " and ").replace("’", "'")
    t = re.sub(r"\d+", lambda m: f" {number_to_words(int(m.group()))} ", t)
    t = re.sub(r"[^a-z' ]+", " ", t)
    words = [w.strip("'") for w in t.split()]
    return " ".join(w for w in words if w)


@dataclass(frozen=True)
class PhraseSet:
    """Templates (normalised words with ``<slot>`` references) and each slot's values."""

    templates: tuple[str, ...]
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def vocabulary(self) -> set[str]:
        words = {w for t in self.templates for w in t.split() if not w.startswith("<")}
        return words | {w for vals in self.slots.values() for v in vals for w in v.split()}

    def with_slot_values(self, slot: str, values: Iterable[str]) -> PhraseSet:
        merged = dict(self.slots)
        new = [normalize_text(v) for v in values]
        merged[slot] = tuple(dict.fromkeys([*merged.get(slot, ()), *[v for v in new if v]]))
        return PhraseSet(self.templates, merged)

    def to_dict(self) -> dict[str, Any]:
        return {"templates": list(self.templates), "slots": {k: list(v) for k, v in self.slots.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PhraseSet:
        return cls(tuple(d["templates"]), {k: tuple(v) for k, v in d.get("slots", {}).items()})


def _example_to_template(example: str, slots: dict[str, list[str]]) -> str:
    names: list[str] = []

    def repl(m: re.Match[str]) -> str:
        name = m.group(2)
        if name is None:  # [value]{"entity": "song_title", ...}
            em = re.search(r'"entity"\s*:\s*"([^"]+)"', m.group(3) or "")
            name = em.group(1) if em else "entity"
        name = name.split(":")[0].strip()  # [jig](genre:jigs) synonym shorthand
        slots.setdefault(name, []).append(normalize_text(m.group(1)))
        names.append(name)
        return f" zzslot{_letters(len(names) - 1)}zz "

    words = normalize_text(_ENTITY.sub(repl, example)).split()
    return " ".join(f"<{names[_index(w[6:-2])]}>" if re.fullmatch(r"zzslot[a-z]+zz", w) else w for w in words)


def _letters(i: int) -> str:
    return "".join(chr(97 + int(d)) for d in str(i))


def _index(letters: str) -> int:
    return int("".join(str(ord(c) - 97) for c in letters))


def parse_nlu_yaml(text: str) -> PhraseSet:
    """Templates and slot values from one Rasa NLU YAML document (``nlu:`` intents, lookups, synonyms)."""
    import yaml

    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SpeechInputError(f"NLU file is not valid YAML ({exc}); fix nlu_data/data/*.yml") from exc
    templates: list[str] = []
    slots: dict[str, list[str]] = {}
    for item in doc.get("nlu", []) or []:
        if not isinstance(item, dict):
            continue
        raw = item.get("examples", "") or ""
        lines = [ln.strip()[1:].strip() for ln in str(raw).splitlines() if ln.strip().startswith("-")]
        if "intent" in item:
            templates.extend(t for t in (_example_to_template(ln, slots) for ln in lines) if t)
        elif "lookup" in item:
            slots.setdefault(str(item["lookup"]), []).extend(normalize_text(ln) for ln in lines)
        elif "synonym" in item:
            pass  # synonyms are spoken forms of some entity; their values appear in examples too
    return PhraseSet(tuple(dict.fromkeys(templates)),
                     {k: tuple(dict.fromkeys(v for v in vals if v)) for k, vals in slots.items()})


def load_nlu_phrases(path: Path, *, exclude: Iterable[str] = (ASR_VARIANTS_FILE,)) -> PhraseSet:
    """Phrases from a Rasa NLU file or a directory of them (all ``*.yml``/``*.yaml`` with an ``nlu:`` key,
    except files named in ``exclude``)."""
    skip = set(exclude)
    files = sorted(f for f in [*path.glob("**/*.yml"), *path.glob("**/*.yaml")] if f.name not in skip) \
        if path.is_dir() else [path]
    templates: list[str] = []
    slots: dict[str, list[str]] = {}
    for f in files:
        ps = parse_nlu_yaml(f.read_text(encoding="utf-8"))
        templates.extend(ps.templates)
        for k, v in ps.slots.items():
            slots.setdefault(k, []).extend(v)
    return PhraseSet(tuple(dict.fromkeys(templates)), {k: tuple(dict.fromkeys(v)) for k, v in slots.items()})


def build_phrase_set(*, nlu_path: Path | None = None, song_titles: Iterable[str] = ()) -> PhraseSet:
    """The assistant's language: the Rasa project's examples when present (else :data:`INLINE_PHRASES`),
    with ``song_titles`` added to the ``song_title`` slot."""
    path = nlu_path or DEFAULT_NLU_DIR
    phrases: PhraseSet | None = None
    if path.exists():
        phrases = load_nlu_phrases(path)
        if not phrases.templates:
            log.warning("no NLU examples in %s; using the inline phrase list", path)
            phrases = None
    if phrases is None:
        log.info("NLU data not found at %s; using the inline phrase list", path)
        phrases = PhraseSet(INLINE_PHRASES, dict(INLINE_SLOTS))
    return phrases.with_slot_values(SONG_TITLE_SLOT, song_titles)


def _slot_refs(template: str) -> list[str]:
    return re.findall(r"<(\w+)>", template)


def expand_phrases(phrases: PhraseSet, *, max_phrases: int = 20000) -> list[str]:
    """Every template with its slots filled (capped at ``max_phrases``; each slot value is used at least once)."""
    out: list[str] = []
    for t in phrases.templates:
        refs = _slot_refs(t)
        if not refs:
            out.append(t)
            continue
        pools = [phrases.slots.get(r, ()) for r in refs]
        if not all(pools):
            continue
        for combo in itertools.islice(itertools.product(*pools), max(1, max_phrases // len(phrases.templates))):
            s = t
            for r, v in zip(refs, combo):
                s = s.replace(f"<{r}>", v, 1)
            out.append(s)
    return list(dict.fromkeys(out))[:max_phrases]


def to_jsgf(phrases: PhraseSet, *, name: str = "humdinger", optional_prefix: str = "") -> str:
    """A JSGF grammar: ``public <command> = [prefix] (template | ...)``; slots become rules."""
    used = {r for t in phrases.templates for r in _slot_refs(t)}
    missing = sorted(r for r in used if not phrases.slots.get(r))
    templates = [t for t in phrases.templates if not set(_slot_refs(t)) & set(missing)]
    if missing:
        log.warning("slots without values, templates using them dropped: %s", ", ".join(missing))
    if not templates:
        raise SpeechInputError("the phrase set is empty; add NLU examples (nlu_data/data/nlu.yml) or song titles")
    lines = ["#JSGF V1.0;", f"grammar {name};"]
    body = " | ".join(f"( {t} )" for t in templates)
    prefix = f"[ {optional_prefix} ] " if optional_prefix else ""
    lines.append(f"public <command> = {prefix}( {body} );")
    for slot in sorted(used - set(missing)):
        lines.append(f"<{slot}> = " + " | ".join(f"( {v} )" for v in phrases.slots[slot]) + ";")
    return "\n".join(lines) + "\n"
