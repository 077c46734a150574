"""The one canonical music representation used everywhere inside Humdinger.

music21 and pretty_midi appear only at the edges (parsing, rendering); inside, a tune is a
:class:`Tune` of :class:`Note` and :class:`Chord` values. Times are in quarter-note beats
(``*_beats``) from the start of the tune; tempo is quarter notes per minute (``tempo_qpm``).
Every value round-trips through ``to_dict``/``from_dict`` (JSON-safe).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CHORD_QUALITIES",
    "MODE_INTERVALS",
    "PITCH_CLASS_NAMES",
    "Chord",
    "Key",
    "Meter",
    "Note",
    "Tune",
]

PITCH_CLASS_NAMES: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

#: Chord qualities as semitone intervals above the root.
CHORD_QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "dom7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "hdim7": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "sus4": (0, 5, 7),
}

#: Scale steps of the modes that folk tune headers use (ABC: K:Ador, K:Gmix, ...).
MODE_INTERVALS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}


@dataclass(frozen=True, slots=True)
class Note:
    """One melody note: MIDI pitch, onset and duration in quarter-note beats."""

    pitch: int
    onset_beats: float
    duration_beats: float
    velocity: int = 90

    @property
    def end_beats(self) -> float:
        return self.onset_beats + self.duration_beats

    def to_dict(self) -> dict[str, Any]:
        return {
            "pitch": self.pitch,
            "onset_beats": self.onset_beats,
            "duration_beats": self.duration_beats,
            "velocity": self.velocity,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Note:
        return cls(int(d["pitch"]), float(d["onset_beats"]), float(d["duration_beats"]), int(d.get("velocity", 90)))


@dataclass(frozen=True, slots=True)
class Chord:
    """A chord held from ``onset_beats`` for ``duration_beats``; root as a pitch class 0–11."""

    root_pc: int
    quality: str
    onset_beats: float
    duration_beats: float
    bass_pc: int | None = None

    def __post_init__(self) -> None:
        if self.quality not in CHORD_QUALITIES:
            raise ValueError(f"unknown chord quality {self.quality!r}; known: {sorted(CHORD_QUALITIES)}")
        if not 0 <= self.root_pc < 12:
            raise ValueError(f"root_pc must be 0..11, got {self.root_pc}")

    @property
    def end_beats(self) -> float:
        return self.onset_beats + self.duration_beats

    @property
    def pitch_classes(self) -> frozenset[int]:
        return frozenset((self.root_pc + i) % 12 for i in CHORD_QUALITIES[self.quality])

    @property
    def intervals(self) -> tuple[int, ...]:
        return CHORD_QUALITIES[self.quality]

    @property
    def name(self) -> str:
        suffix = {"maj": "", "min": "m", "dom7": "7", "min7": "m7", "maj7": "maj7"}.get(self.quality, self.quality)
        bass = f"/{PITCH_CLASS_NAMES[self.bass_pc]}" if self.bass_pc is not None and self.bass_pc != self.root_pc else ""
        return f"{PITCH_CLASS_NAMES[self.root_pc]}{suffix}{bass}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "root_pc": self.root_pc,
            "quality": self.quality,
            "onset_beats": self.onset_beats,
            "duration_beats": self.duration_beats,
        }
        if self.bass_pc is not None:
            d["bass_pc"] = self.bass_pc
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chord:
        bass = d.get("bass_pc")
        return cls(
            int(d["root_pc"]),
            str(d["quality"]),
            float(d["onset_beats"]),
            float(d["duration_beats"]),
            None if bass is None else int(bass),
        )


@dataclass(frozen=True, slots=True)
class Key:
    """A key: tonic pitch class and mode (one of :data:`MODE_INTERVALS`)."""

    tonic_pc: int
    mode: str = "major"

    def __post_init__(self) -> None:
        if self.mode not in MODE_INTERVALS:
            raise ValueError(f"unknown mode {self.mode!r}; known: {sorted(MODE_INTERVALS)}")
        if not 0 <= self.tonic_pc < 12:
            raise ValueError(f"tonic_pc must be 0..11, got {self.tonic_pc}")

    @property
    def scale_pcs(self) -> tuple[int, ...]:
        return tuple((self.tonic_pc + i) % 12 for i in MODE_INTERVALS[self.mode])

    @property
    def name(self) -> str:
        return f"{PITCH_CLASS_NAMES[self.tonic_pc]} {self.mode}"

    def to_dict(self) -> dict[str, Any]:
        return {"tonic_pc": self.tonic_pc, "mode": self.mode}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Key:
        return cls(int(d["tonic_pc"]), str(d.get("mode", "major")))


@dataclass(frozen=True, slots=True)
class Meter:
    """A time signature, e.g. ``Meter(6, 8)``."""

    numerator: int = 4
    denominator: int = 4

    @property
    def bar_beats(self) -> float:
        """Bar length in quarter-note beats."""
        return self.numerator * 4.0 / self.denominator

    @property
    def is_compound(self) -> bool:
        return self.denominator == 8 and self.numerator % 3 == 0 and self.numerator >= 6

    @property
    def pulse_beats(self) -> float:
        """The felt beat in quarter notes: a dotted quarter in 6/8, else one denominator unit."""
        return 1.5 if self.is_compound else 4.0 / self.denominator

    @property
    def name(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    def to_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Meter:
        return cls(int(d["numerator"]), int(d["denominator"]))

    @classmethod
    def parse(cls, text: str) -> Meter:
        num, _, den = text.partition("/")
        return cls(int(num), int(den or 4))


@dataclass(frozen=True)
class Tune:
    """A tune of the catalog: monophonic melody, chords, and metadata.

    Bar lines fall at ``anacrusis_beats + k * meter.bar_beats`` (k = 0, 1, ...); a pickup bar of
    ``anacrusis_beats`` precedes the first full bar. Repeats are not expanded.
    """

    tune_id: str
    title: str
    collection: str
    meter: Meter
    key: Key
    tempo_qpm: float
    notes: tuple[Note, ...]
    chords: tuple[Chord, ...] = ()
    estimated_key: Key | None = None
    chord_source: str = "none"  # "harmony" (from the score's own voices), "harmoniser", or "none"
    anacrusis_beats: float = 0.0
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_beats(self) -> float:
        return max((n.end_beats for n in self.notes), default=0.0)

    @property
    def duration_s(self) -> float:
        return self.duration_beats * 60.0 / self.tempo_qpm

    def bar_starts_beats(self) -> list[float]:
        """Onsets of every bar (including the pickup bar's nominal start at 0 when there is one)."""
        bar = self.meter.bar_beats
        starts = [0.0] if self.anacrusis_beats > 0 else []
        t = self.anacrusis_beats
        end = self.duration_beats
        while t < end - 1e-9:
            starts.append(t)
            t += bar
        return starts

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict. Notes and chords use compact lists to keep the corpus cache small."""
        return {
            "tune_id": self.tune_id,
            "title": self.title,
            "collection": self.collection,
            "meter": self.meter.name,
            "key": self.key.to_dict(),
            "estimated_key": None if self.estimated_key is None else self.estimated_key.to_dict(),
            "tempo_qpm": self.tempo_qpm,
            "anacrusis_beats": self.anacrusis_beats,
            "chord_source": self.chord_source,
            "source": self.source,
            "notes": [[n.pitch, round(n.onset_beats, 6), round(n.duration_beats, 6)] for n in self.notes],
            "chords": [
                [c.root_pc, c.quality, round(c.onset_beats, 6), round(c.duration_beats, 6), c.bass_pc]
                for c in self.chords
            ],
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tune:
        est = d.get("estimated_key")
        return cls(
            tune_id=str(d["tune_id"]),
            title=str(d["title"]),
            collection=str(d["collection"]),
            meter=Meter.parse(str(d["meter"])),
            key=Key.from_dict(d["key"]),
            estimated_key=None if est is None else Key.from_dict(est),
            tempo_qpm=float(d["tempo_qpm"]),
            anacrusis_beats=float(d.get("anacrusis_beats", 0.0)),
            chord_source=str(d.get("chord_source", "none")),
            source=str(d.get("source", "")),
            notes=tuple(Note(int(p), float(o), float(du)) for p, o, du in d["notes"]),
            chords=tuple(
                Chord(int(r), str(q), float(o), float(du), None if b is None else int(b))
                for r, q, o, du, b in d.get("chords", [])
            ),
            extra=dict(d.get("extra", {})),
        )
