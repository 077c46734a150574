"""Who performs a query: a voice (male/female/child), a whistler, or a General MIDI instrument.

A performer fixes the pitch range the melody is transposed into and which imperfections apply
(an instrument has no intonation error, vibrato or portamento: the user plays its keys or frets).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from music_models.errors import ConfigError

__all__ = ["INSTRUMENTS", "VOICES", "WHISTLER", "PerformerStyle", "choose_performer"]


@dataclass(frozen=True, slots=True)
class PerformerStyle:
    name: str
    center_midi: float  # the melody's median pitch is moved to the nearest octave of this
    low_midi: int
    high_midi: int
    vibrato_depth_cents_range: tuple[float, float] = (0.0, 0.0)
    intonation: bool = True  # intonation error, pitch drift, scoops
    portamento: bool = True
    gm_program: int = -1  # instrument performers only


VOICES: dict[str, PerformerStyle] = {
    "male": PerformerStyle("male", 50.0, 40, 67),  # D3 ~147 Hz
    "female": PerformerStyle("female", 62.0, 52, 79),  # D4 ~294 Hz
    "child": PerformerStyle("child", 67.0, 57, 83),  # G4 ~392 Hz
}
_VOICE_WEIGHTS = {"male": 0.45, "female": 0.45, "child": 0.10}

#: A whistle sounds between about 1 and 3 kHz (MIDI 83 = 988 Hz ... 102 = 2.96 kHz).
WHISTLER = PerformerStyle("whistler", 91.0, 83, 102, vibrato_depth_cents_range=(0.0, 25.0))

#: Instruments a user might play along on: (GM program, centre, low, high) in sounding MIDI pitch.
INSTRUMENTS: dict[str, PerformerStyle] = {
    name: PerformerStyle(name, center, low, high, intonation=False, portamento=False, gm_program=program)
    for name, program, center, low, high in (
        ("acoustic_grand_piano", 0, 67.0, 48, 96),
        ("electric_piano", 4, 65.0, 48, 90),
        ("accordion", 21, 67.0, 53, 89),
        ("harmonica", 22, 72.0, 60, 96),
        ("nylon_guitar", 24, 62.0, 40, 84),
        ("steel_guitar", 25, 62.0, 40, 84),
        ("violin", 40, 72.0, 55, 100),
        ("trumpet", 56, 69.0, 54, 84),
        ("alto_sax", 65, 66.0, 49, 81),
        ("clarinet", 71, 67.0, 50, 91),
        ("flute", 73, 79.0, 60, 96),
        ("recorder", 74, 77.0, 60, 96),
    )
}

_KIND_VIBRATO_CENTS: dict[str, tuple[float, float]] = {"hum": (0.0, 20.0), "sing": (5.0, 35.0)}


def choose_performer(*, kind: str, rng: np.random.Generator) -> PerformerStyle:
    """Draw a performer for a query kind ("hum", "whistle", "sing", "instrument")."""
    if kind in ("hum", "sing"):
        names = list(_VOICE_WEIGHTS)
        name = names[int(rng.choice(len(names), p=list(_VOICE_WEIGHTS.values())))]
        v = VOICES[name]
        return PerformerStyle(v.name, v.center_midi, v.low_midi, v.high_midi, _KIND_VIBRATO_CENTS[kind])
    if kind == "whistle":
        return WHISTLER
    if kind == "instrument":
        names = sorted(INSTRUMENTS)
        return INSTRUMENTS[names[int(rng.integers(len(names)))]]
    raise ConfigError(f"unknown query kind {kind!r}; choose from hum, whistle, sing, instrument")
