"""``synthesise_query``: a span of a tune, performed by a person, recorded in a room on a device."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from music_models.errors import ConfigError, CorpusError, RenderError
from music_models.queries.articulation import articulate, choose_syllables
from music_models.queries.config import QUERY_KINDS, QueryConfig
from music_models.queries.degrade import BackgroundPool, apply_degradation, draw_degradation, set_rms_dbfs
from music_models.queries.envelope import note_envelope
from music_models.queries.instrument import MidiRenderer, default_renderer, render_instrument
from music_models.queries.performance import Performance, perform
from music_models.queries.performers import choose_performer
from music_models.queries.truth import QueryTruth
from music_models.queries.voice import render_voice
from music_models.queries.whistle import render_whistle
from music_models.types import Tune

__all__ = ["SOURCE_RMS_DBFS", "SyntheticQuery", "synthesise_query"]

log = logging.getLogger(__name__)

SOURCE_RMS_DBFS = -24.0  # level of the dry performance before the room and the device


@dataclass(frozen=True)
class SyntheticQuery:
    """A query recording (float32 mono in [-1, 1]), its ground truth, and the dry performance it came from."""

    samples: np.ndarray
    sample_rate_hz: int
    truth: QueryTruth
    source_samples: np.ndarray  # the performance before room and device, same length as samples


def _choose_start(*, tune: Tune, seconds_per_beat: float, target_s: float, rng: np.random.Generator) -> int:
    """A random note to start at that leaves enough melody to fill ``target_s``; else the first note."""
    end_beats = tune.duration_beats
    remaining = np.array([(end_beats - n.onset_beats) * seconds_per_beat for n in tune.notes])
    ok = np.flatnonzero(remaining >= target_s - 0.4)
    return int(rng.choice(ok)) if len(ok) else 0


def synthesise_query(
    tune: Tune,
    *,
    kind: str,
    seed: int,
    config: QueryConfig | None = None,
    renderer: MidiRenderer | None = None,
    background: BackgroundPool | None = None,
) -> SyntheticQuery:
    """Synthesise one query of ``kind`` ("hum", "whistle", "sing", "instrument") from a random span of ``tune``.

    Deterministic in ``seed``. ``renderer`` (instrument kind) defaults to the project's FluidSynth
    renderer; ``background`` supplies audio for babble/music noise (pink noise is used without it).
    """
    cfg = config or QueryConfig()
    cfg.validate()
    if kind not in QUERY_KINDS:
        raise ConfigError(f"unknown query kind {kind!r}; choose from {', '.join(QUERY_KINDS)}")
    if not tune.notes:
        raise CorpusError(f"tune {tune.tune_id!r} has no notes; it cannot be performed")
    if not np.isfinite(tune.tempo_qpm) or tune.tempo_qpm <= 0:
        raise CorpusError(f"tune {tune.tune_id!r} has tempo {tune.tempo_qpm} qpm; fix its tempo in the corpus")
    r_span, r_perf, r_art, r_synth, r_draw, r_apply = (np.random.default_rng(s)
                                                       for s in np.random.SeedSequence(seed).spawn(6))
    pc = cfg.performance
    tempo_ratio = float(r_span.uniform(*pc.tempo_ratio_range))
    target = cfg.target_duration_s if cfg.target_duration_s is not None else float(
        r_span.uniform(*cfg.target_duration_s_range))
    spb = 60.0 / (tune.tempo_qpm * tempo_ratio)
    start = _choose_start(tune=tune, seconds_per_beat=spb, target_s=target, rng=r_span)
    style = choose_performer(kind=kind, rng=r_perf)
    perf = perform(notes=tune.notes, start_index=start, tempo_qpm=tune.tempo_qpm, tempo_ratio=tempo_ratio,
                   target_duration_s=target, style=style, config=pc, frame_rate_hz=cfg.frame_rate_hz, rng=r_perf)
    if perf.duration_s < cfg.min_duration_s - 1e-6:
        raise CorpusError(
            f"tune {tune.tune_id!r} gives only {perf.duration_s:.1f} s of melody at {perf.tempo_qpm:.0f} qpm; "
            f"queries need at least {cfg.min_duration_s} s: skip this tune or lower min_duration_s"
        )
    sr = cfg.sample_rate_hz
    audio, perf, syllable = _render(kind=kind, perf=perf, style_name=style.name, renderer=renderer, sr=sr,
                                    r_art=r_art, r_synth=r_synth)
    n = int(round(perf.duration_s * sr))
    audio = np.pad(audio, (0, max(0, n - len(audio))))[:n]
    if not np.all(np.isfinite(audio)) or float(np.max(np.abs(audio), initial=0.0)) <= 1e-9:
        raise RenderError(f"{kind} synthesis of tune {tune.tune_id!r} (seed {seed}) produced silence or NaN")
    source = set_rms_dbfs(signal=audio, rms_dbfs=SOURCE_RMS_DBFS)
    level = cfg.level
    drawn = draw_degradation(level=level, config=cfg.degradation(level), rng=r_draw)
    recorded, params = apply_degradation(signal=source, params=drawn, sample_rate_hz=sr,
                                         pool=background or BackgroundPool(), rng=r_apply)
    truth = QueryTruth(
        tune_id=tune.tune_id, kind=kind, seed=int(seed), sample_rate_hz=sr, duration_s=n / sr,
        start_beat=perf.start_beat, end_beat=perf.end_beat, start_note_index=perf.start_note_index,
        end_note_index=perf.end_note_index, transposition_semitones=perf.transposition_semitones,
        tempo_ratio=tempo_ratio, tempo_qpm=perf.tempo_qpm, performance=replace(perf.params, syllable=syllable),
        degradation=params, notes=perf.notes, skipped_note_indices=perf.skipped_note_indices,
        pauses_s=perf.pauses_s,
    )
    log.debug("query %s/%s seed %d: %.1f s, notes %d-%d", tune.tune_id, kind, seed, truth.duration_s,
              truth.start_note_index, truth.end_note_index)
    return SyntheticQuery(recorded.astype(np.float32), sr, truth, source.astype(np.float32))


def _render(
    *, kind: str, perf: Performance, style_name: str, renderer: MidiRenderer | None, sr: int,
    r_art: np.random.Generator, r_synth: np.random.Generator,
) -> tuple[np.ndarray, Performance, str]:
    if kind in ("hum", "sing"):
        main, syllables = choose_syllables(kind=kind, n_notes=len(perf.notes), rng=r_art)
        perf = replace(perf, notes=tuple(replace(nt, syllable=s) for nt, s in zip(perf.notes, syllables,
                                                                                   strict=True)))
        track = articulate(performance=perf, syllables=syllables, voice=style_name, kind=kind, rng=r_art)
        return render_voice(track=track, sample_rate_hz=sr, rng=r_synth), perf, main
    if kind == "whistle":
        amp = note_envelope(f0_hz=perf.f0_hz, notes=perf.notes, frame_rate_hz=perf.frame_rate_hz,
                            attack_s=float(r_art.uniform(0.02, 0.05)), release_s=float(r_art.uniform(0.03, 0.07)),
                            dip=float(r_art.uniform(0.3, 0.8)), rng=r_art)
        audio = render_whistle(f0_hz=perf.f0_hz, amp=amp, notes=perf.notes, frame_rate_hz=perf.frame_rate_hz,
                               sample_rate_hz=sr, rng=r_synth)
        return audio, perf, ""
    r = renderer if renderer is not None else default_renderer()
    audio = render_instrument(notes=perf.notes, gm_program=perf.params.gm_program, duration_s=perf.duration_s,
                              sample_rate_hz=sr, renderer=r, rng=r_synth)
    return audio, perf, ""
