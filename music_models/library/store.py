"""The library's Qdrant storage: two collections per library, opened once per process.

Layout (library ``L``):

* ``L_segments`` — one point per window (4 s, hop 1 s) of every song; payload: song id, title, artist,
  collection, source path, offset_s, key, tempo, segment index. Point ids are UUID5 of
  ``song_id/segment_index`` (song id = content hash or tune id), so re-indexing overwrites, never adds.
* ``L_songs`` — a few summary vectors per song (k-means centroids of its windows) carrying the song
  record. A song's summaries are written only after all its segments are in: they are its commit mark.

Identify searches the small ``L_songs`` for candidates, then fetches the candidates' segments by id
(``retrieve``: a dict lookup in local mode) instead of searching or filtering ``L_segments`` — local
mode is exact search in Python, ~370 ms for 7 query vectors over 100k points.

Distance: Euclidean. The adversarial prior shapes z as N(0, I), so distances are meaningful in
absolute terms and a vector's norm carries information (how typical the content is); cosine would
throw the norm away.

Storage: embedded local mode (``QdrantClient(path=...)``, nothing to start) by default; a Qdrant
server when ``QDRANT_URL`` (and ``QDRANT_API_KEY``) are set. Local mode locks its folder, so one
client per folder is shared by everything in this process; another process gets a clear error.
"""

from __future__ import annotations

import atexit
import logging
import sqlite3
import threading
import uuid
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Self

import numpy as np

from music_models.errors import LibraryError
from music_models.library.config import LibraryConfig
from music_models.library.types import SongRecord

__all__ = ["LibraryStore", "segment_point_id", "summary_point_id"]

logger = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1d3c5e-4b0a-5d8e-9c1f-68756d64696e")  # fixed: ids must never change
_CLIENTS: dict[str, list[Any]] = {}  # key -> [client, users]
_LOCK = threading.Lock()
_AT_EXIT: list[Any] = []


def segment_point_id(song_id: str, index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{song_id}/{index}"))


def summary_point_id(song_id: str, index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{song_id}/summary/{index}"))


def _by_song(parts: dict[str, list[tuple[int, float, Any]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``song_id -> (z [n, dim], starts_s [n])`` from ``(segment index, offset_s, vector)`` rows, in segment order."""
    out = {}
    for sid, rows in parts.items():
        rows.sort(key=lambda t: t[0])
        out[sid] = (np.asarray([v for _, _, v in rows], dtype=np.float32),
                    np.asarray([s for _, s, _ in rows], dtype=np.float64))
    return out


def _acquire(config: LibraryConfig, *, create: bool) -> tuple[str, Any]:
    from qdrant_client import QdrantClient

    url = config.server_url()
    key = url or str(config.storage_path().resolve())
    with _LOCK:
        if key in _CLIENTS:
            _CLIENTS[key][1] += 1
            return key, _CLIENTS[key][0]
        if url:
            try:
                client = QdrantClient(url=url, api_key=config.server_api_key() or None, timeout=30)
                client.get_collections()
            except Exception as exc:  # httpx/grpc errors of many kinds
                raise LibraryError(f"cannot reach the Qdrant server at {url} ({exc}); start it "
                                   "(docker compose up qdrant) or unset QDRANT_URL to use the local store") from exc
        else:
            path = config.storage_path()
            if not create and not path.is_dir():
                raise LibraryError(f"no library at {path}; build one with 'humdinger library build' "
                                   "or 'humdinger index PATH'")
            try:
                path.mkdir(parents=True, exist_ok=True)
                with warnings.catch_warnings():  # the >20k-points notice: the two-stage layout is the answer
                    warnings.filterwarnings("ignore", message=".*[Ll]ocal mode.*")
                    client = QdrantClient(path=str(path))
            except RuntimeError as exc:
                raise LibraryError(f"the library at {path} is open in another process ({exc}); close that "
                                   "humdinger, or run a Qdrant server and set QDRANT_URL to share it") from exc
            except OSError as exc:
                raise LibraryError(f"cannot open the library at {path} ({exc}); check the folder's permissions "
                                   "or set HUMDINGER_DATA") from exc
        if not _AT_EXIT:
            _AT_EXIT.append(atexit.register(_close_all))  # local mode must flush and unlock before the interpreter tears down
        _CLIENTS[key] = [client, 1]
        return key, client


def _close_all() -> None:
    with _LOCK:
        for client, _ in _CLIENTS.values():
            try:
                client.close()
            except Exception as exc:  # noqa: BLE001 - closing at exit must never raise
                logger.debug("closing a Qdrant client at exit failed: %s", exc)
        _CLIENTS.clear()


def _release(key: str) -> None:
    with _LOCK:
        entry = _CLIENTS.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _CLIENTS[key]
            entry[0].close()


class LibraryStore:
    """One library's two collections on a shared Qdrant client."""

    def __init__(self, config: LibraryConfig, *, create: bool = False) -> None:
        config.validate()
        self.config = config
        self.segments_name = f"{config.name}_segments"
        self.songs_name = f"{config.name}_songs"
        self.local = not config.server_url()
        self._key, self.client = _acquire(config, create=create)
        self._fast_commits()

    def _fast_commits(self) -> None:
        """Local mode commits every point to SQLite with an fsync (~40 points/s on a busy disk here).

        WAL journaling with ``synchronous=NORMAL`` keeps the file consistent and skips the per-commit
        fsync (~3,500 points/s); a power cut can lose the last commits, which the commit-mark design
        absorbs (an uncommitted song is simply indexed again). Uses qdrant-client's local internals
        (pinned 1.20); if they change, the default slow path stays.
        """
        if not self.local:
            return
        collections = getattr(getattr(self.client, "_client", None), "collections", {})
        for name in (self.segments_name, self.songs_name):
            conn = getattr(getattr(collections.get(name), "storage", None), "storage", None)
            if conn is None:
                continue
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except (sqlite3.Error, AttributeError) as exc:
                logger.debug("could not switch %s to WAL: %s", name, exc)

    def close(self) -> None:
        if self._key:
            _release(self._key)
            self._key = ""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- collections -------------------------------------------------------------------------------
    def exists(self) -> bool:
        return bool(self.client.collection_exists(self.songs_name) and
                    self.client.collection_exists(self.segments_name))

    def dim(self) -> int | None:
        """The vector size of this library, None when it does not exist yet."""
        if not self.exists():
            return None
        params = self.client.get_collection(self.songs_name).config.params.vectors
        return int(params.size)

    def ensure(self, dim: int) -> None:
        """Create both collections (Euclidean, ``dim``-d) if missing; refuse a library of another size."""
        from qdrant_client import models

        have = self.dim()
        if have is not None:
            if have != dim:
                raise LibraryError(f"library {self.config.name!r} holds {have}-d vectors but the model makes "
                                   f"{dim}-d ones; rebuild it with --rebuild (or use another --collection)")
            return
        for name in (self.segments_name, self.songs_name):
            if not self.client.collection_exists(name):
                self.client.create_collection(name, vectors_config=models.VectorParams(
                    size=dim, distance=models.Distance.EUCLID))
        self._fast_commits()

    def drop(self) -> None:
        for name in (self.segments_name, self.songs_name):
            if self.client.collection_exists(name):
                self.client.delete_collection(name)

    def count_segments(self) -> int:
        return int(self.client.count(self.segments_name, exact=True).count) if self.exists() else 0

    # -- writing -----------------------------------------------------------------------------------
    def _upsert(self, name: str, points: list[Any]) -> None:
        with warnings.catch_warnings():  # local mode warns above 20k points; the layout accounts for it
            warnings.filterwarnings("ignore", message=".*[Ll]ocal mode.*")
            for i in range(0, len(points), self.config.upsert_batch):
                self.client.upsert(name, points=points[i:i + self.config.upsert_batch], wait=True)

    def upsert_segments(self, song: SongRecord, *, z: np.ndarray, starts_s: Sequence[float]) -> None:
        from qdrant_client import models

        base = {"song_id": song.song_id, "title": song.title, "artist": song.artist,
                "collection": song.collection, "source_path": song.source_path, "key": song.key,
                "tempo_qpm": song.tempo_qpm}
        points = [models.PointStruct(id=segment_point_id(song.song_id, i), vector=z[i].astype(float).tolist(),
                                     payload=base | {"offset_s": round(float(s), 3), "segment_index": i})
                  for i, s in enumerate(starts_s)]
        self._upsert(self.segments_name, points)

    def commit_song(self, song: SongRecord, *, summaries: np.ndarray) -> None:
        """Write the song's summary points: from now on the song is complete and searchable."""
        from qdrant_client import models

        payload = song.to_dict()
        points = [models.PointStruct(id=summary_point_id(song.song_id, k), vector=v.astype(float).tolist(),
                                     payload=payload | {"summary_index": k}) for k, v in enumerate(summaries)]
        self._upsert(self.songs_name, points)

    # -- reading -----------------------------------------------------------------------------------
    def songs(self) -> dict[str, SongRecord]:
        """Every complete song, by id (one scroll over the small songs collection)."""
        from qdrant_client import models

        if not self.exists():
            return {}
        flt = models.Filter(must=[models.FieldCondition(key="summary_index", match=models.MatchValue(value=0))])
        out: dict[str, SongRecord] = {}
        offset = None
        while True:
            records, offset = self.client.scroll(self.songs_name, scroll_filter=flt, limit=1024, offset=offset,
                                                 with_payload=True, with_vectors=False)
            for r in records:
                song = SongRecord.from_dict(r.payload or {})
                out[song.song_id] = song
            if offset is None:
                return out

    def search_summaries(self, queries: np.ndarray, *, limit: int) -> list[list[tuple[str, float]]]:
        """For each query vector: ``[(song_id, distance)]`` of its nearest summary points."""
        from qdrant_client import models

        requests = [models.QueryRequest(query=q.astype(float).tolist(), limit=limit,
                                        with_payload=models.PayloadSelectorInclude(include=["song_id"]))
                    for q in np.atleast_2d(queries)]
        responses = self.client.query_batch_points(self.songs_name, requests=requests)
        return [[(str(p.payload["song_id"]), float(p.score)) for p in resp.points] for resp in responses]

    def segments_of(self, songs: Iterable[SongRecord]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``song_id -> (z [n, dim], starts_s [n])`` fetched by point id."""
        wanted: dict[str, tuple[str, int]] = {}
        for song in songs:
            for i in range(song.n_segments):
                wanted[segment_point_id(song.song_id, i)] = (song.song_id, i)
        if not wanted:
            return {}
        records = self.client.retrieve(self.segments_name, ids=list(wanted), with_vectors=True,
                                       with_payload=["offset_s"])
        parts: dict[str, list[tuple[int, float, Any]]] = {}
        for r in records:
            sid, i = wanted[str(r.id)]
            parts.setdefault(sid, []).append((i, float((r.payload or {}).get("offset_s", i)), r.vector))
        return _by_song(parts)

    def all_segments(self, song_ids: Iterable[str] | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every segment (``song_id -> (z [n, dim], starts_s [n])``, in segment order), by one scroll;
        with ``song_ids``, only those songs' (points of songs still being indexed are left out that way)."""
        if not self.exists():
            return {}
        keep = set(song_ids) if song_ids is not None else None
        parts: dict[str, list[tuple[int, float, Any]]] = {}
        offset = None
        while True:
            records, offset = self.client.scroll(self.segments_name, limit=4096, offset=offset, with_vectors=True,
                                                 with_payload=["song_id", "offset_s", "segment_index"])
            for r in records:
                p = r.payload or {}
                sid = str(p.get("song_id", ""))
                if keep is None or sid in keep:
                    parts.setdefault(sid, []).append((int(p.get("segment_index", 0)),
                                                      float(p.get("offset_s", 0.0)), r.vector))
            if offset is None:
                break
        return _by_song(parts)
