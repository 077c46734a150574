"""Parse jobs (one tune each) and the worker that runs them, in-process or in a process pool."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from music_models.corpus.abc_text import AbcTuneText, split_abc_tunes
from music_models.corpus.config import CorpusConfig
from music_models.corpus.harmoniser import HarmoniserConfig, chord_tone_counts
from music_models.corpus.registry import COLLECTIONS, CollectionSpec, source_files
from music_models.errors import HumdingerError

__all__ = ["JobResult", "ParseJob", "fast_music21", "jobs_for_collection", "run_chunk", "run_job", "worker_init"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseJob:
    """One tune to parse: an ABC tune text, or a chorale's music21 corpus name."""

    collection: str
    where: str  # file name (and X:) for messages
    abc: AbcTuneText | None = None
    chorale: str | None = None


@dataclass(frozen=True)
class JobResult:
    """A parsed tune (as ``Tune.to_dict``) or the reason it failed."""

    collection: str
    where: str
    tune: dict[str, Any] | None = None
    error: str | None = None


def jobs_for_collection(spec: CollectionSpec) -> tuple[list[ParseJob], list[JobResult]]:
    """All parse jobs of a collection, plus failures for files that cannot even be read."""
    jobs: list[ParseJob] = []
    failures: list[JobResult] = []
    for src in source_files(spec):
        if spec.kind == "chorales":
            jobs.append(ParseJob(spec.name, src, chorale=src))
            continue
        name = os.path.basename(src)
        try:
            with open(src, encoding="utf-8", errors="strict") as fh:
                text = fh.read()
        except UnicodeDecodeError:
            with open(src, encoding="latin-1") as fh:  # old ABC files are often Latin-1
                text = fh.read()
        except OSError as exc:
            failures.append(JobResult(spec.name, name, error=f"cannot read {src}: {exc}"))
            continue
        tunes = split_abc_tunes(text=text, source=src)
        if not tunes:
            failures.append(JobResult(spec.name, name, error=f"{name}: no 'X:' line, so no tune in it"))
        jobs.extend(ParseJob(spec.name, f"{name} X:{t.reference}", abc=t) for t in tunes)
    return jobs, failures


def run_job(job: ParseJob, config: CorpusConfig, harmoniser: HarmoniserConfig) -> JobResult:
    """Parse one tune; any failure becomes a :class:`JobResult` with the reason (never an exception)."""
    from music_models.corpus.abc_tune import parse_abc_tune
    from music_models.corpus.chorales import parse_chorale

    spec = COLLECTIONS[job.collection]
    try:
        if job.chorale is not None:
            tune = parse_chorale(name=job.chorale, spec=spec, config=config)
        elif job.abc is not None:
            tune = parse_abc_tune(tune=job.abc, spec=spec, config=config, harmoniser=harmoniser)
        else:
            return JobResult(job.collection, job.where, error=f"{job.where}: empty job")
    except HumdingerError as exc:
        return JobResult(job.collection, job.where, error=str(exc))
    except Exception as exc:  # noqa: BLE001 -- a bug or a music21 corner case must not stop a 10,000-tune build
        return JobResult(job.collection, job.where, error=f"{job.where}: {type(exc).__name__}: {exc}")
    counts = chord_tone_counts(notes=tune.notes, chords=tune.chords)
    d = tune.to_dict()
    d["extra"]["chord_tones"] = [counts.notes_in_chord, counts.notes_total,
                                 round(counts.beats_in_chord, 4), round(counts.beats_total, 4)]
    return JobResult(job.collection, job.where, tune=d)


def run_chunk(args: tuple[list[ParseJob], CorpusConfig, HarmoniserConfig]) -> list[JobResult]:
    jobs, config, harmoniser = args
    return [run_job(j, config, harmoniser) for j in jobs]


@contextlib.contextmanager
def fast_music21() -> Iterator[None]:
    """Skip music21's beaming while parsing: beams are notation only, and ``makeBeams`` is ~2/3 of
    the ABC import time. The parsed pitches and durations are identical. Restored on exit."""
    from music21 import stream

    original = stream.Stream.makeBeams
    stream.Stream.makeBeams = _no_beams  # type: ignore[method-assign]
    try:
        yield
    finally:
        stream.Stream.makeBeams = original  # type: ignore[method-assign]


def _no_beams(self: Any, *args: Any, **kwargs: Any) -> None:
    return None


def worker_init() -> None:
    """Pool initializer: quiet music21, skip beaming for the life of this (our own) worker process."""
    logging.getLogger("music21").setLevel(logging.ERROR)
    fast_music21().__enter__()
