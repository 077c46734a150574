"""Duplicate melodies and the deterministic train/val/test split. Pure functions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from music_models.corpus.config import CorpusConfig
from music_models.types import Tune

__all__ = ["SPLITS", "DedupeResult", "dedupe_keys", "dedupe_tunes", "melody_signature", "split_of"]

SPLITS: tuple[str, ...] = ("train", "val", "test")
_DEFAULT_CONFIG = CorpusConfig()


def melody_signature(*, pitches: Sequence[int], n_intervals: int = 16) -> str:
    """Key-independent fingerprint: the first ``n_intervals`` melodic intervals (semitones), hashed.

    Melodies shorter than that are fingerprinted by all their intervals (and their length).
    """
    intervals = [int(b) - int(a) for a, b in pairwise(pitches)][:n_intervals]
    text = f"{len(intervals)}:" + ",".join(str(i) for i in intervals)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def split_of(tune_id: str, *, config: CorpusConfig | None = None) -> str:
    """``train``, ``val`` or ``test`` by a hash of the tune id: stable across runs and machines
    (fractions from :class:`CorpusConfig`, 80/10/10 by default)."""
    cfg = config or _DEFAULT_CONFIG
    u = int(hashlib.sha1(tune_id.encode("utf-8")).hexdigest()[:8], 16) / 2**32
    if u < cfg.train_fraction:
        return "train"
    if u < cfg.train_fraction + cfg.val_fraction:
        return "val"
    return "test"


@dataclass(frozen=True)
class DedupeResult:
    """Tunes kept (one per melody) and ``(dropped_id, kept_id)`` for every duplicate dropped."""

    kept: tuple[Tune, ...]
    dropped: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kept": [t.tune_id for t in self.kept], "dropped": [list(p) for p in self.dropped]}


def dedupe_keys(
    *, items: Sequence[tuple[str, str, str]], collection_order: Sequence[str] = ()
) -> tuple[set[str], list[tuple[str, str]]]:
    """Dedupe ``(collection, tune_id, melody_signature)`` items: the kept ids and ``(dropped, kept)`` pairs.

    The keeper of each signature is the item of the earliest collection in ``collection_order``, then
    the smallest id — independent of input order. Items repeating a kept id are dropped too.
    """
    rank = {name: i for i, name in enumerate(collection_order)}
    keepers: dict[str, str] = {}
    kept_ids: set[str] = set()
    dropped: list[tuple[str, str]] = []
    for collection, tune_id, sig in sorted(items, key=lambda x: (rank.get(x[0], len(rank)), x[0], x[1])):
        if sig in keepers or tune_id in kept_ids:
            dropped.append((tune_id, keepers.get(sig, tune_id)))
        else:
            keepers[sig] = tune_id
            kept_ids.add(tune_id)
    return kept_ids, dropped


def dedupe_tunes(*, tunes: Sequence[Tune], collection_order: Sequence[str] = ()) -> DedupeResult:
    """Keep one tune per melody signature (``extra['dedupe_key']``, else computed from the notes);
    see :func:`dedupe_keys` for which one. Dropping the others means no melody is in two splits."""
    items = [
        (t.collection, t.tune_id, str(t.extra.get("dedupe_key") or melody_signature(pitches=[n.pitch for n in t.notes])))
        for t in tunes
    ]
    kept_ids, dropped = dedupe_keys(items=items, collection_order=collection_order)
    seen: set[str] = set()
    kept: list[Tune] = []
    for t in sorted(tunes, key=lambda t: t.tune_id):
        if t.tune_id in kept_ids and t.tune_id not in seen:
            seen.add(t.tune_id)
            kept.append(t)
    return DedupeResult(kept=tuple(kept), dropped=tuple(dropped))
