"""Pure text handling of ABC notation: splitting multi-tune files and reading header fields.

music21 parses the notes; the header fields (K:, M:, L:, Q:, R:, T:) are read here, so that
modes (``K:Ador``, ``K:Gmix``), tempo marks and tune types are handled the same for every file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from music_models.types import Key, Meter

__all__ = [
    "AbcTuneText",
    "content_hash",
    "first_voice_only",
    "header_fields",
    "parse_abc_key",
    "parse_abc_meter",
    "parse_abc_tempo_qpm",
    "split_abc_tunes",
]

_VOICE = re.compile(r"^(?:V:\s*|\[V:\s*)([^\]\s]+)\]?")
_X_LINE = re.compile(r"^X:\s*(\d*)")
_FIELD_LINE = re.compile(r"^([A-Za-z]):(.*)$")
_NOTE_NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11, "H": 11}  # H: German B
_MODE_PREFIXES = {
    "": "major", "maj": "major", "ion": "major", "m": "minor", "min": "minor", "aeo": "minor",
    "dor": "dorian", "phr": "phrygian", "lyd": "lydian", "mix": "mixolydian", "loc": "locrian",
}


@dataclass(frozen=True)
class AbcTuneText:
    """One tune cut out of an ABC file: its text (with the file's header fields) and where it came from."""

    source: str
    index_in_file: int
    reference: int | None  # the X: number
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "index_in_file": self.index_in_file, "reference": self.reference,
                "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AbcTuneText:
        return cls(str(d["source"]), int(d["index_in_file"]), d.get("reference"), str(d["text"]))


def split_abc_tunes(*, text: str, source: str = "") -> list[AbcTuneText]:
    """Cut an ABC file into tunes at its ``X:`` lines; the file header's fields are prepended to each."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if _X_LINE.match(line)]
    if not starts:
        return []
    file_header = [
        line for line in lines[: starts[0]]
        if _FIELD_LINE.match(line) and line[0] not in "XT" or line.startswith("%%")
    ]
    tunes: list[AbcTuneText] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        block = [ln.rstrip() for ln in lines[start:end]]
        while block and not block[-1].strip():
            block.pop()
        m = _X_LINE.match(block[0])
        ref = int(m.group(1)) if m and m.group(1) else None
        body = [block[0], *file_header, *block[1:]]
        tunes.append(AbcTuneText(source=source, index_in_file=k, reference=ref, text="\n".join(body) + "\n"))
    return tunes


def header_fields(*, text: str) -> dict[str, list[str]]:
    """Header fields of one tune (lines before and including the first ``K:``), by field letter."""
    fields: dict[str, list[str]] = {}
    for line in text.split("\n"):
        m = _FIELD_LINE.match(line.strip())
        if not m:
            continue
        letter, value = m.group(1), m.group(2).split("%", 1)[0].strip()
        fields.setdefault(letter, []).append(value)
        if letter == "K":
            break
    return fields


def parse_abc_key(*, text: str) -> Key | None:
    """The key of an ABC ``K:`` value (``G``, ``Gm``, ``Ador``, ``F# Minor``, ``Bb mix``); None if it names none.

    ``K:HP``/``K:Hp`` (Highland pipes) is read as A mixolydian; ``K:none`` and unreadable values give None.
    """
    value = text.strip()
    if not value:
        return None
    if value.lower() in ("hp",):
        return Key(9, "mixolydian")
    m = re.match(r"^([A-Ha-h])\s*([#b]?)\s*([A-Za-z]*)", value)
    if not m or value.lower().startswith("none"):
        return None
    letter = m.group(1).upper()
    tonic = _NOTE_NAMES[letter] + {"#": 1, "b": -1, "": 0}[m.group(2)]
    word = m.group(3).lower()
    if letter == "E" and word == "s":  # German "Es" = E flat
        tonic, word = 3, ""
    mode = "minor" if word == "m" else _MODE_PREFIXES.get(word[:3], "major")
    return Key(tonic % 12, mode)


def parse_abc_meter(*, text: str) -> Meter | None:
    """The meter of an ABC ``M:`` value (``6/8``, ``C`` = 4/4, ``C|`` = 2/2); None for ``none`` or nonsense."""
    value = text.strip().replace(" ", "")
    if value == "C":
        return Meter(4, 4)
    if value == "C|":
        return Meter(2, 2)
    m = re.match(r"^\(?(\d+(?:\+\d+)*)\)?/(\d+)$", value)
    if not m:
        return None
    num = sum(int(x) for x in m.group(1).split("+"))
    den = int(m.group(2))
    if num < 1 or den < 1 or den & (den - 1):
        return None
    return Meter(num, den)


def parse_abc_tempo_qpm(*, text: str) -> float | None:
    """Quarter notes per minute of an ABC ``Q:`` value: ``1/4=120``; ``3/8=120`` is 180 qpm.

    A bare number (``Q:80``, old ABC) is read as quarter notes per minute, which is what these
    collections mean by it (read as unit notes, a 2/4 reel in semiquavers would crawl at 20 qpm).
    Text-only marks (``Q:"Slowly"``) and implausible values give None.
    """
    m = re.search(r"(\d+)\s*/\s*(\d+)\s*=\s*(\d+(?:\.\d+)?)", text)
    if m and int(m.group(2)) > 0:
        qpm = float(m.group(3)) * float(Fraction(int(m.group(1)), int(m.group(2))) * 4)
    else:
        m = re.fullmatch(r"\s*(?:[A-Za-z]\s*=\s*)?(\d+(?:\.\d+)?)\s*", text)
        if not m:
            return None
        qpm = float(m.group(1))
    return qpm if 20.0 <= qpm <= 400.0 else None


def content_hash(*, text: str) -> str:
    """Eight hex digits of SHA-1 over the text with line ends and trailing blanks normalised."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()[:8]


def first_voice_only(*, text: str) -> str:
    """The tune with only its first voice (``V:``) kept; text without voices is returned unchanged.

    music21 turns every ``V:`` block into a new part, so a two-voice tune would otherwise come back
    as alternating fragments.
    """
    lines = text.split("\n")
    if not any(_VOICE.match(ln.strip()) for ln in lines):
        return text
    out: list[str] = []
    in_header = True
    first: str | None = None
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        m = _VOICE.match(stripped)
        if in_header:
            if m:
                first = first or m.group(1)
                continue
            out.append(line)
            if stripped.startswith("K:"):
                in_header = False
            continue
        if m:
            current = m.group(1)
            first = first or current
            rest = stripped[m.end():].strip() if stripped.startswith("[") else ""
            if rest and current == first:
                out.append(rest)
            continue
        if stripped.startswith("%") or current is None or current == first:
            out.append(line)
    return "\n".join(out)
