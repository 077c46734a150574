"""Values the arranger hands to the renderer: an :class:`Arrangement` of :class:`Track` s of
:class:`ArrangedNote` s, all timed in seconds, plus the beat→seconds map that ties them to the tune.

Every value is frozen and round-trips through ``to_dict``/``from_dict`` (JSON-safe).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from music_models.types import Chord, Key, Meter

__all__ = ["TRACK_ROLES", "ArrangedNote", "Arrangement", "Track"]

#: The roles a track can play, in mixing order.
TRACK_ROLES: tuple[str, ...] = ("melody", "chords", "bass", "drums")


@dataclass(frozen=True, slots=True)
class ArrangedNote:
    """One sounding note: MIDI pitch (a GM drum key on drum tracks), times in seconds, velocity 1–127."""

    pitch: int
    start_s: float
    end_s: float
    velocity: int

    def to_dict(self) -> dict[str, Any]:
        return {"pitch": self.pitch, "start_s": self.start_s, "end_s": self.end_s, "velocity": self.velocity}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArrangedNote:
        return cls(int(d["pitch"]), float(d["start_s"]), float(d["end_s"]), int(d["velocity"]))


@dataclass(frozen=True)
class Track:
    """One instrument of the arrangement.

    ``program`` is the General MIDI program 0–127 (ignored by synths when ``is_drum``);
    ``volume``/``pan``/``reverb`` are the MIDI controller values 7/10/91 (0–127) set at the start.
    ``style`` names the pattern that generated the notes (e.g. ``"oom-pah"``, ``"walking"``).
    """

    role: str
    program: int
    is_drum: bool
    notes: tuple[ArrangedNote, ...]
    instrument_name: str = ""
    style: str = ""
    volume: int = 100
    pan: int = 64
    reverb: int = 40

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "program": self.program,
            "is_drum": self.is_drum,
            "instrument_name": self.instrument_name,
            "style": self.style,
            "volume": self.volume,
            "pan": self.pan,
            "reverb": self.reverb,
            "notes": [[n.pitch, round(n.start_s, 6), round(n.end_s, 6), n.velocity] for n in self.notes],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Track:
        return cls(
            role=str(d["role"]),
            program=int(d["program"]),
            is_drum=bool(d["is_drum"]),
            notes=tuple(ArrangedNote(int(p), float(s), float(e), int(v)) for p, s, e, v in d["notes"]),
            instrument_name=str(d.get("instrument_name", "")),
            style=str(d.get("style", "")),
            volume=int(d.get("volume", 100)),
            pan=int(d.get("pan", 64)),
            reverb=int(d.get("reverb", 40)),
        )


@dataclass(frozen=True)
class Arrangement:
    """A tune arranged for a small band, ready to become MIDI or audio.

    ``beat_times_s[b]`` is when quarter-note beat ``b`` of the tune falls (b = 0, 1, ...,
    ``ceil(duration_beats)``); :meth:`beat_to_s` interpolates between them. ``key`` and ``chords``
    are after transposition by ``transpose_semitones``; the melody may further sit
    ``melody_octave_shift`` octaves away to fit its instrument. ``duration_s`` ends at the tune's
    last note-off (before humanisation).
    """

    tune_id: str
    title: str
    seed: int
    tempo_qpm: float
    meter: Meter
    key: Key
    transpose_semitones: int
    melody_octave_shift: int
    anacrusis_beats: float
    duration_beats: float
    lead_in_s: float
    beat_times_s: tuple[float, ...]
    chords: tuple[Chord, ...]
    tracks: tuple[Track, ...]

    @property
    def duration_s(self) -> float:
        return self.beat_to_s(self.duration_beats)

    @property
    def programs(self) -> dict[str, int]:
        """GM program per role (drum tracks report -1)."""
        return {t.role: (-1 if t.is_drum else t.program) for t in self.tracks}

    def track(self, role: str) -> Track | None:
        return next((t for t in self.tracks if t.role == role), None)

    def beat_to_s(self, beats: float) -> float:
        """Seconds at a (fractional) quarter-note beat position; extrapolates past the ends."""
        bt = self.beat_times_s
        if len(bt) < 2:
            return self.lead_in_s + beats * 60.0 / self.tempo_qpm
        i = min(max(int(beats), 0), len(bt) - 2)
        return bt[i] + (beats - i) * (bt[i + 1] - bt[i])

    def s_to_beat(self, time_s: float) -> float:
        """Inverse of :meth:`beat_to_s`."""
        bt = self.beat_times_s
        if len(bt) < 2:
            return (time_s - self.lead_in_s) * self.tempo_qpm / 60.0
        i = min(max(bisect.bisect_right(bt, time_s) - 1, 0), len(bt) - 2)
        return i + (time_s - bt[i]) / (bt[i + 1] - bt[i])

    def bar_starts_s(self) -> list[float]:
        """Seconds of each bar line (the pickup bar's nominal start first, when there is one)."""
        bar = self.meter.bar_beats
        starts = [0.0] if self.anacrusis_beats > 0 else []
        b = self.anacrusis_beats
        while b < self.duration_beats - 1e-9:
            starts.append(b)
            b += bar
        return [self.beat_to_s(x) for x in starts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tune_id": self.tune_id,
            "title": self.title,
            "seed": self.seed,
            "tempo_qpm": self.tempo_qpm,
            "meter": self.meter.name,
            "key": self.key.to_dict(),
            "transpose_semitones": self.transpose_semitones,
            "melody_octave_shift": self.melody_octave_shift,
            "anacrusis_beats": self.anacrusis_beats,
            "duration_beats": self.duration_beats,
            "lead_in_s": self.lead_in_s,
            "beat_times_s": [round(t, 6) for t in self.beat_times_s],
            "chords": [c.to_dict() for c in self.chords],
            "tracks": [t.to_dict() for t in self.tracks],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Arrangement:
        return cls(
            tune_id=str(d["tune_id"]),
            title=str(d["title"]),
            seed=int(d["seed"]),
            tempo_qpm=float(d["tempo_qpm"]),
            meter=Meter.parse(str(d["meter"])),
            key=Key.from_dict(d["key"]),
            transpose_semitones=int(d["transpose_semitones"]),
            melody_octave_shift=int(d.get("melody_octave_shift", 0)),
            anacrusis_beats=float(d["anacrusis_beats"]),
            duration_beats=float(d["duration_beats"]),
            lead_in_s=float(d["lead_in_s"]),
            beat_times_s=tuple(float(t) for t in d["beat_times_s"]),
            chords=tuple(Chord.from_dict(c) for c in d["chords"]),
            tracks=tuple(Track.from_dict(t) for t in d["tracks"]),
        )
