"""The performance step: notes in beats -> performed notes in seconds + a continuous f0 contour.

Pure and seeded: :func:`perform` draws every imperfection's amount from ``PerformanceConfig`` with the
generator it is given, and returns them with the result. Synthesisers render from the contour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from music_models.errors import CorpusError
from music_models.queries.config import PerformanceConfig
from music_models.queries.performers import PerformerStyle
from music_models.queries.truth import PerformanceParams, PerformedNote
from music_models.types import Note

__all__ = ["Performance", "hz_to_midi", "midi_to_hz", "perform", "smooth_noise"]

_MIN_NOTE_S = 0.06


@dataclass(frozen=True)
class Performance:
    """A performed span. ``f0_hz`` (0 = silent) carries intonation, drift, vibrato and portamento;
    ``target_f0_hz`` is the performed notes' pitches only (after transposition, before intonation)."""

    notes: tuple[PerformedNote, ...]
    params: PerformanceParams
    f0_hz: np.ndarray
    target_f0_hz: np.ndarray
    frame_rate_hz: float
    duration_s: float
    tempo_ratio: float
    tempo_qpm: float
    transposition_semitones: int
    start_note_index: int
    end_note_index: int
    start_beat: float
    end_beat: float
    skipped_note_indices: tuple[int, ...]
    pauses_s: tuple[tuple[float, float], ...]


def midi_to_hz(midi: np.ndarray | float) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)


def hz_to_midi(hz: np.ndarray | float) -> np.ndarray:
    return 69.0 + 12.0 * np.log2(np.asarray(hz, dtype=float) / 440.0)


def smooth_noise(*, n: int, step: float, period_range: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """A slow random curve in [-1, 1] over ``n`` points spaced ``step`` apart: a sum of 3 random sinusoids."""
    x = np.arange(n) * step
    out = np.zeros(n)
    for _ in range(3):
        period = rng.uniform(*period_range)
        out += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * x / period + rng.uniform(0, 2 * np.pi))
    peak = float(np.max(np.abs(out))) if n else 0.0
    return out / peak if peak > 0 else out


def _u(rng: np.random.Generator, r: tuple[float, float]) -> float:
    return float(rng.uniform(r[0], r[1])) if r[1] > r[0] else float(r[0])


def _transposition(pitches: np.ndarray, style: PerformerStyle, shift: int) -> int:
    """Random shift plus the octave shift that puts the median nearest the performer's centre, kept in range."""
    median = float(np.median(pitches))
    total = shift + 12 * int(round((style.center_midi - median - shift) / 12.0))
    while pitches.max() + total > style.high_midi and pitches.min() + total - 12 >= style.low_midi - 3:
        total -= 12
    while pitches.min() + total < style.low_midi and pitches.max() + total + 12 <= style.high_midi + 3:
        total += 12
    while pitches.max() + total > 108:
        total -= 12
    while pitches.min() + total < 21:
        total += 12
    return total


def perform(
    *,
    notes: Sequence[Note],
    start_index: int,
    tempo_qpm: float,
    tempo_ratio: float,
    target_duration_s: float,
    style: PerformerStyle,
    config: PerformanceConfig,
    frame_rate_hz: float,
    rng: np.random.Generator,
) -> Performance:
    """Perform ``notes[start_index:]`` until ``target_duration_s`` (lead-in and tail included) is filled."""
    if not 0 <= start_index < len(notes):
        raise CorpusError(f"start note {start_index} is outside the tune's {len(notes)} notes")
    if tempo_qpm <= 0 or tempo_ratio <= 0:
        raise CorpusError(f"tempo must be positive (tempo_qpm={tempo_qpm}, ratio={tempo_ratio}); fix the tune")
    c = config
    spb = 60.0 / (tempo_qpm * tempo_ratio)
    drift = _u(rng, c.tempo_drift_range)
    lead_in, tail = _u(rng, c.lead_in_s_range), _u(rng, c.tail_s_range)
    jitter_sd = _u(rng, c.onset_jitter_sd_s_range)
    legato = _u(rng, c.legato_range)
    wrong_p, skip_p, pause_p = (_u(rng, c.wrong_note_prob_range), _u(rng, c.skip_note_prob_range),
                                _u(rng, c.pause_prob_range))
    limit_s = target_duration_s - tail

    # Only the notes that can fit (the tempo can speed up by at most `drift`).
    b0 = notes[start_index].onset_beats
    max_beats = (limit_s - lead_in) / (spb * (1.0 - drift)) + 1e-9 if limit_s > lead_in else 0.0
    span = [n for n in notes[start_index:] if n.onset_beats - b0 < max_beats]
    if not span:
        span = [notes[start_index]]
    rel_on = np.array([n.onset_beats - b0 for n in span])
    dur_b = np.array([max(n.duration_beats, 1e-3) for n in span])

    # Drifting tempo: beats -> seconds by integrating the local beat period.
    step = 0.01
    grid = np.arange(0.0, float((rel_on + dur_b).max()) + 2 * step, step)
    factor = 1.0 + drift * smooth_noise(n=len(grid), step=step, period_range=(6.0, 24.0), rng=rng)
    t_grid = np.concatenate([[0.0], np.cumsum(spb * step / factor)[:-1]])

    def beat_s(b: np.ndarray) -> np.ndarray:
        return np.interp(b, grid, t_grid)

    on_nom, end_nom = beat_s(rel_on), beat_s(rel_on + dur_b)
    n = len(span)
    shift = np.zeros(n)
    stretch = np.ones(n)
    pauses: list[tuple[int, float]] = []
    acc = 0.0
    for i in range(n):
        shift[i] = acc
        if dur_b[i] >= c.hold_min_beats:
            stretch[i] = _u(rng, c.hold_stretch_range)
            acc += (stretch[i] - 1.0) * (end_nom[i] - on_nom[i])
        is_phrase_end = i + 1 < n and (rel_on[i + 1] - (rel_on[i] + dur_b[i]) >= 0.25 or dur_b[i] >= 2.0)
        if is_phrase_end and rng.random() < pause_p:
            p = _u(rng, c.pause_s_range)
            pauses.append((i, p))
            acc += p
    onset = lead_in + on_nom + shift
    slot_end = onset + (end_nom - on_nom) * stretch
    sound_end = onset + (slot_end - onset) * np.clip(legato + rng.normal(0, 0.03, n), 0.6, 1.0)
    onset = onset + np.where(np.arange(n) > 0, rng.normal(0.0, jitter_sd, n) if jitter_sd > 0 else 0.0, 0.0)
    for i in range(1, n):  # jitter never reorders notes or makes them vanish
        onset[i] = max(onset[i], onset[i - 1] + _MIN_NOTE_S)
    sound_end = np.maximum(sound_end, onset + _MIN_NOTE_S)
    sound_end[:-1] = np.minimum(sound_end[:-1], np.maximum(onset[1:] - 0.005, onset[:-1] + 0.03))

    # Transposition from the performed span's pitches.
    pitches = np.array([nt.pitch for nt in span])
    rand_shift = int(rng.integers(-c.transpose_max_semitones, c.transpose_max_semitones + 1))
    transpose = _transposition(pitches, style, rand_shift)

    # Wrong and skipped notes (never the first).
    wrong = (rng.random(n) < wrong_p) & (np.arange(n) > 0)
    wrong_step = rng.choice([-2, -1, 1, 2], size=n)
    skip = (rng.random(n) < skip_p) & (np.arange(n) > 0)
    skip[1:] &= ~skip[:-1]

    # Intonation: per-note error + slow drift, the sum bounded by the per-query maximum.
    into_sd = _u(rng, c.intonation_sd_cents_range) if style.intonation else 0.0
    into_max = _u(rng, c.intonation_max_cents_range) if style.intonation else 0.0
    drift_max = _u(rng, c.drift_max_cents_range) if style.intonation else 0.0
    note_cents = rng.normal(0.0, into_sd, n) if into_sd > 0 else np.zeros(n)
    vib_rate = _u(rng, c.vibrato_rate_hz_range)
    vib_depth = _u(rng, style.vibrato_depth_cents_range)
    port_s = _u(rng, c.portamento_s_range) if style.portamento else 0.0

    kept: list[PerformedNote] = []
    skipped: list[int] = []
    for i in range(n):
        src = start_index + i
        if onset[i] >= limit_s - 0.15 and kept:
            break
        if skip[i]:
            skipped.append(src)
            if kept:  # the previous note is held through the skipped one
                prev = kept[-1]
                kept[-1] = _with_end(prev, float(min(sound_end[i], limit_s)), dur_b[i] + (rel_on[i] - rel_on[i - 1]))
            continue
        end = float(min(sound_end[i], limit_s))
        frac = (end - onset[i]) / max(sound_end[i] - onset[i], 1e-9)
        p = int(span[i].pitch + transpose + (wrong_step[i] if wrong[i] else 0))
        kept.append(PerformedNote(
            source_index=src, pitch=p, intended_pitch=int(span[i].pitch + transpose),
            onset_s=float(onset[i]), duration_s=max(end - float(onset[i]), 0.03),
            onset_beats=float(span[i].onset_beats), duration_beats=float(dur_b[i] * min(frac, 1.0)),
            cents_offset=0.0, wrong=bool(wrong[i]),
        ))
    last = kept[-1]
    duration_s = min(last.end_s + tail, target_duration_s)
    pause_list = tuple((float(sound_end[i]), p) for i, p in pauses if sound_end[i] < last.end_s)

    n_frames = int(np.ceil(duration_s * frame_rate_hz))
    t = np.arange(n_frames) / frame_rate_hz
    drift_curve = drift_max * smooth_noise(n=n_frames, step=1.0 / frame_rate_hz, period_range=(3.0, 12.0), rng=rng)
    drift_curve -= drift_curve[0] if n_frames else 0.0
    cents, target, offsets, note_idx = _contours(kept, t, note_cents, port_s, style, rng)
    offsets = np.clip(offsets + drift_curve, -into_max, into_max) if style.intonation else np.zeros(n_frames)
    vib = _vibrato(kept, t, note_idx, vib_rate, vib_depth, rng)
    voiced = cents > 0
    f0 = np.where(voiced, midi_to_hz((cents + offsets + vib) / 100.0), 0.0)
    final = []
    for k, nt in enumerate(kept):
        fr = min(int(nt.onset_s * frame_rate_hz), n_frames - 1)
        final.append(PerformedNote(**{**nt.to_dict(), "cents_offset": float(offsets[fr])}))
    params = PerformanceParams(
        performer=style.name, random_shift_semitones=rand_shift, octave_shift=(transpose - rand_shift) // 12,
        tempo_drift=drift, onset_jitter_sd_s=jitter_sd, legato=legato, intonation_sd_cents=into_sd,
        intonation_max_cents=into_max, drift_max_cents=drift_max, vibrato_rate_hz=vib_rate,
        vibrato_depth_cents=vib_depth, portamento_s=port_s, wrong_note_prob=wrong_p, skip_note_prob=skip_p,
        pause_prob=pause_p, lead_in_s=lead_in, tail_s=tail, gm_program=style.gm_program,
    )
    return Performance(
        notes=tuple(final), params=params, f0_hz=f0, target_f0_hz=np.where(target > 0, midi_to_hz(target / 100), 0.0),
        frame_rate_hz=frame_rate_hz, duration_s=float(duration_s), tempo_ratio=tempo_ratio,
        tempo_qpm=tempo_qpm * tempo_ratio, transposition_semitones=transpose,
        start_note_index=start_index, end_note_index=final[-1].source_index + 1,
        start_beat=float(span[0].onset_beats), end_beat=final[-1].onset_beats + final[-1].duration_beats,
        skipped_note_indices=tuple(s for s in skipped if s < final[-1].source_index), pauses_s=pause_list,
    )


def _with_end(note: PerformedNote, end_s: float, duration_beats: float) -> PerformedNote:
    d = note.to_dict()
    d["duration_s"] = max(end_s - note.onset_s, 0.03)
    d["duration_beats"] = float(duration_beats)
    return PerformedNote.from_dict(d)


def _contours(
    notes: Sequence[PerformedNote], t: np.ndarray, note_cents: np.ndarray, port_s: float,
    style: PerformerStyle, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame pitch in cents (0 = silent) with portamento, the step target, per-note offsets, note index."""
    cents = np.zeros(len(t))
    target = np.zeros(len(t))
    offsets = np.zeros(len(t))
    note_idx = np.full(len(t), -1)
    for k, nt in enumerate(notes):
        m = (t >= nt.onset_s) & (t < nt.end_s)
        cents[m] = target[m] = nt.pitch * 100.0
        offsets[m] = note_cents[min(k, len(note_cents) - 1)]
        note_idx[m] = k
        if style.intonation and rng.random() < 0.3:  # a scoop up into the note
            depth, length = rng.uniform(20, 60), rng.uniform(0.04, 0.08)
            s = m & (t < nt.onset_s + length)
            cents[s] -= depth * (1.0 - (t[s] - nt.onset_s) / length)
    for a, b in pairwise(notes):
        if port_s <= 0 or b.onset_s - a.end_s > 0.1:
            continue
        lo, hi = a.end_s - port_s / 2, b.onset_s + port_s / 2
        g = (t >= lo) & (t < hi)
        x = np.clip((t[g] - lo) / max(hi - lo, 1e-6), 0.0, 1.0)
        w = x * x * (3 - 2 * x)
        cents[g] = (1 - w) * a.pitch * 100.0 + w * b.pitch * 100.0
        fill = (t >= a.end_s) & (t < b.onset_s)
        note_idx[fill] = note_idx[np.searchsorted(t, a.end_s) - 1] if np.any(fill) else -1
    return cents, target, offsets, note_idx


def _vibrato(
    notes: Sequence[PerformedNote], t: np.ndarray, note_idx: np.ndarray, rate_hz: float, depth_cents: float,
    rng: np.random.Generator,
) -> np.ndarray:
    vib = np.zeros(len(t))
    if depth_cents <= 0:
        return vib
    for k, nt in enumerate(notes):
        m = note_idx == k
        if not np.any(m):
            continue
        delay, fade = rng.uniform(0.1, 0.3), 0.15
        env = np.clip((t[m] - nt.onset_s - delay) / fade, 0.0, 1.0)
        rate = rate_hz * rng.uniform(0.95, 1.05)
        vib[m] = depth_cents * rng.uniform(0.6, 1.2) * env * np.sin(2 * np.pi * rate * (t[m] - nt.onset_s))
    return vib
