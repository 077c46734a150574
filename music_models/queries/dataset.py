"""A folder of synthetic queries: WAV files plus ``manifest.jsonl`` (one line per query: file + truth).

The folder also holds ``request.json`` (what was asked for); asking again for the same thing is a no-op.
Babble and music backgrounds are made from the dry performances of queries made earlier in the same
run, so they are not reproducible from a query's seed alone (the truth records the noise type and SNR).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from music_models.errors import ConfigError, CorpusError, HumdingerError
from music_models.queries.config import QueryConfig
from music_models.queries.degrade import BackgroundPool
from music_models.queries.instrument import MidiRenderer, default_renderer
from music_models.queries.synth import synthesise_query
from music_models.queries.truth import QueryTruth
from music_models.types import Tune

__all__ = ["MANIFEST_NAME", "QuerySetConfig", "QuerySetSummary", "query_seed", "read_manifest", "write_query_set"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"
_REQUEST_NAME = "request.json"


@dataclass(frozen=True)
class QuerySetConfig:
    """Defaults of ``humdinger data queries``."""

    split: str = "test"
    n: int = 8
    seed: int = 0
    out_dir: str = "out/queries"
    max_tries_per_query: int = 20  # tunes too short for a query are skipped, up to this many per query
    voice_pool_size: int = 12  # dry voices kept for babble
    music_pool_size: int = 6  # dry instrument renders kept for music backgrounds


@dataclass(frozen=True)
class QuerySetSummary:
    out_dir: str
    n_queries: int
    audio_s: float
    by_kind: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    skipped_tunes: int = 0
    up_to_date: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"out_dir": self.out_dir, "n_queries": self.n_queries, "audio_s": self.audio_s,
                "by_kind": dict(self.by_kind), "by_level": dict(self.by_level),
                "skipped_tunes": self.skipped_tunes, "up_to_date": self.up_to_date}


def query_seed(base_seed: int, index: int) -> int:
    """The seed of query ``index`` of a set made with ``base_seed`` (independent streams per query)."""
    return int(np.random.SeedSequence([int(base_seed), int(index)]).generate_state(1, dtype=np.uint32)[0])


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:60].strip("-") or "tune"


def read_manifest(path: Path) -> list[tuple[str, QueryTruth]]:
    """(WAV file name, truth) per line of a manifest."""
    out = []
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise HumdingerError(f"cannot read query manifest {path}: {exc}; run 'humdinger data queries'") from exc
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append((str(d["file"]), QueryTruth.from_dict(d["truth"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise HumdingerError(f"{path}:{k} is not a query manifest line ({exc}); delete the folder and "
                                 "run 'humdinger data queries' again") from exc
    return out


def write_query_set(
    *,
    tunes: Sequence[Tune],
    out_dir: Path,
    n: int,
    kinds: Sequence[str],
    levels: Sequence[str],
    seed: int,
    config: QueryConfig,
    set_config: QuerySetConfig | None = None,
    renderer_factory: Callable[[], MidiRenderer] = default_renderer,
    force: bool = False,
    progress: bool = True,
) -> QuerySetSummary:
    """Make ``n`` queries cycling through ``kinds`` (and ``levels``) over random tunes; write WAVs + manifest."""
    import soundfile as sf
    from tqdm import tqdm

    sc = set_config or QuerySetConfig()
    if n <= 0:
        raise ConfigError(f"--n must be at least 1, got {n}")
    if not kinds or not levels:
        raise ConfigError("give at least one query kind and one degradation level")
    for lv in levels:
        config.degradation(lv)
    replace(config, kinds=tuple(kinds)).validate()
    if not tunes:
        raise CorpusError("no tunes to make queries from; build the corpus with 'humdinger data corpus'")
    request = {"n": n, "kinds": list(kinds), "levels": list(levels), "seed": seed,
               "tune_ids_hash": _hash_ids([t.tune_id for t in tunes]), "config": config.to_dict()}
    out_dir = Path(out_dir)
    manifest = out_dir / MANIFEST_NAME
    if not force and _up_to_date(out_dir, request):
        entries = read_manifest(manifest)
        return _summary(out_dir, [t for _, t in entries], 0, up_to_date=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    pick = np.random.default_rng(np.random.SeedSequence([int(seed), 0x9E37]))
    voices: deque[np.ndarray] = deque(maxlen=sc.voice_pool_size)
    music: deque[np.ndarray] = deque(maxlen=sc.music_pool_size)
    renderer: MidiRenderer | None = None
    truths: list[QueryTruth] = []
    skipped = 0
    tmp = manifest.with_suffix(".jsonl.tmp")
    try:
        with tmp.open("w") as fh, tqdm(total=n, unit="query", desc="synthesising queries", disable=not progress) as bar:
            for i in range(n):
                kind = kinds[i % len(kinds)]
                level = levels[(i // len(kinds)) % len(levels)]
                if kind == "instrument" and renderer is None:
                    renderer = renderer_factory()
                cfg = replace(config, level=level)
                for _ in range(sc.max_tries_per_query):
                    tune = tunes[int(pick.integers(len(tunes)))]
                    try:
                        q = synthesise_query(tune, kind=kind, seed=query_seed(seed, i), config=cfg, renderer=renderer,
                                             background=BackgroundPool(tuple(voices), tuple(music)))
                        break
                    except CorpusError as exc:
                        skipped += 1
                        log.info("skipping tune %s: %s", tune.tune_id, exc)
                else:
                    raise CorpusError(f"{sc.max_tries_per_query} tunes in a row were too short for a query; "
                                      "use a longer --duration-s range or another split")
                name = f"{i:05d}_{kind}_{level}_{_safe(tune.tune_id)}.wav"
                sf.write(str(out_dir / name), q.samples, q.sample_rate_hz, subtype="PCM_16")
                fh.write(json.dumps({"file": name, "truth": q.truth.to_dict()}) + "\n")
                (music if kind == "instrument" else voices).append(q.source_samples)
                truths.append(q.truth)
                bar.update(1)
        os.replace(tmp, manifest)
        (out_dir / _REQUEST_NAME).write_text(json.dumps(request, indent=1, sort_keys=True))
    finally:
        tmp.unlink(missing_ok=True)
        close = getattr(renderer, "close", None)
        if callable(close):
            close()
    return _summary(out_dir, truths, skipped)


def _hash_ids(ids: Sequence[str]) -> str:
    import hashlib

    return hashlib.sha1("\n".join(ids).encode()).hexdigest()[:12]


def _up_to_date(out_dir: Path, request: dict[str, Any]) -> bool:
    try:
        old = json.loads((out_dir / _REQUEST_NAME).read_text())
    except (OSError, ValueError):
        return False
    if old != json.loads(json.dumps(request)):
        return False
    try:
        entries = read_manifest(out_dir / MANIFEST_NAME)
    except HumdingerError:
        return False
    return len(entries) == request["n"] and all((out_dir / f).is_file() for f, _ in entries)


def _summary(out_dir: Path, truths: Sequence[QueryTruth], skipped: int, *, up_to_date: bool = False) -> QuerySetSummary:
    return QuerySetSummary(
        out_dir=str(out_dir), n_queries=len(truths), audio_s=float(sum(t.duration_s for t in truths)),
        by_kind=dict(Counter(t.kind for t in truths)), by_level=dict(Counter(t.level for t in truths)),
        skipped_tunes=skipped, up_to_date=up_to_date,
    )
