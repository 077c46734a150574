"""PrettyMIDI → one time-ordered list of synth events on MIDI channels (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from music_models.errors import RenderError

if TYPE_CHECKING:
    import pretty_midi

__all__ = ["DRUM_CHANNEL", "ChannelSetup", "SynthEvent", "midi_events"]

DRUM_CHANNEL = 9
_MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)
# At equal times: controllers and bends first, then note-offs, then note-ons.
_ORDER = {"cc": 0, "bend": 0, "off": 1, "on": 2}


@dataclass(frozen=True, slots=True)
class ChannelSetup:
    """Program (and bank: 128 = GM percussion) a channel must have before the first event."""

    channel: int
    program: int
    bank: int


@dataclass(frozen=True, slots=True)
class SynthEvent:
    """``kind`` is ``on``/``off`` (a = key, b = velocity), ``cc`` (a = controller, b = value) or
    ``bend`` (a = signed pitch-bend value -8192..8191)."""

    time_s: float
    kind: str
    channel: int
    a: int
    b: int = 0


def _channels(midi: pretty_midi.PrettyMIDI) -> list[tuple[int, ChannelSetup]]:
    """Channel per instrument: drums share channel 10; others get their own channel, or share one
    with instruments of the same program when there are more than 15."""
    melodic = [i for i, inst in enumerate(midi.instruments) if not inst.is_drum]
    by_program: dict[int, int] = {}
    out: list[tuple[int, ChannelSetup]] = []
    shared = len(melodic) > len(_MELODIC_CHANNELS)
    if shared and len({midi.instruments[i].program for i in melodic}) > len(_MELODIC_CHANNELS):
        raise RenderError(f"the MIDI has {len(melodic)} instruments with more than {len(_MELODIC_CHANNELS)} "
                          "different programs; General MIDI has 15 melodic channels - merge some instruments")
    next_free = 0
    for inst in midi.instruments:
        if inst.is_drum:
            out.append((DRUM_CHANNEL, ChannelSetup(DRUM_CHANNEL, inst.program, 128)))
            continue
        if shared and inst.program in by_program:
            ch = by_program[inst.program]
        else:
            ch = _MELODIC_CHANNELS[next_free]
            next_free += 1
            by_program[inst.program] = ch
        out.append((ch, ChannelSetup(ch, inst.program, 0)))
    return out


def midi_events(midi: pretty_midi.PrettyMIDI) -> tuple[list[ChannelSetup], list[SynthEvent]]:
    """Channel set-ups and every note, controller and pitch-bend event, sorted by time.

    Raises :class:`RenderError` for MIDI without notes or with non-finite / negative times.
    """
    setups: dict[int, ChannelSetup] = {}
    events: list[SynthEvent] = []
    for inst, (ch, setup) in zip(midi.instruments, _channels(midi)):
        setups.setdefault(ch, setup)
        for n in inst.notes:
            if not (math.isfinite(n.start) and math.isfinite(n.end)) or n.start < 0:
                raise RenderError(f"a note of {inst.name or 'an instrument'!r} has times {n.start}..{n.end}; "
                                  "note times must be finite and >= 0")
            if not 0 <= n.pitch <= 127:
                raise RenderError(f"note pitch {n.pitch} is outside MIDI's 0..127")
            end = max(n.end, n.start + 1e-3)
            events.append(SynthEvent(float(n.start), "on", ch, int(n.pitch), int(min(max(n.velocity, 1), 127))))
            events.append(SynthEvent(float(end), "off", ch, int(n.pitch)))
        for c in inst.control_changes:
            events.append(SynthEvent(max(float(c.time), 0.0), "cc", ch, int(c.number), int(c.value)))
        for b in inst.pitch_bends:
            events.append(SynthEvent(max(float(b.time), 0.0), "bend", ch, int(b.pitch)))
    if not any(e.kind == "on" for e in events):
        raise RenderError("the MIDI has no notes; nothing to render")
    events.sort(key=lambda e: (e.time_s, _ORDER[e.kind]))
    return sorted(setups.values(), key=lambda s: s.channel), events
