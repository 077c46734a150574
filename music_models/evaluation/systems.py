"""The systems the harness compares, behind one small protocol.

A :class:`System` is prepared once with the library's tunes, then ranks query recordings. Two
implementations: :class:`DtwSystem` (the classic pYIN + subsequence-DTW baseline of
:mod:`music_models.qbh_baseline`) and :class:`ModelSystem` (the music-space model through
:mod:`music_models.library`, whose eval library is built once and cached under ``data_dir()/eval/``).
Tests inject fakes at this interface.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from music_models.errors import LibraryError, ModelError
from music_models.qbh_baseline.config import QbhBaselineConfig
from music_models.types import Tune

__all__ = ["DtwSystem", "ModelSystem", "System", "SystemAnswer", "eval_library_key", "make_system"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SystemAnswer:
    """A system's answer to one query: its verdict and the ranked song ids it returned (best first)."""

    verdict: str  # "match", "unsure" or "no_melody"
    song_ids: tuple[str, ...]
    timing_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "song_ids": list(self.song_ids), "timing_ms": dict(self.timing_ms)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SystemAnswer:
        return cls(str(d["verdict"]), tuple(str(s) for s in d["song_ids"]), dict(d.get("timing_ms", {})))


@runtime_checkable
class System(Protocol):
    """What the harness needs from a query-by-humming system."""

    name: str

    def prepare(self, tunes: Sequence[Tune], *, progress: bool = False) -> None:
        """Index the library's tunes (called once, before any query)."""
        ...

    def rank(self, samples: np.ndarray, sample_rate_hz: int, top_k: int) -> SystemAnswer:
        """Rank the library's songs for one query recording."""
        ...

    def describe(self) -> dict[str, Any]:
        """What this system is, for the report (settings, library size, checkpoint)."""
        ...


class DtwSystem:
    """The classic baseline: pYIN pitch track, key-normalised subsequence DTW over every tune's melody."""

    name = "dtw"

    def __init__(self, config: QbhBaselineConfig | None = None) -> None:
        self.config = config or QbhBaselineConfig()
        self.config.validate()
        self._index: Any = None

    def prepare(self, tunes: Sequence[Tune], *, progress: bool = False) -> None:
        from music_models.qbh_baseline import QbhIndex

        self._index = QbhIndex.from_tunes(tunes, config=self.config, progress=progress)

    def rank(self, samples: np.ndarray, sample_rate_hz: int, top_k: int) -> SystemAnswer:
        if self._index is None:
            raise LibraryError("the DTW system has no index; call prepare(tunes) first")
        result = self._index.identify(samples, sample_rate_hz, top_k=top_k)
        return SystemAnswer(result.verdict, tuple(m.song_id for m in result.results), dict(result.timing_ms))

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"system": "pYIN + key-normalised subsequence DTW over every library tune (no pruning)",
                             "config": self.config.to_dict()}
        if self._index is not None:
            d["songs"] = len(self._index)
            d["reference_frames"] = self._index.reference_frames
        return d


def eval_library_key(*, tune_ids: Sequence[str], checkpoint_sha256: str) -> str:
    """Cache key of an eval library: the sorted tune ids and the checkpoint that embedded them."""
    h = hashlib.sha1(checkpoint_sha256.encode())
    for tid in sorted(tune_ids):
        h.update(b"\n" + tid.encode())
    return h.hexdigest()[:16]


class ModelSystem:
    """The music-space model: :meth:`music_models.library.Library.identify` over an eval library of the same tunes.

    The eval library is built by :func:`music_models.library.build_from_tunes` (render + index, resumable)
    and cached under ``<data_dir>/eval/library-<key>/`` (key: tune ids + checkpoint sha256), so re-runs
    only open it. ``embedder`` replaces the model (tests inject a fake at the library's interface).
    """

    name = "model"

    def __init__(self, *, checkpoint: Path | None = None, cache_dir: Path | None = None,
                 collection: str = "eval", embedder: Any = None) -> None:
        self.checkpoint = checkpoint
        self.cache_dir = cache_dir
        self.collection = collection
        self.embedder = embedder
        self._library: Any = None
        self._info: dict[str, Any] = {}

    def _model_sha(self) -> tuple[str, str]:
        from music_models.space.checkpoint import default_checkpoint_path, sha256_of

        if self.embedder is not None:
            return "", f"embedder:{type(self.embedder).__name__}"
        ckpt = Path(self.checkpoint) if self.checkpoint else default_checkpoint_path()
        if not ckpt.is_file():
            raise ModelError(f"no music-space checkpoint at {ckpt}; train one with 'humdinger train' "
                             "or run with --systems dtw")
        return str(ckpt), sha256_of(ckpt)

    def prepare(self, tunes: Sequence[Tune], *, progress: bool = False) -> None:
        from music_models.library import Library, LibraryConfig, build_from_tunes
        from music_models.library.indexer import store_tune_melodies
        from music_models.paths import data_dir

        ckpt, sha = self._model_sha()
        key = eval_library_key(tune_ids=[t.tune_id for t in tunes], checkpoint_sha256=sha)
        root = Path(self.cache_dir) if self.cache_dir else data_dir() / "eval"
        path = root / f"library-{key}"
        config = LibraryConfig(name=self.collection, path=str(path / "qdrant"), checkpoint=ckpt,
                               audio_dir=str(path / "audio"), calibration_file=str(path / "calibration.json"))
        if self._library is not None:
            self._library.close()
        self._library = Library.open(config, embedder=self.embedder, create=True)
        done = path / "EVAL_COMPLETE"
        built: dict[str, Any] = {"cached": done.is_file()}
        if not done.is_file():  # build_from_tunes skips what an interrupted run already indexed
            logger.info("building the eval library of %d songs at %s", len(tunes), path)
            report = build_from_tunes(self._library, tunes, progress=progress)
            built |= {"indexed": report.indexed, "failed": len(report.failed), "audio_s": round(report.audio_s, 1),
                      "build_s": round(report.elapsed_s, 1),
                      "realtime_factor": round(report.realtime_factor, 1)}
            if report.failed:
                logger.warning("%d tunes could not be indexed for the model: %s", len(report.failed),
                               "; ".join(f"{i}: {r}" for i, r in report.failed[:5]))
            done.write_text(json.dumps({"songs": len(tunes), "checkpoint_sha256": sha, **built}) + "\n")
        else:  # a library cached before melodies were stored gets them now (seconds)
            built["melodies_added"] = store_tune_melodies(self._library, tunes)
        self._library.warm()  # the model, every segment and every melody, as the assistant does at start
        self._info = {"songs": len(self._library), "library_path": str(path), "checkpoint": ckpt,
                      "checkpoint_sha256": sha, "build": built}

    def rank(self, samples: np.ndarray, sample_rate_hz: int, top_k: int) -> SystemAnswer:
        if self._library is None:
            raise LibraryError("the model system has no library; call prepare(tunes) first")
        result = self._library.identify(samples, sample_rate_hz, top_k)
        return SystemAnswer(str(result.verdict), tuple(str(r.song_id) for r in result.results),
                            {k: float(v) for k, v in dict(result.timing_ms).items()})

    def calibrate(self, entries: Sequence[tuple[Path, str, str, str]], *, progress: bool = False) -> dict[str, Any]:
        """Fit the library's confidence calibration on (wav, kind, level, tune id) queries not from the test
        split; it is stored beside the eval library and used for the test queries' verdicts."""
        from tqdm import tqdm

        from music_models.evaluation.harness import load_queries
        from music_models.library.calibration import calibrate, calibration_pair

        if self._library is None:
            raise LibraryError("the model system has no library; call prepare(tunes) first")
        feats, right = [], []
        for q in tqdm(load_queries(entries), total=len(entries), desc="calibrating", unit="query",
                      disable=not progress):
            result = self._library.identify(q.samples, q.sample_rate_hz, widen=False)  # the first search is calibrated
            pair = calibration_pair(result=result, truth_song_id=q.tune_id)
            if pair is not None:
                feats.append(pair[0])
                right.append(pair[1])
        cal = calibrate(features=feats, correct=right, out_path=self._library.config.calibration_path())
        self._library.calibration = cal
        return {"queries": len(entries), "answered": len(feats), "rank1_right": round(sum(right) / max(1, len(right)), 3),
                "fit": cal.to_dict()}

    def describe(self) -> dict[str, Any]:
        mm = self._library.config.melody_match if self._library is not None else None
        return {"system": "music-space model: windows -> embeddings -> exact in-memory scan of the library's "
                          "segments (Qdrant-stored) -> per-song temporal alignment -> the best candidates "
                          "re-ranked by melody alignment (the melody gate's pitch track against each song's "
                          "symbolic melody); an unsure answer also aligns with every song's melody",
                "melody_match": mm.to_dict() if mm is not None else None,
                **self._info}


def make_system(name: str, *, collection: str = "eval") -> System:
    """The system called ``name`` ("model" or "dtw") with default settings."""
    if name == "dtw":
        return DtwSystem()
    if name == "model":
        return ModelSystem(collection=collection)
    raise LibraryError(f"unknown system {name!r}; choose model or dtw")
