"""The query-by-humming evaluation: one library, one set of queries, every system scored side by side.

Library: every tune of the query split (unseen in training) plus distractors up to the library size.
Melodic queries: synthetic hums/whistles/songs/instrument phrases of query-split tunes in the library,
made by :func:`music_models.queries.dataset.write_query_set` (cached by request under
``<data_dir>/eval/queries/``). Non-melodic queries: speech, noise, silence (a ``match`` verdict on one
is a false match). Each system sees exactly the same recordings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from music_models.errors import ConfigError, CorpusError
from music_models.evaluation.config import EvalConfig
from music_models.evaluation.metrics import rank_of
from music_models.evaluation.systems import System
from music_models.types import Tune

__all__ = ["EvalQuery", "QueryOutcome", "all_queries", "load_pools", "melodic_queries", "nonmelodic_queries",
           "run_queries", "select_library"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalQuery:
    """One query recording; ``tune_id`` and ``level`` are empty for non-melodic queries."""

    samples: np.ndarray
    sample_rate_hz: int
    kind: str  # hum, whistle, sing, instrument | speech, white_noise, pink_noise, silence
    level: str
    tune_id: str

    @property
    def melodic(self) -> bool:
        return bool(self.tune_id)


@dataclass(frozen=True)
class QueryOutcome:
    """How one system did on one query. ``rank`` is 1-based within the returned list, None if absent."""

    system: str
    kind: str
    level: str
    tune_id: str
    rank: int | None
    verdict: str
    latency_ms: float

    @property
    def melodic(self) -> bool:
        return bool(self.tune_id)

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "kind": self.kind, "level": self.level, "tune_id": self.tune_id,
                "rank": self.rank, "verdict": self.verdict, "latency_ms": round(self.latency_ms, 2)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QueryOutcome:
        rank = d.get("rank")
        return cls(str(d["system"]), str(d["kind"]), str(d["level"]), str(d["tune_id"]),
                   None if rank is None else int(rank), str(d["verdict"]), float(d["latency_ms"]))


def load_pools(*, split: str, progress: bool = False) -> tuple[list[Tune], list[Tune]]:
    """(tunes of ``split``, every other tune of the corpus) from the corpus cache."""
    from music_models.corpus import load_corpus

    everything = load_corpus(split=None, progress=progress)
    query_ids = {t.tune_id for t in load_corpus(split=split, progress=False)}
    return [t for t in everything if t.tune_id in query_ids], [t for t in everything if t.tune_id not in query_ids]


def select_library(
    *, query_pool: Sequence[Tune], distractor_pool: Sequence[Tune], size: int, seed: int
) -> tuple[list[Tune], list[Tune]]:
    """(library, query tunes): every query-pool tune plus seeded distractors up to ``size`` songs.

    With ``size`` below the query pool's size (a smoke run) the library is a seeded sample of the
    query pool alone. Tunes without notes are left out of both. The library is sorted by tune id.
    """
    queryable = [t for t in query_pool if t.notes]
    if not queryable:
        raise CorpusError("no tunes with notes to make queries from; build the corpus with 'humdinger data corpus'")
    ids = [t.tune_id for t in queryable]
    if len(set(ids)) != len(ids):
        raise CorpusError("tune ids repeat in the query split; rebuild the corpus with 'humdinger data corpus'")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x11B]))
    if size <= len(queryable):
        pick = sorted(rng.choice(len(queryable), size=size, replace=False))
        chosen = [queryable[i] for i in pick]
        return sorted(chosen, key=lambda t: t.tune_id), chosen
    seen = set(ids)
    others = [t for t in distractor_pool if t.notes and t.tune_id not in seen]
    n_extra = min(size - len(queryable), len(others))
    if n_extra < size - len(queryable):
        logger.warning("only %d distractors available; the library has %d songs, not %d",
                       len(others), len(queryable) + n_extra, size)
    extra = [others[i] for i in sorted(rng.choice(len(others), size=n_extra, replace=False))] if n_extra else []
    return sorted(queryable + extra, key=lambda t: t.tune_id), queryable


def _query_set_key(*, tunes: Sequence[Tune], config: EvalConfig) -> str:
    req = {"n": config.queries, "kinds": list(config.kinds), "levels": list(config.levels), "seed": config.seed,
           "duration_s": config.duration_s, "tunes": sorted(t.tune_id for t in tunes)}
    return hashlib.sha1(json.dumps(req, sort_keys=True).encode()).hexdigest()[:12]


def melodic_queries(
    *, tunes: Sequence[Tune], config: EvalConfig, work_dir: Path, progress: bool = False
) -> list[tuple[Path, str, str, str]]:
    """Make (or find cached) the melodic queries; returns (wav path, kind, level, tune id) per query."""
    from music_models.queries.config import QueryConfig
    from music_models.queries.dataset import MANIFEST_NAME, read_manifest, write_query_set

    out_dir = Path(work_dir) / "queries" / _query_set_key(tunes=tunes, config=config)
    qcfg = replace(QueryConfig(), target_duration_s=float(config.duration_s))
    write_query_set(tunes=list(tunes), out_dir=out_dir, n=config.queries, kinds=list(config.kinds),
                    levels=list(config.levels), seed=config.seed, config=qcfg, progress=progress)
    return [(out_dir / name, truth.kind, truth.level, truth.tune_id)
            for name, truth in read_manifest(out_dir / MANIFEST_NAME)]


def nonmelodic_queries(*, config: EvalConfig, sample_rate_hz: int = 16000) -> Iterator[EvalQuery]:
    """``nonmelodic_per_kind`` recordings of each non-melodic kind, deterministic in the config's seed."""
    from music_models.evaluation.nonmelodic import nonmelodic_query

    for kind_index, kind in enumerate(config.nonmelodic_kinds):
        for i in range(config.nonmelodic_per_kind):
            seed = int(np.random.SeedSequence([int(config.seed), 0xA0, kind_index, i]).generate_state(1)[0])
            y = nonmelodic_query(kind=kind, duration_s=config.duration_s, sample_rate_hz=sample_rate_hz, seed=seed)
            yield EvalQuery(y, sample_rate_hz, kind, "", "")


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        y, sr = sf.read(str(path), dtype="float32", always_2d=False)
    except (OSError, RuntimeError) as exc:
        raise CorpusError(f"cannot read eval query {path}: {exc}; delete {path.parent} and run again") from exc
    return y, int(sr)


def load_queries(entries: Sequence[tuple[Path, str, str, str]]) -> Iterator[EvalQuery]:
    """The recordings of (wav, kind, level, tune id) entries, read one at a time."""
    for path, kind, level, tune_id in entries:
        y, sr = _read_wav(path)
        yield EvalQuery(y, sr, kind, level, tune_id)


def run_queries(
    *, systems: Sequence[System], queries: Iterator[EvalQuery], total: int, top_k: int, progress: bool = False
) -> list[QueryOutcome]:
    """Every system answers every query; latency is the wall time of ``rank`` as the harness sees it."""
    from tqdm import tqdm

    if top_k < 1:
        raise ConfigError(f"top_k must be at least 1, got {top_k}")
    outcomes: list[QueryOutcome] = []
    with tqdm(total=total, unit="query", desc="evaluating", disable=not progress) as bar:
        for q in queries:
            for system in systems:
                t0 = time.perf_counter()
                answer = system.rank(q.samples, q.sample_rate_hz, top_k)
                latency_ms = (time.perf_counter() - t0) * 1e3
                ranked = answer.song_ids[:top_k]
                rank = rank_of(truth=q.tune_id, ranked_ids=ranked) if q.melodic else None
                outcomes.append(QueryOutcome(system.name, q.kind, q.level, q.tune_id, rank, answer.verdict,
                                             latency_ms))
            bar.update(1)
    return outcomes


def all_queries(
    *, entries: Sequence[tuple[Path, str, str, str]], config: EvalConfig
) -> tuple[Iterator[EvalQuery], int]:
    """The melodic queries read from disk, then the non-melodic ones; and how many there are."""

    def gen() -> Iterator[EvalQuery]:
        yield from load_queries(entries)
        yield from nonmelodic_queries(config=config)

    return gen(), len(entries) + config.nonmelodic_per_kind * len(config.nonmelodic_kinds)
