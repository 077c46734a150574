"""Building the feature bank from the corpus: render arrangements, synthesise queries, take features.

Work is split into shards (one ``.npz`` per ``shard_size`` tunes) so an interrupted build resumes
where it stopped; two worker processes each keep one FluidSynth alive.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from music_models.features.spectrogram import FeatureConfig, log_spectrogram
from music_models.training.bank import BankItem, FeatureBank
from music_models.types import Tune

__all__ = ["BankConfig", "build_bank", "item_from_query", "item_from_recording"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BankConfig:
    renderings_per_tune: int = 1
    queries_per_tune: int = 2
    query_kinds: tuple[str, ...] = ("hum", "whistle", "sing", "instrument")
    query_levels: tuple[str, ...] = ("clean", "moderate", "moderate", "heavy")
    query_duration_s: tuple[float, float] = (6.0, 12.0)
    max_recording_s: float = 45.0
    shard_size: int = 50
    seed: int = 1234

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _frame_beats(times_s: np.ndarray, beats: np.ndarray, n_frames: int, fps: float) -> np.ndarray:
    """Beat position of every frame by interpolating (time, beat) anchors; NaN outside them."""
    t = (np.arange(n_frames) + 0.5) / fps
    order = np.argsort(times_s)
    out = np.interp(t, times_s[order], beats[order]).astype(np.float32)
    out[(t < times_s.min() - 0.25) | (t > times_s.max() + 0.5)] = np.nan
    return out


def item_from_recording(tune: Tune, samples: np.ndarray, arrangement: Any, *, features: FeatureConfig,
                        kind: str, meta: dict[str, Any]) -> BankItem:
    feats = log_spectrogram(samples, config=features)
    n = feats.shape[1]
    beats = np.arange(0.0, tune.duration_beats + 1e-9, 0.25)
    times = np.array([arrangement.beat_to_s(float(b)) for b in beats])
    return BankItem(tune.tune_id, "recording", kind, feats.astype(np.float16),
                    _frame_beats(times, beats, n, features.frames_per_s), meta)


def item_from_query(tune: Tune, query: Any, *, features: FeatureConfig) -> BankItem:
    truth = query.truth
    feats = log_spectrogram(query.samples, config=features)
    notes = [n for n in truth.notes if not getattr(n, "wrong", False)] or list(truth.notes)
    times = np.array([n.onset_s for n in notes] + [notes[-1].onset_s + notes[-1].duration_s])
    beats = np.array([n.onset_beats for n in notes] + [notes[-1].onset_beats + notes[-1].duration_beats])
    return BankItem(tune.tune_id, "query", truth.kind, feats.astype(np.float16),
                    _frame_beats(times, beats, feats.shape[1], features.frames_per_s),
                    {"level": truth.level, "seed": truth.seed, "transposition": truth.transposition_semitones,
                     "tempo_ratio": truth.tempo_ratio})


_WORKER: dict[str, Any] = {}


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)
    from music_models.render import FluidSynthRenderer

    _WORKER["renderer"] = FluidSynthRenderer()


def _tune_seed(tune_id: str, base: int) -> int:
    import zlib

    return (zlib.crc32(tune_id.encode()) + base) % (2**31)


def _build_items(args: tuple[Tune, BankConfig, FeatureConfig]) -> list[BankItem]:
    from music_models.arrange import arrange
    from music_models.queries import QueryConfig, synthesise_query

    tune, cfg, features = args
    renderer = _WORKER["renderer"]
    seed = _tune_seed(tune.tune_id, cfg.seed)
    rng = np.random.default_rng(seed)
    items: list[BankItem] = []
    try:
        for r in range(cfg.renderings_per_tune):
            arr = arrange(tune, seed=seed + r)
            audio = renderer.render_arrangement(arr)
            samples = audio.samples[: int(cfg.max_recording_s * audio.sample_rate_hz)]
            items.append(item_from_recording(tune, samples, arr, features=features, kind="recording",
                                             meta={"seed": seed + r, "programs": arr.programs}))
        for q in range(cfg.queries_per_tune):
            kind = cfg.query_kinds[int(rng.integers(len(cfg.query_kinds)))]
            level = cfg.query_levels[int(rng.integers(len(cfg.query_levels)))]
            duration = float(rng.uniform(*cfg.query_duration_s))
            qcfg = QueryConfig(level=level, target_duration_s=duration)
            query = synthesise_query(tune, kind=kind, seed=seed * 7 + q, config=qcfg, renderer=renderer)
            items.append(item_from_query(tune, query, features=features))
    except Exception as exc:  # noqa: BLE001 -- one bad tune must not stop a build of thousands; logged, counted
        log.warning("skipping tune %s in the feature bank: %s", tune.tune_id, exc)
        return []
    return items


def build_bank(tunes: list[Tune], directory: Path, *, config: BankConfig = BankConfig(),
               features: FeatureConfig = FeatureConfig(), workers: int = 2, desc: str = "feature bank") -> FeatureBank:
    """Build (or finish building) the bank for ``tunes`` in ``directory``; returns the loaded bank."""
    import multiprocessing as mp

    from tqdm import tqdm

    directory.mkdir(parents=True, exist_ok=True)
    shards = [tunes[i : i + config.shard_size] for i in range(0, len(tunes), config.shard_size)]
    todo = [(i, s) for i, s in enumerate(shards) if not (directory / f"shard-{i:05d}.npz").exists()]
    bar = tqdm(total=len(tunes), initial=len(tunes) - sum(len(s) for _, s in todo), desc=desc, unit="tune")
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init) as pool:
        for i, shard in todo:
            items: list[BankItem] = []
            for got in pool.imap(_build_items, [(t, config, features) for t in shard]):
                items.extend(got)
                bar.update(1)
            FeatureBank.save_shard(directory / f"shard-{i:05d}.npz", items)
    bar.close()
    return FeatureBank.load(directory)
