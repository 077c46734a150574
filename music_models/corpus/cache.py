"""The on-disk corpus cache: one JSONL.gz of ``Tune.to_dict`` records per collection, plus ``meta.json``."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from music_models.corpus.config import CORPUS_FORMAT_VERSION, CorpusConfig
from music_models.corpus.harmoniser import HarmoniserConfig
from music_models.corpus.registry import CollectionSpec
from music_models.errors import CorpusError
from music_models.paths import corpus_dir

__all__ = [
    "build_lock",
    "collection_params_hash",
    "collection_path",
    "meta_path",
    "music21_version",
    "read_meta",
    "read_records",
    "write_meta",
    "write_records",
]

logger = logging.getLogger(__name__)


def collection_path(name: str) -> Path:
    return corpus_dir() / "collections" / f"{name}.jsonl.gz"


def meta_path() -> Path:
    return corpus_dir() / "meta.json"


def music21_version() -> str:
    try:
        return metadata.version("music21")
    except metadata.PackageNotFoundError as exc:
        raise CorpusError("music21 is not installed; run 'make setup'") from exc


def collection_params_hash(spec: CollectionSpec, config: CorpusConfig, harmoniser: HarmoniserConfig) -> str:
    """What a collection's cached records depend on: the code's format, settings, music21 (which ships
    the corpus files) and the collection's definition."""
    payload = {
        "format": CORPUS_FORMAT_VERSION,
        "config": config.params_hash(),
        "harmoniser": harmoniser.to_dict(),
        "music21": music21_version(),
        "spec": spec.to_dict(),
    }
    return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def write_records(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records atomically (temp file, then rename); returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    n = 0
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
            n += 1
    os.replace(tmp, path)
    return n


def read_records(path: Path) -> list[dict[str, Any]]:
    """All records of a collection file."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError as exc:
        raise CorpusError(f"corpus cache file {path} is missing; run 'humdinger data corpus' to build it") from exc
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise CorpusError(f"corpus cache file {path} is corrupt ({exc}); run 'humdinger data corpus --rebuild'") from exc


def read_meta() -> dict[str, Any]:
    """``meta.json``, or an empty skeleton when there is none (or it is unreadable)."""
    path = meta_path()
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(meta, dict):
            meta.setdefault("collections", {})
            return meta
    except FileNotFoundError:
        pass
    except (OSError, json.JSONDecodeError) as exc:
        logger.warning("ignoring unreadable %s (%s); the corpus will be rebuilt", path, exc)
    return {"collections": {}}


def write_meta(meta: dict[str, Any]) -> None:
    path = meta_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".meta.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """Exclusive lock on the cache while building, so two processes do not parse the same corpus."""
    import fcntl

    path = corpus_dir() / ".build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
