"""Arrangement → ``pretty_midi.PrettyMIDI`` (built directly; music21's MIDI writer is never used)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from music_models.arrange.types import Arrangement

if TYPE_CHECKING:
    import pretty_midi

__all__ = ["arrangement_to_midi"]

_CC_VOLUME, _CC_PAN, _CC_REVERB = 7, 10, 91


def arrangement_to_midi(arrangement: Arrangement) -> pretty_midi.PrettyMIDI:
    """One instrument per track (drums flagged ``is_drum`` → channel 10), with tempo, meter and key
    signature, and the track's volume/pan/reverb controllers at time 0."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=arrangement.tempo_qpm)
    pm.time_signature_changes.append(
        pretty_midi.TimeSignature(arrangement.meter.numerator, arrangement.meter.denominator, 0.0))
    minor = arrangement.key.mode in ("minor", "dorian", "phrygian", "locrian")
    pm.key_signature_changes.append(pretty_midi.KeySignature(arrangement.key.tonic_pc + (12 if minor else 0), 0.0))
    for track in arrangement.tracks:
        inst = pretty_midi.Instrument(program=track.program, is_drum=track.is_drum,
                                      name=f"{track.role}: {track.instrument_name}")
        for number, value in ((_CC_VOLUME, track.volume), (_CC_PAN, track.pan), (_CC_REVERB, track.reverb)):
            inst.control_changes.append(pretty_midi.ControlChange(number, value, 0.0))
        inst.notes = [pretty_midi.Note(velocity=n.velocity, pitch=n.pitch, start=n.start_s, end=n.end_s)
                      for n in track.notes]
        pm.instruments.append(inst)
    return pm
