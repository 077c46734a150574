"""Build the corpus cache from music21's corpus, and load it: ``build_corpus``, ``load_corpus``."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from music_models.corpus.cache import (
    build_lock,
    collection_params_hash,
    collection_path,
    music21_version,
    read_meta,
    read_records,
    write_meta,
    write_records,
)
from music_models.corpus.config import CorpusConfig
from music_models.corpus.dedupe import SPLITS, dedupe_keys, split_of
from music_models.corpus.harmoniser import HarmoniserConfig
from music_models.corpus.jobs import (
    JobResult,
    ParseJob,
    fast_music21,
    jobs_for_collection,
    run_chunk,
    worker_init,
)
from music_models.corpus.registry import COLLECTIONS, resolve_collections
from music_models.corpus.stats import CorpusStats, summarise_tunes
from music_models.errors import ConfigError, CorpusError
from music_models.paths import corpus_dir
from music_models.types import Tune

__all__ = ["build_corpus", "load_corpus"]

logger = logging.getLogger(__name__)

_MAX_FAILURE_EXAMPLES = 200
# Tunes already read in this process, per collection file: {path: ((mtime_ns, size), tunes)}.
_TUNES_MEMO: dict[str, tuple[tuple[int, int], tuple[Tune, ...]]] = {}


def build_corpus(
    *, collections: Iterable[str] | None = None, rebuild: bool = False, workers: int | None = None,
    progress: bool = True, config: CorpusConfig | None = None, harmoniser: HarmoniserConfig | None = None,
) -> CorpusStats:
    """Parse the collections into the cache (only those missing or built with other parameters, or all
    with ``rebuild``) and return the statistics of the deduplicated corpus."""
    cfg = config or CorpusConfig()
    hcfg = harmoniser or HarmoniserConfig()
    names = resolve_collections(collections)
    n_workers = cfg.workers if workers is None else workers
    if n_workers < 1:
        raise ConfigError(f"workers must be >= 1, got {n_workers}; use 1 to parse in-process")
    t0 = time.perf_counter()
    with build_lock():
        meta = read_meta()
        hashes = {n: collection_params_hash(COLLECTIONS[n], cfg, hcfg) for n in names}
        stale = [n for n in names if rebuild or _is_stale(n, hashes[n], meta)]
        if stale:
            _parse_collections(stale, hashes, meta, cfg, hcfg, n_workers, progress)
        combined = _combined_hash(hashes)
        last = meta.get("last_build")
        if not stale and isinstance(last, dict) and last.get("params_hash") == combined \
                and last.get("collections") == names:
            return CorpusStats.from_dict({**last, "build_time_s": round(time.perf_counter() - t0, 3),
                                          "parsed_now": []})
        stats = _stats(names, meta, cfg, combined, stale, t0)
        meta.update({"music21_version": music21_version(), "params_hash": combined, "last_build": stats.to_dict(),
                     "config": cfg.to_dict(), "harmoniser": hcfg.to_dict()})
        write_meta(meta)
    return stats


def load_corpus(
    *, collections: Iterable[str] | None = None, split: str | None = None, config: CorpusConfig | None = None,
    harmoniser: HarmoniserConfig | None = None, progress: bool = True,
) -> list[Tune]:
    """The deduplicated corpus (or one split of it), sorted by tune id; builds the cache if needed.

    Duplicates are resolved over the collections asked for: of tunes with the same melody, the one of
    the earliest collection in :data:`COLLECTIONS` is kept. Tunes are shared between calls in one
    process (they are frozen; do not mutate their ``extra``).
    """
    cfg = config or CorpusConfig()
    hcfg = harmoniser or HarmoniserConfig()
    names = resolve_collections(collections)
    if split is not None and split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")
    meta = read_meta()
    hashes = {n: collection_params_hash(COLLECTIONS[n], cfg, hcfg) for n in names}
    if any(_is_stale(n, hashes[n], meta) for n in names):
        build_corpus(collections=names, progress=progress, config=cfg, harmoniser=hcfg)
    tunes = _deduped(names)[0]
    if split is None:
        return list(tunes)
    return [t for t in tunes if split_of(t.tune_id, config=cfg) == split]


def _is_stale(name: str, params_hash: str, meta: dict[str, Any]) -> bool:
    entry = meta.get("collections", {}).get(name)
    return not entry or entry.get("params_hash") != params_hash or not collection_path(name).is_file()


def _combined_hash(hashes: dict[str, str]) -> str:
    return hashlib.sha1(repr(sorted(hashes.items())).encode()).hexdigest()[:12]


def _parse_collections(
    names: Sequence[str], hashes: dict[str, str], meta: dict[str, Any], cfg: CorpusConfig,
    hcfg: HarmoniserConfig, workers: int, progress: bool,
) -> None:
    from tqdm import tqdm

    jobs: list[ParseJob] = []
    results: dict[str, list[JobResult]] = {n: [] for n in names}
    for n in names:
        coll_jobs, failures = jobs_for_collection(COLLECTIONS[n])
        jobs.extend(coll_jobs)
        results[n].extend(failures)
    chunks = [(jobs[i:i + cfg.chunk_size], cfg, hcfg) for i in range(0, len(jobs), cfg.chunk_size)]
    t0 = time.perf_counter()
    logger.info("parsing %d tunes of %s with %d worker(s)", len(jobs), ", ".join(names), workers)
    with tqdm(total=len(jobs), unit="tune", desc="parsing corpus", disable=not progress) as bar:
        if workers == 1:
            with fast_music21():
                for chunk in chunks:
                    _collect(run_chunk(chunk), results, bar)
        else:
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(min(workers, max(len(chunks), 1)), initializer=worker_init) as pool:
                for out in pool.imap_unordered(run_chunk, chunks):
                    _collect(out, results, bar)
    elapsed = time.perf_counter() - t0
    for n in names:
        ok = sorted((r.tune for r in results[n] if r.tune is not None), key=lambda d: d["tune_id"])
        errors = sorted(r.error or "" for r in results[n] if r.tune is None)
        for e in errors:
            logger.warning("skipped %s", e)
        write_records(collection_path(n), ok)
        _TUNES_MEMO.pop(str(collection_path(n)), None)
        meta.setdefault("collections", {})[n] = {
            "params_hash": hashes[n], "parsed": len(ok), "failures": len(errors),
            "failure_examples": errors[:_MAX_FAILURE_EXAMPLES], "parse_time_s": round(elapsed, 2),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    meta["music21_version"] = music21_version()
    write_meta(meta)


def _collect(out: list[JobResult], results: dict[str, list[JobResult]], bar: Any) -> None:
    for r in out:
        results[r.collection].append(r)
    bar.update(len(out))


def _tunes_of(name: str) -> tuple[Tune, ...]:
    path: Path = collection_path(name)
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise CorpusError(f"the {name} cache is missing; run 'humdinger data corpus' to build it") from exc
    stamp = (st.st_mtime_ns, st.st_size)
    memo = _TUNES_MEMO.get(str(path))
    if memo is not None and memo[0] == stamp:
        return memo[1]
    try:
        tunes = tuple(Tune.from_dict(r) for r in read_records(path))
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"{path} holds a malformed record ({exc}); run 'humdinger data corpus --rebuild'") from exc
    _TUNES_MEMO[str(path)] = (stamp, tunes)
    return tunes


def _deduped(names: Sequence[str]) -> tuple[list[Tune], list[tuple[str, str]], int]:
    """Kept tunes (sorted by id), (dropped, kept) pairs, and how many were read."""
    everything = [t for n in names for t in _tunes_of(n)]
    items = [(t.collection, t.tune_id, str(t.extra.get("dedupe_key", t.tune_id))) for t in everything]
    kept_ids, dropped = dedupe_keys(items=items, collection_order=list(COLLECTIONS))
    seen: set[str] = set()
    kept: list[Tune] = []
    for t in sorted(everything, key=lambda t: t.tune_id):
        if t.tune_id in kept_ids and t.tune_id not in seen:
            seen.add(t.tune_id)
            kept.append(t)
    return kept, dropped, len(everything)


def _stats(
    names: Sequence[str], meta: dict[str, Any], cfg: CorpusConfig, combined: str, parsed_now: Sequence[str],
    t0: float,
) -> CorpusStats:
    kept, dropped, _ = _deduped(names)
    by_id = {t.tune_id: t.collection for n in names for t in _tunes_of(n)}
    dup_by: dict[str, int] = {n: 0 for n in names}
    for dropped_id, _kept_id in dropped:
        dup_by[by_id[dropped_id]] += 1
    entries = meta.get("collections", {})
    summary = summarise_tunes(tunes=kept, splits={t.tune_id: split_of(t.tune_id, config=cfg) for t in kept},
                              collections=names)
    return CorpusStats(
        collections=tuple(names),
        parsed_by_collection={n: int(entries.get(n, {}).get("parsed", 0)) for n in names},
        failures_by_collection={n: int(entries.get(n, {}).get("failures", 0)) for n in names},
        duplicates_by_collection=dup_by,
        music21_version=music21_version(),
        params_hash=combined,
        build_time_s=round(time.perf_counter() - t0, 3),
        parsed_now=tuple(parsed_now),
        cache_dir=str(corpus_dir()),
        failure_examples={n: list(entries.get(n, {}).get("failure_examples", [])[:10]) for n in names},
        **summary,
    )
