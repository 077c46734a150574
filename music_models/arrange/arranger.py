"""Tune + seed → :class:`Arrangement`: instruments, patterns, tempo, transposition and humanisation.

Each aspect (tempo, instruments, patterns, humanisation, ...) draws from its own random stream
derived from ``(seed, aspect)``, so the same seed always gives the same arrangement and changing
one aspect's logic does not reshuffle the others.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np

from music_models.arrange.config import (
    BASS_INSTRUMENTS,
    CHORD_INSTRUMENTS,
    MELODY_INSTRUMENTS,
    ArrangementConfig,
    Instrument,
)
from music_models.arrange.patterns import (
    DRUM_KIT_PROGRAMS,
    DRUM_KITS,
    BeatNote,
    bass_part,
    bass_styles_for,
    comp_part,
    comp_styles_for,
    drum_part,
)
from music_models.arrange.types import ArrangedNote, Arrangement, Track
from music_models.errors import RenderError
from music_models.types import Chord, Key, Note, Tune

__all__ = ["arrange", "melody_octave_shift", "tune_chords"]

logger = logging.getLogger(__name__)

_ASPECTS = ("tempo", "transpose", "melody", "comp", "bass", "drums", "mix", "humanise")


def _rng(seed: int, aspect: str) -> np.random.Generator:
    return np.random.default_rng([seed, _ASPECTS.index(aspect)])


def tune_chords(tune: Tune) -> tuple[Chord, ...]:
    """The tune's own chords, or the corpus harmoniser's when it has none."""
    if tune.chords:
        return tuple(sorted(tune.chords, key=lambda c: c.onset_beats))
    from music_models.corpus.harmoniser import harmonise

    return harmonise(notes=tune.notes, meter=tune.meter, key=tune.key, anacrusis_beats=tune.anacrusis_beats)


def melody_octave_shift(*, pitches: Sequence[int], low: int, high: int) -> int:
    """Octaves to move a melody so it fits ``[low, high]`` best: least overflow, then a median in the
    middle half of the range, then the smallest move."""
    lo, hi = min(pitches), max(pitches)
    centre, quarter = (low + high) / 2, (high - low) / 4
    median = float(np.median(pitches))

    def cost(k: int) -> tuple[float, float, int]:
        overflow = max(low - (lo + 12 * k), 0) + max(hi + 12 * k - high, 0)
        return (overflow, max(abs(median + 12 * k - centre) - quarter, 0.0), abs(k))

    candidates = [k for k in range(-4, 5) if 0 <= lo + 12 * k and hi + 12 * k <= 127]
    return min(candidates, key=cost) if candidates else 0


def _transpose_chord(c: Chord, t: int) -> Chord:
    bass = None if c.bass_pc is None else (c.bass_pc + t) % 12
    return Chord((c.root_pc + t) % 12, c.quality, c.onset_beats, c.duration_beats, bass)


def _pick(rng: np.random.Generator, items: Sequence[Instrument]) -> Instrument:
    return items[int(rng.integers(len(items)))]


def _validate(tune: Tune) -> None:
    if not tune.notes:
        raise RenderError(f"tune {tune.tune_id!r} has no notes; nothing to arrange (check the corpus entry)")
    if not (math.isfinite(tune.tempo_qpm) and tune.tempo_qpm > 0):
        raise RenderError(f"tune {tune.tune_id!r} has tempo {tune.tempo_qpm!r} qpm; it must be a positive number")
    bad = [n for n in tune.notes if not (0 <= n.pitch <= 127 and n.duration_beats > 0 and n.onset_beats >= 0)]
    if bad:
        raise RenderError(f"tune {tune.tune_id!r} has {len(bad)} invalid notes (first: {bad[0]}); pitches must be "
                          "0..127, onsets >= 0 and durations > 0")


def arrange(tune: Tune, *, seed: int, config: ArrangementConfig | None = None) -> Arrangement:
    """Arrange ``tune`` for melody, chords, bass and optional drums; deterministic for a given ``seed``."""
    cfg = config or ArrangementConfig()
    _validate(tune)
    seed = int(seed)
    if seed < 0:
        raise RenderError(f"seed must be >= 0, got {seed}")
    r = _rng(seed, "tempo")
    tempo = float(np.clip(tune.tempo_qpm * r.uniform(cfg.tempo_factor_min, cfg.tempo_factor_max),
                          cfg.tempo_min_qpm, cfg.tempo_max_qpm))
    r = _rng(seed, "transpose")
    transpose = 0
    if cfg.max_transpose_semitones > 0 and r.random() < cfg.transpose_probability:
        choices = [t for t in range(-cfg.max_transpose_semitones, cfg.max_transpose_semitones + 1) if t != 0]
        transpose = int(choices[int(r.integers(len(choices)))])
    key = Key((tune.key.tonic_pc + transpose) % 12, tune.key.mode)
    duration = tune.duration_beats
    accomp_start = 0.0 if cfg.accompany_pickup else tune.anacrusis_beats
    chords = tuple(_transpose_chord(c, transpose) for c in tune_chords(tune)
                   if c.end_beats > accomp_start + 1e-6 and c.onset_beats < duration - 1e-6)
    chords = tuple(Chord(c.root_pc, c.quality, max(c.onset_beats, accomp_start),
                         min(c.end_beats, duration) - max(c.onset_beats, accomp_start), c.bass_pc) for c in chords)

    r = _rng(seed, "melody")
    lead = _pick(r, MELODY_INSTRUMENTS)
    octave = melody_octave_shift(pitches=[n.pitch + transpose for n in tune.notes], low=lead.low, high=lead.high)
    shift = transpose + 12 * octave
    articulation = r.uniform(cfg.articulation_min, cfg.articulation_max)
    base_vel = int(r.integers(cfg.melody_velocity_min, cfg.melody_velocity_max + 1))
    melody = _melody_part(tune.notes, tune=tune, shift=shift, articulation=articulation, base_velocity=base_vel)

    parts: list[tuple[str, Instrument | None, str, list[BeatNote]]] = [("melody", lead, "lead", melody)]
    r = _rng(seed, "comp")
    comp_style = "none"
    if chords and r.random() < cfg.chords_probability:
        styles = comp_styles_for(tune.meter)
        comp_style = styles[int(r.integers(len(styles)))]
        inst = _pick(r, [i for i in CHORD_INSTRUMENTS if not i.styles or comp_style in i.styles])
        notes = comp_part(chords=chords, meter=tune.meter, start_beats=accomp_start, end_beats=duration,
                          style=comp_style, low=inst.low, high=inst.high, velocity=cfg.accompaniment_velocity,
                          strum_spread_s=cfg.strum_spread_ms / 1000.0, rng=r)
        parts.append(("chords", inst, comp_style, notes))
    r = _rng(seed, "bass")
    oom = comp_style in ("oom-pah", "oom-pah-pah", "jig")
    if chords and (oom or r.random() < cfg.bass_probability):
        styles = bass_styles_for(comp_style)
        bass_style = styles[int(r.integers(len(styles)))]
        inst = _pick(r, [i for i in BASS_INSTRUMENTS if not i.styles or bass_style in i.styles])
        notes = bass_part(chords=chords, meter=tune.meter, start_beats=accomp_start, end_beats=duration,
                          style=bass_style, comp_style=comp_style, scale_pcs=key.scale_pcs,
                          velocity=cfg.bass_velocity, rng=r)
        parts.append(("bass", inst, bass_style, notes))
    r = _rng(seed, "drums")
    if r.random() < cfg.drums_probability:
        kits = sorted(DRUM_KITS)
        kit = kits[int(r.integers(len(kits)))]
        notes = drum_part(meter=tune.meter, start_beats=accomp_start, end_beats=duration, kit=kit,
                          velocity=cfg.drum_velocity)
        parts.append(("drums", None, kit, notes))

    beat_times = tuple(cfg.lead_in_s + b * 60.0 / tempo for b in range(math.ceil(duration) + 2))
    end_s = cfg.lead_in_s + duration * 60.0 / tempo
    mix = _rng(seed, "mix")
    reverb = int(mix.integers(20, 80))
    hum = _rng(seed, "humanise")
    tracks = []
    for role, instrument, style, notes in parts:
        timed = _humanise(notes, tempo_qpm=tempo, lead_in_s=cfg.lead_in_s, end_s=end_s, cfg=cfg, rng=hum)
        volume, pan = _mix_levels(role, mix)
        drums = instrument is None
        program = DRUM_KIT_PROGRAMS.get(style, 0) if instrument is None else instrument.program
        tracks.append(Track(role=role, program=program, is_drum=drums, notes=_remove_overlaps(timed),
                            instrument_name="drum kit" if instrument is None else instrument.name,
                            style=style, volume=volume, pan=pan, reverb=reverb))
    logger.debug("arranged %s seed=%d: %s at %.1f qpm, transpose %+d", tune.tune_id, seed,
                 {t.role: (t.instrument_name, t.style) for t in tracks}, tempo, transpose)
    return Arrangement(tune_id=tune.tune_id, title=tune.title, seed=seed, tempo_qpm=tempo, meter=tune.meter,
                       key=key, transpose_semitones=transpose, melody_octave_shift=octave,
                       anacrusis_beats=tune.anacrusis_beats, duration_beats=duration, lead_in_s=cfg.lead_in_s,
                       beat_times_s=beat_times, chords=chords, tracks=tuple(tracks))


def _melody_part(
    notes: Sequence[Note], *, tune: Tune, shift: int, articulation: float, base_velocity: int
) -> list[BeatNote]:
    bar, pulse, ana = tune.meter.bar_beats, tune.meter.pulse_beats, tune.anacrusis_beats
    out = []
    for n in notes:
        pos = (n.onset_beats - ana) % bar
        accent = 6 if min(pos, bar - pos) < 1e-6 else (3 if min(pos % pulse, pulse - pos % pulse) < 1e-6 else 0)
        vel = int(np.clip(base_velocity + accent + (n.velocity - 90) // 2, 1, 127))
        out.append(BeatNote(n.pitch + shift, n.onset_beats, n.duration_beats * articulation, vel))
    return out


def _mix_levels(role: str, rng: np.random.Generator) -> tuple[int, int]:
    lo, hi, pan_spread = {"melody": (100, 118, 10), "chords": (72, 92, 30), "bass": (76, 96, 6),
                          "drums": (64, 84, 0)}[role]
    return int(rng.integers(lo, hi + 1)), 64 + int(rng.integers(-pan_spread, pan_spread + 1))


def _humanise(
    notes: Sequence[BeatNote], *, tempo_qpm: float, lead_in_s: float, end_s: float, cfg: ArrangementConfig,
    rng: np.random.Generator,
) -> list[ArrangedNote]:
    """Beats → seconds with a few ms of timing jitter and some velocity jitter; kept inside the tune."""
    spb = 60.0 / tempo_qpm
    clip = cfg.timing_jitter_clip_ms / 1000.0
    n = len(notes)
    jitter = np.clip(rng.normal(0.0, cfg.timing_jitter_ms / 1000.0, size=(n, 2)), -clip, clip)
    vel_jitter = rng.normal(0.0, cfg.velocity_jitter, size=n)
    out = []
    for i, b in enumerate(notes):
        start = max(lead_in_s + b.onset_beats * spb + b.offset_s + jitter[i, 0], 0.0)
        end = min(lead_in_s + (b.onset_beats + b.duration_beats) * spb + jitter[i, 1], end_s)
        if end - start < cfg.min_note_s:
            end = min(start + cfg.min_note_s, end_s)
        if end - start < cfg.min_note_s / 2:
            continue  # a strum string or a jittered note that would start after the tune ends
        out.append(ArrangedNote(int(b.pitch), start, end, int(np.clip(round(b.velocity + vel_jitter[i]), 1, 127))))
    return out


def _remove_overlaps(notes: Sequence[ArrangedNote]) -> tuple[ArrangedNote, ...]:
    """Cut a note where the same pitch starts again (one channel cannot hold a key twice)."""
    ordered = sorted(notes, key=lambda x: (x.start_s, x.pitch))
    out: list[ArrangedNote] = []
    last_by_pitch: dict[int, int] = {}
    for note in ordered:
        j = last_by_pitch.get(note.pitch)
        if j is not None and out[j].end_s > note.start_s - 1e-3:
            prev = out[j]
            out[j] = ArrangedNote(prev.pitch, prev.start_s, max(note.start_s - 1e-3, prev.start_s + 1e-3),
                                  prev.velocity)
        last_by_pitch[note.pitch] = len(out)
        out.append(note)
    return tuple(out)
