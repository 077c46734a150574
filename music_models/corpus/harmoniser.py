"""Chords for melodies that have none: diatonic triads (+V7) chosen per bar or half-bar by Viterbi.

Each harmonic unit (a bar, or a half-bar in 4/4, 2/2, 4/2 and 12/8; a pickup bar is its own unit)
scores every chord of the key by the melody notes sounding in it — weighted by duration and metric
position, chord tones rewarded and other tones penalised — and a transition prior favours holding a
chord, I/IV/V, dominant-to-tonic motion and a final cadence on I. In 2/4 and 6/8 a change inside the
bar costs much more, so it happens only when the melody strongly asks for it; in 3/4, 9/8 and other
odd meters the unit is the whole bar. All functions are pure.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from music_models.types import CHORD_QUALITIES, Chord, Key, Meter, Note

__all__ = [
    "ChordCandidate",
    "ChordToneCounts",
    "HarmoniserConfig",
    "chord_tone_counts",
    "diatonic_chords",
    "harmonic_units",
    "harmonise",
]

_EPS = 1e-6
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")


@dataclass(frozen=True)
class HarmoniserConfig:
    """Weights of the harmoniser (scores are in beat-weighted note units)."""

    nonchord_penalty: float = 1.0
    root_bonus: float = 0.15
    downbeat_weight: float = 1.0
    half_bar_weight: float = 0.8
    beat_weight: float = 0.6
    offbeat_weight: float = 0.35
    carried_weight: float = 0.3  # a note held over from the previous unit
    #: A note counts ``overlap_beats ** duration_exponent``: 1 = by duration, 0 = every note alike.
    duration_exponent: float = 0.5
    tonic_prior: float = 0.5
    subdominant_prior: float = 0.3
    dominant_prior: float = 0.3
    submediant_prior: float = 0.1
    subtonic_prior: float = 0.2  # bVII in minor and the modes
    other_prior: float = -0.1
    seventh_penalty: float = 0.2
    hold_bonus: float = 0.1
    weak_mid_bar_change_cost: float = 0.1  # at the half-bar of 4/4, 2/2, 4/2, 12/8
    strong_mid_bar_change_cost: float = 1.0  # at the half-bar of 2/4, 6/8, 6/4
    dominant_resolution_bonus: float = 0.4
    start_tonic_bonus: float = 0.5
    end_tonic_bonus: float = 3.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HarmoniserConfig:
        return cls(**d)


@dataclass(frozen=True)
class ChordCandidate:
    """One chord of a key's vocabulary: roman label, root pitch class, quality, scale degree (0-6)."""

    label: str
    root_pc: int
    quality: str
    degree: int


@dataclass(frozen=True)
class ChordToneCounts:
    """How many melody notes (and beats) sound a pitch class of the chord active at their onset."""

    notes_in_chord: int = 0
    notes_total: int = 0
    beats_in_chord: float = 0.0
    beats_total: float = 0.0

    @property
    def ratio(self) -> float:
        """Fraction of notes (counted, like the Nottingham reference) that are chord tones."""
        return self.notes_in_chord / self.notes_total if self.notes_total else 0.0

    @property
    def duration_ratio(self) -> float:
        return self.beats_in_chord / self.beats_total if self.beats_total else 0.0

    def __add__(self, other: ChordToneCounts) -> ChordToneCounts:
        return ChordToneCounts(self.notes_in_chord + other.notes_in_chord, self.notes_total + other.notes_total,
                               self.beats_in_chord + other.beats_in_chord, self.beats_total + other.beats_total)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": round(self.ratio, 4), "duration_ratio": round(self.duration_ratio, 4)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ChordToneCounts:
        return cls(int(d["notes_in_chord"]), int(d["notes_total"]), float(d["beats_in_chord"]),
                   float(d["beats_total"]))


def diatonic_chords(*, key: Key) -> list[ChordCandidate]:
    """Major and minor triads on the degrees of the key's mode, plus V and V7 (major V in minor)."""
    scale = key.scale_pcs
    out: list[ChordCandidate] = []
    for d in range(7):
        root = scale[d]
        third, fifth = (scale[(d + 2) % 7] - root) % 12, (scale[(d + 4) % 7] - root) % 12
        quality = {(4, 7): "maj", (3, 7): "min"}.get((third, fifth))
        if quality is None:  # diminished/augmented triads are rare in folk accompaniment
            continue
        label = _ROMAN[d] if quality == "maj" else _ROMAN[d].lower()
        out.append(ChordCandidate(label, root, quality, d))
    if key.mode in ("major", "minor"):
        dominant = (key.tonic_pc + 7) % 12
        if not any(c.root_pc == dominant and c.quality == "maj" for c in out):
            out.append(ChordCandidate("V", dominant, "maj", 4))
        out.append(ChordCandidate("V7", dominant, "dom7", 4))
    return out


def harmonic_units(
    *, meter: Meter, anacrusis_beats: float, end_beats: float
) -> list[tuple[float, float, str]]:
    """``(start, end, boundary)`` of each harmonic unit; boundary is ``bar``, ``weak`` or ``strong``
    (the cost class of changing chord at the unit's start)."""
    bar = meter.bar_beats
    split_cost = _split_class(meter)
    units: list[tuple[float, float, str]] = []
    if anacrusis_beats > _EPS:
        units.append((0.0, min(anacrusis_beats, end_beats), "bar"))
    t = anacrusis_beats
    while t < end_beats - _EPS:
        if split_cost is None:
            units.append((t, min(t + bar, end_beats), "bar"))
        else:
            half = t + bar / 2
            units.append((t, min(half, end_beats), "bar"))
            if half < end_beats - _EPS:
                units.append((half, min(t + bar, end_beats), split_cost))
        t += bar
    return units


def _split_class(meter: Meter) -> str | None:
    n, d = meter.numerator, meter.denominator
    if n in (4, 12) or (n, d) == (2, 2):
        return "weak"
    if n in (2, 6):
        return "strong"
    return None


def _metric_weight(onset: float, *, meter: Meter, anacrusis_beats: float, cfg: HarmoniserConfig) -> float:
    bar = meter.bar_beats
    pos = (onset - anacrusis_beats) % bar
    if min(pos, bar - pos) < _EPS:
        return cfg.downbeat_weight
    if _split_class(meter) is not None and abs(pos - bar / 2) < _EPS:
        return cfg.half_bar_weight
    pulse = meter.pulse_beats
    r = pos % pulse
    if min(r, pulse - r) < _EPS:
        return cfg.beat_weight
    return cfg.offbeat_weight


def _unit_weights(
    notes: Sequence[Note], units: Sequence[tuple[float, float, str]], *, meter: Meter, anacrusis_beats: float,
    cfg: HarmoniserConfig,
) -> np.ndarray:
    """(n_units, 12) pitch-class weights: overlap in beats times metric weight of the onset."""
    w = np.zeros((len(units), 12), dtype=np.float64)
    starts = [u[0] for u in units]
    for n in notes:
        i = max(bisect.bisect_right(starts, n.onset_beats + _EPS) - 1, 0)
        while i < len(units) and units[i][0] < n.end_beats - _EPS:
            s, e, _ = units[i]
            overlap = min(n.end_beats, e) - max(n.onset_beats, s)
            if overlap > _EPS:
                if n.onset_beats >= s - _EPS:
                    mw = _metric_weight(n.onset_beats, meter=meter, anacrusis_beats=anacrusis_beats, cfg=cfg)
                else:
                    mw = cfg.carried_weight
                w[i, n.pitch % 12] += overlap ** cfg.duration_exponent * mw
            i += 1
    return w


def _prior(c: ChordCandidate, cfg: HarmoniserConfig) -> float:
    if c.degree == 0:
        p = cfg.tonic_prior
    elif c.degree == 3:
        p = cfg.subdominant_prior
    elif c.degree == 4:
        p = cfg.dominant_prior
    elif c.degree == 5:
        p = cfg.submediant_prior
    elif c.degree == 6 and c.quality == "maj":
        p = cfg.subtonic_prior
    else:
        p = cfg.other_prior
    return p - (cfg.seventh_penalty if len(CHORD_QUALITIES[c.quality]) > 3 else 0.0)


def harmonise(
    *, notes: Sequence[Note], meter: Meter, key: Key, anacrusis_beats: float = 0.0,
    config: HarmoniserConfig | None = None,
) -> tuple[Chord, ...]:
    """Chords for a monophonic melody (times in quarter beats), one per harmonic unit at most."""
    cfg = config or HarmoniserConfig()
    if not notes:
        return ()
    end = max(n.end_beats for n in notes)
    units = harmonic_units(meter=meter, anacrusis_beats=anacrusis_beats, end_beats=end)
    if not units:
        return ()
    cands = diatonic_chords(key=key)
    member = np.zeros((len(cands), 12))
    for j, c in enumerate(cands):
        for iv in CHORD_QUALITIES[c.quality]:
            member[j, (c.root_pc + iv) % 12] = 1.0
    roots = np.zeros((len(cands), 12))
    roots[np.arange(len(cands)), [c.root_pc for c in cands]] = 1.0
    score_matrix = member * (1.0 + cfg.nonchord_penalty) - cfg.nonchord_penalty + cfg.root_bonus * roots
    w = _unit_weights(notes, units, meter=meter, anacrusis_beats=anacrusis_beats, cfg=cfg)
    emission = w @ score_matrix.T + np.array([_prior(c, cfg) for c in cands])[None, :]
    tonic = np.array([1.0 if c.degree == 0 and len(CHORD_QUALITIES[c.quality]) == 3 else 0.0 for c in cands])
    first_full = 1 if anacrusis_beats > _EPS and len(units) > 1 else 0
    emission[first_full] += cfg.start_tonic_bonus * tonic
    emission[-1] += cfg.end_tonic_bonus * tonic
    base = np.full((len(cands), len(cands)), 0.0)
    np.fill_diagonal(base, cfg.hold_bonus)
    for a, ca in enumerate(cands):
        if ca.degree == 4 and ca.quality in ("maj", "dom7"):
            base[a] += cfg.dominant_resolution_bonus * tonic
    change = 1.0 - np.eye(len(cands))
    cost = {"bar": 0.0, "weak": cfg.weak_mid_bar_change_cost, "strong": cfg.strong_mid_bar_change_cost}
    path = _viterbi(emission, [base - cost[u[2]] * change for u in units])
    chords: list[Chord] = []
    for (s, e, _), j in zip(units, path):
        c = cands[j]
        if chords and chords[-1].root_pc == c.root_pc and chords[-1].quality == c.quality:
            prev = chords[-1]
            chords[-1] = Chord(prev.root_pc, prev.quality, prev.onset_beats, e - prev.onset_beats)
        else:
            chords.append(Chord(c.root_pc, c.quality, s, e - s))
    return tuple(chords)


def _viterbi(emission: np.ndarray, transitions: Sequence[np.ndarray]) -> list[int]:
    """Max-sum path; ``transitions[t][a, b]`` scores moving from state a (unit t-1) to b (unit t)."""
    n_units, _ = emission.shape
    score = emission[0].copy()
    back = np.zeros(emission.shape, dtype=np.int64)
    for t in range(1, n_units):
        total = score[:, None] + transitions[t]
        back[t] = np.argmax(total, axis=0)
        score = total[back[t], np.arange(total.shape[1])] + emission[t]
    path = [int(np.argmax(score))]
    for t in range(n_units - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def chord_tone_counts(*, notes: Sequence[Note], chords: Sequence[Chord]) -> ChordToneCounts:
    """Count melody notes whose pitch class belongs to the chord sounding at the note's onset.

    Notes with no chord sounding count as non-chord tones.
    """
    ordered = sorted(chords, key=lambda c: c.onset_beats)
    onsets = [c.onset_beats for c in ordered]
    hit = 0
    hit_beats = 0.0
    for n in notes:
        i = bisect.bisect_right(onsets, n.onset_beats + _EPS) - 1
        if i >= 0 and n.onset_beats < ordered[i].end_beats - _EPS and n.pitch % 12 in ordered[i].pitch_classes:
            hit += 1
            hit_beats += n.duration_beats
    return ChordToneCounts(hit, len(notes), hit_beats, float(sum(n.duration_beats for n in notes)))
