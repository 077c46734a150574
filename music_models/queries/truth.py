"""Ground truth that travels with every synthetic query (JSON round-trip via ``to_dict``/``from_dict``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DegradationParams", "PerformanceParams", "PerformedNote", "QueryTruth"]


@dataclass(frozen=True, slots=True)
class PerformedNote:
    """One note as performed.

    ``pitch`` is what the performer aimed at: the tune's pitch plus the transposition, replaced by a
    neighbour when ``wrong``; the sounding pitch also carries ``cents_offset`` (intonation error plus
    drift, at the note's start) and vibrato/portamento, which only the audio has.
    """

    source_index: int  # index into Tune.notes
    pitch: int
    intended_pitch: int  # tune pitch + transposition
    onset_s: float
    duration_s: float
    onset_beats: float  # notated onset in the tune
    duration_beats: float  # notated duration actually performed (shorter if the query cut the note)
    cents_offset: float = 0.0
    wrong: bool = False
    syllable: str = ""

    @property
    def end_s(self) -> float:
        return self.onset_s + self.duration_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_index": self.source_index, "pitch": self.pitch, "intended_pitch": self.intended_pitch,
            "onset_s": self.onset_s, "duration_s": self.duration_s,
            "onset_beats": self.onset_beats, "duration_beats": self.duration_beats,
            "cents_offset": self.cents_offset, "wrong": self.wrong, "syllable": self.syllable,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PerformedNote:
        return cls(
            source_index=int(d["source_index"]), pitch=int(d["pitch"]), intended_pitch=int(d["intended_pitch"]),
            onset_s=float(d["onset_s"]), duration_s=float(d["duration_s"]),
            onset_beats=float(d["onset_beats"]), duration_beats=float(d["duration_beats"]),
            cents_offset=float(d.get("cents_offset", 0.0)), wrong=bool(d.get("wrong", False)),
            syllable=str(d.get("syllable", "")),
        )


@dataclass(frozen=True, slots=True)
class PerformanceParams:
    """The amounts of each human imperfection drawn for one query (see ``PerformanceConfig``)."""

    performer: str  # "male", "female", "child", "whistler", or a GM instrument name
    random_shift_semitones: int
    octave_shift: int
    tempo_drift: float
    onset_jitter_sd_s: float
    legato: float
    intonation_sd_cents: float
    intonation_max_cents: float
    drift_max_cents: float
    vibrato_rate_hz: float
    vibrato_depth_cents: float
    portamento_s: float
    wrong_note_prob: float
    skip_note_prob: float
    pause_prob: float
    lead_in_s: float
    tail_s: float
    syllable: str = ""  # the main syllable of a hum ("mm", "hm", "doo", "da", "la")
    gm_program: int = -1  # instrument queries only

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__slots__}  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PerformanceParams:
        return cls(
            performer=str(d["performer"]), random_shift_semitones=int(d["random_shift_semitones"]),
            octave_shift=int(d["octave_shift"]), tempo_drift=float(d["tempo_drift"]),
            onset_jitter_sd_s=float(d["onset_jitter_sd_s"]), legato=float(d["legato"]),
            intonation_sd_cents=float(d["intonation_sd_cents"]),
            intonation_max_cents=float(d["intonation_max_cents"]), drift_max_cents=float(d["drift_max_cents"]),
            vibrato_rate_hz=float(d["vibrato_rate_hz"]), vibrato_depth_cents=float(d["vibrato_depth_cents"]),
            portamento_s=float(d["portamento_s"]), wrong_note_prob=float(d["wrong_note_prob"]),
            skip_note_prob=float(d["skip_note_prob"]), pause_prob=float(d["pause_prob"]),
            lead_in_s=float(d["lead_in_s"]), tail_s=float(d["tail_s"]), syllable=str(d.get("syllable", "")),
            gm_program=int(d.get("gm_program", -1)),
        )


@dataclass(frozen=True, slots=True)
class DegradationParams:
    """Exactly what the room and the device did. ``None`` means the step was not applied.

    ``snr_db`` is the ratio of the (reverberant) performance's power to the noise's power over the whole
    query, at the microphone, before band-limiting, gain changes and clipping.
    """

    level: str
    noise_type: str | None = None
    snr_db: float | None = None
    rt60_s: float | None = None
    drr_db: float | None = None
    bandlimit: str | None = None  # "telephone" or "cheap_mic"
    low_hz: float | None = None
    high_hz: float | None = None
    gain_drift_db: float = 0.0
    output_rms_dbfs: float = -24.0  # level the recording was set to before clipping
    clip_fraction: float | None = None  # clipping started at this fraction of the peak
    clipped_samples_fraction: float = 0.0  # measured after clipping

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__slots__}  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DegradationParams:
        def opt(key: str) -> float | None:
            v = d.get(key)
            return None if v is None else float(v)

        return cls(
            level=str(d["level"]), noise_type=d.get("noise_type"), snr_db=opt("snr_db"), rt60_s=opt("rt60_s"),
            drr_db=opt("drr_db"), bandlimit=d.get("bandlimit"), low_hz=opt("low_hz"), high_hz=opt("high_hz"),
            gain_drift_db=float(d.get("gain_drift_db", 0.0)), output_rms_dbfs=float(d.get("output_rms_dbfs", -24.0)),
            clip_fraction=opt("clip_fraction"),
            clipped_samples_fraction=float(d.get("clipped_samples_fraction", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class QueryTruth:
    """Which span of which tune a query performs, and exactly how it was made."""

    tune_id: str
    kind: str
    seed: int
    sample_rate_hz: int
    duration_s: float
    start_beat: float  # notated beat of the first performed note
    end_beat: float  # notated beat where the performance stops
    start_note_index: int
    end_note_index: int  # exclusive
    transposition_semitones: int  # random shift + 12 * octave shift
    tempo_ratio: float  # performed tempo / the tune's tempo_qpm (before drift)
    tempo_qpm: float  # performed tempo (before drift)
    performance: PerformanceParams
    degradation: DegradationParams
    notes: tuple[PerformedNote, ...]
    skipped_note_indices: tuple[int, ...] = ()
    pauses_s: tuple[tuple[float, float], ...] = ()  # (start_s, duration_s) of breaths/pauses

    @property
    def level(self) -> str:
        return self.degradation.level

    def to_dict(self) -> dict[str, Any]:
        return {
            "tune_id": self.tune_id, "kind": self.kind, "seed": self.seed, "sample_rate_hz": self.sample_rate_hz,
            "duration_s": self.duration_s, "start_beat": self.start_beat,
            "end_beat": self.end_beat, "start_note_index": self.start_note_index,
            "end_note_index": self.end_note_index, "transposition_semitones": self.transposition_semitones,
            "tempo_ratio": self.tempo_ratio, "tempo_qpm": self.tempo_qpm, "level": self.level,
            "performance": self.performance.to_dict(), "degradation": self.degradation.to_dict(),
            "notes": [n.to_dict() for n in self.notes],
            "skipped_note_indices": list(self.skipped_note_indices),
            "pauses_s": [[a, b] for a, b in self.pauses_s],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QueryTruth:
        return cls(
            tune_id=str(d["tune_id"]), kind=str(d["kind"]), seed=int(d["seed"]),
            sample_rate_hz=int(d["sample_rate_hz"]), duration_s=float(d["duration_s"]),
            start_beat=float(d["start_beat"]), end_beat=float(d["end_beat"]),
            start_note_index=int(d["start_note_index"]), end_note_index=int(d["end_note_index"]),
            transposition_semitones=int(d["transposition_semitones"]), tempo_ratio=float(d["tempo_ratio"]),
            tempo_qpm=float(d["tempo_qpm"]),
            performance=PerformanceParams.from_dict(d["performance"]),
            degradation=DegradationParams.from_dict(d["degradation"]),
            notes=tuple(PerformedNote.from_dict(n) for n in d["notes"]),
            skipped_note_indices=tuple(int(i) for i in d.get("skipped_note_indices", ())),
            pauses_s=tuple((float(a), float(b)) for a, b in d.get("pauses_s", ())),
        )
