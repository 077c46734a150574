"""The song library the voice assistant and the CLI use: identify a melody, find songs, play them.

>>> lib = Library.open(LibraryConfig())             # the store and the song list, once per process
>>> result = lib.identify(samples, 44_100, top_k=5) # any rate; mono or multi-channel
>>> result.verdict, result.results[0].title

identify: melody gate (no search without a melody) -> window embeddings -> candidate songs (every
segment in memory, or Qdrant's summary collection) -> temporal alignment per song -> the best 30
re-ranked by melody alignment (the gate's pitch track against each song's symbolic melody, where the
song has one) -> score, calibrated confidence, verdict ``match`` / ``unsure`` / ``no_melody``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np

from music_models.errors import LibraryError
from music_models.library.align import distance_matrix, similarity, temporal_alignments, vote
from music_models.library.calibration import confidences, load_calibration
from music_models.library.config import LibraryConfig
from music_models.library.melodies import MelodyFiles
from music_models.library.metadata import search_songs
from music_models.library.segment_matrix import SegmentMatrix
from music_models.library.store import LibraryStore
from music_models.library.types import IdentifyHit, IdentifyResult, SongRecord

__all__ = ["ClipEmbedder", "Library", "MelodyRerank"]

logger = logging.getLogger(__name__)

_SEAM_S = 8.0  # chunks of a long recording overlap by this much (>= one window)


class ClipEmbedder(Protocol):
    """What the library needs of the music-space model (:class:`music_models.space.embed.Embedder`)."""

    @property
    def dim(self) -> int: ...

    @property
    def sample_rate_hz(self) -> int: ...

    def embed(self, samples: np.ndarray) -> Any: ...  # -> EmbeddedClip (z, starts_s, timing_ms)


@runtime_checkable
class TimeScalingEmbedder(ClipEmbedder, Protocol):
    """An embedder that can also embed a query played faster or slower (one spectrogram, several clips);
    identify uses it for ``LibraryConfig.query_time_scales``. Others are embedded at their own tempo."""

    def embed_time_scaled(self, samples: np.ndarray, factors: tuple[float, ...]) -> list[Any]: ...


@dataclass(frozen=True)
class MelodyRerank:
    """:meth:`Library.rerank_by_melody`'s result: the re-scored ``(song, score, offset_s)`` rows, and what
    the widened search reuses: the query's contour (empty when nothing was aligned), the model's
    candidates as they were before fusion, their stored melodies and their melody costs."""

    scored: list[tuple[str, float, float]]
    contour: np.ndarray = field(default_factory=lambda: np.zeros(0))
    head: list[tuple[str, float, float]] = field(default_factory=list)
    costs: dict[str, float] = field(default_factory=dict)
    melodies: dict[str, np.ndarray] = field(default_factory=dict)


class Library:
    """One library (two Qdrant collections) with the model that embeds its queries.

    The model is loaded on first need (or by :meth:`warm`) and kept; pass ``embedder`` to use another
    (tests inject a fake). Satisfies :class:`skills.base.MusicLibrary`.
    """

    def __init__(self, store: LibraryStore, config: LibraryConfig, *, embedder: ClipEmbedder | None = None) -> None:
        self.store = store
        self.config = config
        self._embedder = embedder
        self._songs: dict[str, SongRecord] = store.songs()
        self._matrix: SegmentMatrix | None = None  # loaded on the first memory search, dropped on writes
        self._executor: Any = None  # the thread that embeds a query while the melody gate runs
        self.melodies = MelodyFiles(config.melodies_path())
        self._melody_index: Any = None  # every song's melody, for the widened search; dropped on writes
        fitted = load_calibration(config.calibration_path())
        self.calibration = fitted if fitted is not None else config.calibration

    @classmethod
    def open(cls, config: LibraryConfig | None = None, *, embedder: ClipEmbedder | None = None,
             create: bool = False) -> Library:
        """Open the library; ``create`` makes the storage folder when it is missing (indexing does)."""
        cfg = config or LibraryConfig()
        return cls(LibraryStore(cfg, create=create), cfg, embedder=embedder)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the model ---------------------------------------------------------------------------------
    @property
    def embedder(self) -> ClipEmbedder:
        if self._embedder is None:
            from music_models.space.embed import Embedder

            ckpt = Path(self.config.checkpoint) if self.config.checkpoint else None
            self._embedder = Embedder(ckpt)
            logger.info("music-space model loaded in %.0f ms", getattr(self._embedder, "load_ms", 0.0))
        return self._embedder

    def warm(self) -> None:
        """Load the model (and, for the in-memory search, every segment) now, and run one short identify
        of a few synthetic notes: the first identify would otherwise pay for all of it (librosa's and the
        DTW kernel's compiled code load on first use; right after install they are compiled, which took
        the fresh-clone demo's first identify 3.1 s)."""
        _ = self.embedder
        if self.config.candidate_search == "memory" and self._songs:
            self.segment_matrix()
        if self._songs and self.config.melody_match.widen_when_unsure:
            self.melody_index()
        if self._songs:
            sr = self.embedder.sample_rate_hz
            self.identify(warm_up_notes(sample_rate_hz=sr), sr, top_k=1, query="<warm-up>", widen=False)

    def embed_recording(self, samples: np.ndarray) -> tuple[np.ndarray, list[float]]:
        """Window embeddings of a whole recording, in chunks of ``embed_chunk_s`` so memory stays flat."""
        emb = self.embedder
        sr = emb.sample_rate_hz
        chunk = int(self.config.embed_chunk_s * sr)
        if len(samples) <= chunk * 1.5:
            clip = emb.embed(samples)
            return np.asarray(clip.z, dtype=np.float32), [float(s) for s in clip.starts_s]
        zs, starts = [], []
        span = int(_SEAM_S * sr)  # overlap so windows cross the chunk seams
        for a in range(0, len(samples), chunk):
            piece = samples[a:a + chunk + span]
            if len(piece) < sr:  # a sliver after the last full chunk is covered by its overlap
                break
            clip = emb.embed(piece)
            last = a + chunk >= len(samples)
            for z, s in zip(clip.z, clip.starts_s):
                if last or s < self.config.embed_chunk_s:
                    zs.append(z)
                    starts.append(a / sr + float(s))
            if last:
                break
        return np.asarray(zs, dtype=np.float32), starts

    def model_sha256(self) -> str:
        """The sha256 of the checkpoint that embeds queries and new songs ("" when the embedder has none)."""
        describe = getattr(self.embedder, "describe", None)
        return str(describe().get("sha256", "")) if callable(describe) else ""

    # -- songs ---------------------------------------------------------------------------------------
    @property
    def songs(self) -> dict[str, SongRecord]:
        return self._songs

    def stale_songs(self) -> set[str]:
        """Songs embedded by another checkpoint than the current one, or by an unrecorded one (libraries
        built before songs recorded it): their vectors may live in another space, so search leaves them
        out and building or indexing again re-embeds them."""
        current = self.model_sha256()
        if not current:
            return set()
        return {s for s, r in self._songs.items() if r.model_sha256 != current}

    def __len__(self) -> int:
        return len(self._songs)

    def refresh(self) -> None:
        """Re-read the song list (after another writer added songs through a shared server)."""
        self._songs = self.store.songs()
        self._matrix = None
        self._melody_index = None

    def add_song(self, song: SongRecord, *, z: np.ndarray, starts_s: Sequence[float]) -> None:
        """Write a song's segments, then its summaries (the commit mark). Re-adding overwrites."""
        from music_models.library.summaries import song_summaries

        if len(z) != len(starts_s) or len(z) == 0:
            raise LibraryError(f"song {song.song_id} has {len(z)} embeddings for {len(starts_s)} windows; "
                               "nothing was added")
        self.store.ensure(int(z.shape[1]))
        record = SongRecord.from_dict(song.to_dict() | {"n_segments": len(z), "model_sha256": self.model_sha256()})
        self.store.upsert_segments(record, z=z, starts_s=starts_s)
        self.store.commit_song(record, summaries=song_summaries(z=z, k=self.config.summaries_per_song))
        self._songs[record.song_id] = record
        self._matrix = None
        self._melody_index = None

    def clear(self) -> None:
        """Delete every song of this library (``--rebuild``)."""
        self.store.drop()
        self._songs = {}
        self._matrix = None
        self._melody_index = None

    def song(self, song_id: str) -> SongRecord:
        try:
            return self._songs[song_id]
        except KeyError:
            raise LibraryError(f"no song {song_id!r} in library {self.config.name!r}; "
                               "identify or search first to get a song id") from None

    def search_metadata(self, *, title: str | None = None, collection: str | None = None,
                        mood: str | None = None, limit: int = 5) -> list[SongRecord]:
        return search_songs(self._songs.values(), title=title, collection=collection, mood=mood, limit=limit)

    def similar_to(self, z: np.ndarray, limit: int = 5) -> list[SongRecord]:
        """Songs whose windows (memory search) or summaries (qdrant search) lie nearest to ``z`` (one vector
        or a query's windows)."""
        self._require_songs()
        q = np.atleast_2d(np.asarray(z, dtype=np.float32))
        if self.config.candidate_search == "memory":
            m = self.segment_matrix()
            near = m.nearest_songs(m.distances(q), limit)
            return [self._songs[m.song_ids[i]] for i, _ in near if m.song_ids[i] in self._songs]
        totals = self._candidate_costs(q, per_window=max(limit * self.config.summaries_per_song, 10))
        ranked = sorted(totals, key=lambda s: totals[s])
        return [self._songs[s] for s in ranked[:limit] if s in self._songs]

    # -- identify ------------------------------------------------------------------------------------
    def identify(self, samples: np.ndarray, sample_rate_hz: int, top_k: int | None = None, *,
                 query: str = "<samples>", load_ms: float = 0.0, widen: bool | None = None) -> IdentifyResult:
        """Name the song in ``samples`` (any rate, mono or multi-channel); ``load_ms`` adds decoding time.
        ``widen`` (default: ``melody_match.widen_when_unsure``) searches the whole library's melodies when
        the answer would be ``unsure`` (:meth:`widen_by_melody`)."""
        from music_models.library.audio_files import to_mono_16k
        from music_models.library.melody import clearly_melodic, gate_melody

        t0 = time.perf_counter()
        k = top_k or self.config.top_k
        self._require_songs()
        emb = self.embedder
        x = to_mono_16k(samples=samples, sample_rate_hz=sample_rate_hz, target_rate_hz=emb.sample_rate_hz)
        duration_s = len(x) / emb.sample_rate_hz
        t1 = time.perf_counter()
        timing = {"load": load_ms + (t1 - t0) * 1000}
        pending = self._pool().submit(self._embed_query, x) if self.config.embed_beside_gate else None
        melody, track, heard = gate_melody(samples=x, config=self.config.melody)
        t2 = time.perf_counter()
        timing["features"] = (t2 - t1) * 1000
        if not melody.is_melody:
            if pending is not None and pending.exception() is not None:  # waits: the embedder is not re-entrant
                logger.debug("embedding a non-melodic query failed (unused): %s", pending.exception())
            timing |= {"embed": 0.0, "search": 0.0, "total": load_ms + (time.perf_counter() - t0) * 1000}
            return IdentifyResult(query, duration_s, "no_melody", (), timing, None, melody)
        clips = pending.result() if pending is not None else self._embed_query(x)
        t3 = time.perf_counter()
        clip_ms = [getattr(c, "timing_ms", {}) or {} for c in clips]
        # With embed_beside_gate the clips' features and embedding ran during the gate's time: the stages
        # then overlap and can add up to more than "total", which is the wall time.
        timing["features"] += sum(float(m.get("features", 0.0)) for m in clip_ms)
        timing["embed"] = sum(float(m["embed"]) for m in clip_ms) if all("embed" in m for m in clip_ms) else (
            (t3 - t2) * 1000)
        qz = np.asarray(clips[0].z, dtype=np.float32)  # the query at its own tempo
        scored = self._score_time_scaled(clips)
        aligned = self.rerank_by_melody(scored, track=track)
        hits = self._hits(aligned.scored, top_k=k)
        mm = self.config.melody_match
        if hits and aligned.costs.get(hits[0].song_id, 0.0) > mm.widen_above_cost_semitones:
            hits = self._unsure(hits)  # its melody does not fit the hum well enough, whatever the margin says
        sure = bool(hits) and hits[0].confidence >= self.config.match_confidence
        doubt = not sure or hits[0].confidence < mm.widen_below_confidence  # a barely sure match: a second opinion
        if doubt and aligned.contour.size and (mm.widen_when_unsure if widen is None else widen):
            wide = self.widen_by_melody(aligned, samples_16k=heard)  # the audio the gate heard a melody in
            if wide:  # "unsure" (the calibration was fitted on the first search) unless it confirms a match
                widened = self._hits(wide, top_k=k)
                if sure:  # a match keeps first place; the widened search's other songs follow it
                    first = hits[0] if widened[0].song_id == hits[0].song_id else self._unsure(hits[:1])[0]
                    rest = [replace(h, rank=i + 2) for i, h in
                            enumerate(h for h in widened if h.song_id != first.song_id)][: k - 1]
                    hits = [first, *self._unsure(rest)]
                else:
                    hits = self._unsure(widened)
        t4 = time.perf_counter()
        timing["search"] = (t4 - t3) * 1000
        timing["total"] = load_ms + (t4 - t0) * 1000
        if hits and not clearly_melodic(melody, self.config.melody):  # only just a melody: never "match"
            hits = self._unsure(hits)
        verdict = "match" if hits and hits[0].confidence >= self.config.match_confidence else "unsure"
        return IdentifyResult(query, duration_s, verdict, tuple(hits), timing, qz, melody)

    def identify_file(self, path: str | Path, top_k: int | None = None) -> IdentifyResult:
        """Decode an audio file (WAV, FLAC, OGG, MP3; any rate and channels) and identify it."""
        from music_models.library.audio_files import read_audio_file

        t0 = time.perf_counter()
        audio = read_audio_file(path, max_duration_s=self.config.max_duration_s)
        load_ms = (time.perf_counter() - t0) * 1000
        return self.identify(audio.samples, audio.sample_rate_hz, top_k, query=str(path), load_ms=load_ms)

    def _pool(self) -> Any:
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="humdinger-embed")
        return self._executor

    def _embed_query(self, x: np.ndarray) -> list[Any]:
        """The query's clips: at its own tempo first, then at each other ``query_time_scales`` factor."""
        emb = self.embedder
        scales = tuple(self.config.query_time_scales)
        if scales == (1.0,) or not isinstance(emb, TimeScalingEmbedder):
            return [emb.embed(x)]
        return emb.embed_time_scaled(x, (1.0, *(f for f in scales if f != 1.0)))

    def _score_time_scaled(self, clips: Sequence[Any]) -> list[tuple[str, float, float]]:
        """:meth:`score_songs` of each clip, merged: each song keeps its best score (and that offset)."""
        zs = [np.asarray(clip.z, dtype=np.float32) for clip in clips]
        every = None  # the memory search: one pass over the segment matrix for every clip's windows
        if self.config.candidate_search == "memory":
            every = np.split(self.segment_matrix().distances(np.concatenate(zs)), np.cumsum([len(z) for z in zs])[:-1])
        best: dict[str, tuple[str, float, float]] = {}
        for i, (z, clip) in enumerate(zip(zs, clips)):
            rows = self.score_songs(z, [float(s) for s in clip.starts_s], distances=None if every is None else every[i])
            for row in rows:
                if row[0] not in best or row[1] > best[row[0]][1]:
                    best[row[0]] = row
        return sorted(best.values(), key=lambda t: (-t[1], t[0]))

    def _require_songs(self) -> None:
        if not self._songs:
            raise LibraryError(f"library {self.config.name!r} is empty; build it with 'humdinger library build' "
                               "or add music with 'humdinger index PATH'")

    def _candidate_costs(self, qz: np.ndarray, *, per_window: int) -> dict[str, float]:
        """Sum over query windows of each song's nearest-summary distance (the window's worst hit if absent)."""
        lists = self.store.search_summaries(qz, limit=per_window)
        best: list[dict[str, float]] = []
        for hits in lists:
            d: dict[str, float] = {}
            for sid, dist in hits:
                d[sid] = min(dist, d.get(sid, np.inf))
            best.append(d)
        songs = set().union(*best) if best else set()
        worst = [max(d.values(), default=0.0) for d in best]
        return {s: float(sum(d.get(s, w) for d, w in zip(best, worst))) for s in songs}

    def segment_matrix(self) -> SegmentMatrix:
        """Every complete song's segments in memory (read once per process, again after writes)."""
        if self._matrix is None:
            t0 = time.perf_counter()
            stale = self.stale_songs()
            if stale and len(stale) == len(self._songs):
                raise LibraryError(f"every song of library {self.config.name!r} was embedded by another model "
                                   "checkpoint; run 'humdinger library build --rebuild' (or 'humdinger index' on "
                                   "your files) to embed them with this one")
            if stale:
                logger.warning("%d of %d songs were embedded by another model checkpoint and are left out of "
                               "search; run 'humdinger library build' (or 'humdinger index' on their files) "
                               "again to re-embed them", len(stale), len(self._songs))
            current = sorted(set(self._songs) - stale)
            key = hashlib.sha1("\n".join(f"{s}:{self._songs[s].n_segments}:{self._songs[s].model_sha256}"
                                         for s in current).encode()).hexdigest()
            cache = self.config.segment_cache_path()
            self._matrix = SegmentMatrix.load(cache, key=key)
            if self._matrix is None:
                segments = self.store.all_segments(current)
                for sid, (z, starts) in segments.items():  # a re-added song may have left extra old points
                    n = self._songs[sid].n_segments or len(z)
                    segments[sid] = (z[:n], starts[:n])
                self._matrix = SegmentMatrix.build(segments)
                try:
                    self._matrix.save(cache, key=key)
                except OSError as exc:  # a read-only data folder: search works, the next start reads Qdrant again
                    logger.warning("could not cache the segment matrix at %s: %s", cache, exc)
            logger.info("segment matrix: %d songs, %d segments, loaded in %.0f ms", len(self._matrix),
                        self._matrix.n_segments, (time.perf_counter() - t0) * 1000)
        return self._matrix

    def _candidates(self, qz: np.ndarray, *, distances: np.ndarray | None = None
                    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``song_id -> (query x segment distances, segment starts)`` of the songs worth re-ranking
        (``distances``: ``qz``'s to the whole segment matrix, when the caller already has them)."""
        cfg = self.config
        if cfg.candidate_search == "memory":
            m = self.segment_matrix()
            d = m.distances(qz) if distances is None else distances
            return {m.song_ids[i]: (d[:, m.rows(i)], m.starts_s[m.rows(i)])
                    for i, _ in m.nearest_songs(d, cfg.rerank_songs) if m.song_ids[i] in self._songs}
        costs = self._candidate_costs(qz, per_window=cfg.candidates_per_window)
        chosen = sorted(costs, key=lambda s: costs[s])[:cfg.max_candidates]
        stale = self.stale_songs()
        segments = self.store.segments_of(self._songs[s] for s in chosen if s in self._songs and s not in stale)
        return {s: (distance_matrix(query=qz, segments=z), st) for s, (z, st) in segments.items()}

    def rank_windows(self, qz: np.ndarray, query_starts_s: Sequence[float], *, top_k: int) -> list[IdentifyHit]:
        """Rank songs for already-embedded query windows ``qz`` starting at ``query_starts_s`` (the model
        alone: no pitch track, so no melody re-rank), with calibrated confidences."""
        self._require_songs()
        return self._hits(self.score_songs(qz, query_starts_s), top_k=top_k)

    def score_songs(self, qz: np.ndarray, query_starts_s: Sequence[float], *,
                    distances: np.ndarray | None = None) -> list[tuple[str, float, float]]:
        """``(song, score, offset_s)`` of the candidate songs, best first.

        Candidates (``config.candidate_search``: an exact scan of every segment in memory, or Qdrant's
        summary collection), then per-song aggregation (``config.aggregation``).
        """
        cfg = self.config
        candidates = self._candidates(np.asarray(qz, dtype=np.float32), distances=distances)
        scored: list[tuple[str, float, float]] = []  # (song, score, offset_s)
        if not candidates:
            return scored
        if cfg.aggregation == "vote":
            votes = vote(distances={s: d for s, (d, _) in candidates.items()},
                         segment_starts_s={s: st for s, (_, st) in candidates.items()})
            scored = [(s, v, off) for s, (v, off) in votes.items()]
        else:
            dim = qz.shape[1]
            songs = list(candidates)
            found = temporal_alignments(distances=[candidates[s][0] for s in songs], query_starts_s=query_starts_s,
                                        segment_starts_s=[candidates[s][1] for s in songs], ratios=cfg.tempo_ratios)
            scored = [(s, similarity(cost=a.cost, dim=dim), a.offset_s) for s, a in zip(songs, found)]
        scored.sort(key=lambda t: (-t[1], t[0]))
        return scored

    def rerank_by_melody(self, scored: list[tuple[str, float, float]], *, track: Any) -> MelodyRerank:
        """Re-score the best ``melody_match.candidates`` by aligning the query's pitch ``track`` (the melody
        gate's) with their stored melodies (:mod:`.melody_match`); the rest keep their order below them.
        Unchanged when the re-rank is off, the model alone is sure (``skip_margin``), the query has too little
        pitch, or no candidate has a melody."""
        from music_models.library.melody_match import fuse, melody_costs, query_melody

        mm = self.config.melody_match
        if mm.weight == 0 or not scored or (len(scored) == 1 or scored[0][1] - scored[1][1] >= mm.skip_margin):
            return MelodyRerank(scored)  # nothing to re-rank, or the model is sure
        contour = query_melody(track=track, config=mm)
        head, tail = scored[:mm.candidates], scored[mm.candidates:]
        melodies = self.melodies.load(s for s, _, _ in head) if contour.size else {}
        if not melodies:
            return MelodyRerank(scored)
        costs = melody_costs(query=contour, melodies=melodies, config=mm)
        floor = mm.weight * mm.cost_clip_semitones  # songs past the candidates count as the worst alignment
        fused = fuse(scored=head, costs=costs, config=mm) + [(s, sc - floor, off) for s, sc, off in tail]
        return MelodyRerank(fused, contour, head, costs, melodies)

    def widen_by_melody(self, aligned: MelodyRerank, *, samples_16k: np.ndarray | None = None
                        ) -> list[tuple[str, float, float]]:
        """The second opinion when the answer is unsure: align the query's contour with every song's
        melody (first pass over the whole library, transposition search on the best ``wide_candidates``),
        join those songs to the model's candidates (a song the model did not rank gets its lowest
        candidate's score), and re-score all with ``wide_weight``. The contour is the DTW baseline's pYIN
        one of ``samples_16k`` (``wide_pitch_track`` "pyin"; the candidates' costs are recomputed from it)
        or, with "gate" or no samples, the first search's. [] when it cannot run."""
        from music_models.library.melody_match import fuse, melody_costs, pitch_range_hz

        mm = self.config.melody_match
        index = self.melody_index()
        if index is None or not aligned.head or not aligned.contour.size:
            return []
        contour, costs = aligned.contour, dict(aligned.costs)
        if mm.wide_pitch_track == "pyin" and samples_16k is not None:
            span = None
            if mm.wide_pitch_margin_semitones > 0:
                span = pitch_range_hz(contour=aligned.contour, margin_semitones=mm.wide_pitch_margin_semitones,
                                      floor_hz=index.config.fmin_hz, ceiling_hz=index.config.fmax_hz)
            fine = index.contour_of_track(index.analyse(samples=samples_16k, sample_rate_hz=self.embedder.sample_rate_hz,
                                                        pitch_range_hz=span))
            if fine.size >= mm.min_contour_frames:
                contour = fine
                costs = melody_costs(query=fine, melodies=aligned.melodies, config=mm)
        floor = min(sc for _, sc, _ in aligned.head)
        pool = list(aligned.head)
        known = {s for s, _, _ in pool}
        for m in index.match_contour(contour=contour, top_k=mm.wide_candidates):
            if m.song_id in self._songs and m.song_id not in known:
                pool.append((m.song_id, floor, float(m.offset_s)))
                known.add(m.song_id)
            costs.setdefault(m.song_id, float(m.cost))
        return fuse(scored=pool, costs=costs, config=replace(mm, weight=mm.wide_weight))

    def melody_index(self) -> Any:
        """Every searchable song's melody in one alignment index (built on first need, again after writes);
        None when no song has a melody."""
        if self._melody_index is None:
            from music_models.library.melody_match import melody_index

            t0 = time.perf_counter()
            stale = self.stale_songs()
            melodies = self.melodies.load(s for s in sorted(self._songs) if s not in stale)
            self._melody_index = melody_index(melodies=melodies, config=self.config.melody_match,
                                              refine=self.config.melody_match.wide_candidates) or False
            logger.info("melody index: %d songs with a melody, built in %.0f ms", len(melodies),
                        (time.perf_counter() - t0) * 1000)
        return self._melody_index or None

    def _unsure(self, hits: Sequence[IdentifyHit]) -> list[IdentifyHit]:
        """``hits`` with every confidence held below the match threshold: the answer is "unsure"."""
        cap = self.config.match_confidence - 0.01
        return [replace(h, confidence=min(h.confidence, cap)) for h in hits]

    def _hits(self, scored: list[tuple[str, float, float]], *, top_k: int) -> list[IdentifyHit]:
        conf = confidences(scores=[sc for _, sc, _ in scored], calibration=self.calibration)
        return [IdentifyHit(i + 1, s, self._songs[s].title, sc, c, off)
                for i, ((s, sc, off), c) in enumerate(zip(scored[:top_k], conf[:top_k]))]

    def describe(self) -> dict[str, Any]:
        """Where the library lives and what it holds (for ``humdinger library info``)."""
        return {"name": self.config.name, "storage": self.config.server_url() or str(self.config.storage_path()),
                "mode": "local" if self.store.local else "server", "songs": len(self._songs),
                "segments": self.store.count_segments(), "dim": self.store.dim(),
                "calibration": self.calibration.to_dict()}


def warm_up_notes(*, sample_rate_hz: int, seconds: float = 4.0) -> np.ndarray:
    """A few seconds of stepwise sine notes (C4 D4 E4 F4 ...): enough melody to run identify's whole path."""
    n = int(seconds * sample_rate_hz)
    per_note = sample_rate_hz // 2
    from music_models.queries.performance import midi_to_hz

    midi = 60 + np.array([0, 2, 4, 5, 7, 5, 4, 2])[(np.arange(n) // per_note) % 8]
    phase = 2 * np.pi * np.cumsum(midi_to_hz(midi) / sample_rate_hz)
    return (0.3 * np.sin(phase)).astype(np.float32)
