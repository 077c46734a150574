"""Defaults of the arranger and the General MIDI instrument tables it draws from."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "BASS_INSTRUMENTS",
    "CHORD_INSTRUMENTS",
    "MELODY_INSTRUMENTS",
    "ArrangementConfig",
    "Instrument",
]


@dataclass(frozen=True, slots=True)
class Instrument:
    """A General MIDI program (0-based) with the pitch range it plays well (sounding MIDI pitches).

    ``styles`` limits the accompaniment patterns a chord instrument is given (empty: any).
    """

    program: int
    name: str
    low: int
    high: int
    styles: tuple[str, ...] = ()


#: Lead instruments a folk tune is plausibly played on.
MELODY_INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(0, "acoustic grand piano", 48, 96),
    Instrument(1, "bright acoustic piano", 48, 96),
    Instrument(40, "violin", 55, 100),
    Instrument(110, "fiddle", 55, 96),
    Instrument(73, "flute", 60, 96),
    Instrument(74, "recorder (tin whistle)", 62, 93),
    Instrument(78, "whistle", 72, 98),
    Instrument(72, "piccolo", 74, 102),
    Instrument(21, "accordion", 53, 93),
    Instrument(22, "harmonica", 60, 93),
    Instrument(65, "alto sax", 49, 81),
    Instrument(66, "tenor sax", 44, 76),
    Instrument(71, "clarinet", 50, 91),
    Instrument(68, "oboe", 58, 91),
    Instrument(56, "trumpet", 54, 82),
    Instrument(24, "nylon guitar", 45, 84),
    Instrument(25, "steel guitar", 45, 84),
    Instrument(53, "voice oohs", 48, 79),
    Instrument(52, "choir aahs", 48, 79),
    Instrument(11, "vibraphone", 53, 89),
    Instrument(46, "harp", 48, 91),
    Instrument(105, "banjo", 48, 84),
    Instrument(75, "pan flute", 60, 91),
)

#: Accompaniment instruments, each with the patterns that suit it.
CHORD_INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(0, "acoustic grand piano", 48, 76),
    Instrument(4, "electric piano", 48, 76, ("block", "arpeggio", "oom-pah", "oom-pah-pah", "jig")),
    Instrument(24, "nylon guitar", 45, 72, ("arpeggio", "strum", "oom-pah", "oom-pah-pah", "jig")),
    Instrument(25, "steel guitar", 45, 72, ("strum", "arpeggio", "oom-pah", "oom-pah-pah", "jig")),
    Instrument(21, "accordion", 50, 74, ("block", "oom-pah", "oom-pah-pah", "jig")),
    Instrument(46, "harp", 45, 79, ("arpeggio", "block")),
    Instrument(48, "string ensemble", 50, 76, ("block",)),
    Instrument(49, "slow strings", 50, 76, ("block",)),
    Instrument(89, "warm pad", 50, 76, ("block",)),
    Instrument(16, "drawbar organ", 50, 76, ("block", "oom-pah", "oom-pah-pah", "jig")),
)

#: Bass instruments; the tuba only plays oom-pah styles.
BASS_INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(32, "acoustic bass", 28, 55),
    Instrument(33, "electric bass (finger)", 28, 55),
    Instrument(34, "electric bass (pick)", 28, 55),
    Instrument(35, "fretless bass", 28, 55),
    Instrument(43, "contrabass", 28, 55),
    Instrument(58, "tuba", 28, 55, ("root", "root-fifth")),
)


@dataclass(frozen=True)
class ArrangementConfig:
    """Every default of :func:`music_models.arrange.arrange`; a seed picks within these ranges."""

    tempo_factor_min: float = 0.85
    tempo_factor_max: float = 1.15
    tempo_min_qpm: float = 40.0
    tempo_max_qpm: float = 240.0
    transpose_probability: float = 0.5
    max_transpose_semitones: int = 5
    chords_probability: float = 0.9
    bass_probability: float = 0.8
    drums_probability: float = 0.4
    timing_jitter_ms: float = 6.0
    timing_jitter_clip_ms: float = 20.0
    velocity_jitter: float = 6.0
    strum_spread_ms: float = 12.0
    melody_velocity_min: int = 78
    melody_velocity_max: int = 104
    accompaniment_velocity: int = 66
    bass_velocity: int = 80
    drum_velocity: int = 70
    articulation_min: float = 0.8
    articulation_max: float = 1.0
    min_note_s: float = 0.03
    lead_in_s: float = 0.05
    accompany_pickup: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArrangementConfig:
        return cls(**d)
