"""The bundled catalog: tunes from music21's corpus (O'Neill's, Ryan's, Aird's, miscellaneous folk,
Essen, Bach chorales) as :class:`~music_models.types.Tune`, with keys, tempi and chords, deduplicated
and split into train/val/test by tune id.

    >>> from music_models.corpus import load_corpus
    >>> train = load_corpus(split="train")          # builds the cache on first use (a few minutes)

Names are resolved lazily (PEP 562), so ``import music_models.corpus.config`` from the CLI stays
instant; music21 is imported only when a build runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "COLLECTIONS",
    "SPLITS",
    "CollectionSpec",
    "CorpusConfig",
    "CorpusStats",
    "HarmoniserConfig",
    "build_corpus",
    "load_corpus",
    "split_of",
]

_HOMES: dict[str, str] = {
    "COLLECTIONS": "registry",
    "CollectionSpec": "registry",
    "CorpusConfig": "config",
    "CorpusStats": "stats",
    "HarmoniserConfig": "harmoniser",
    "SPLITS": "dedupe",
    "build_corpus": "build",
    "load_corpus": "build",
    "split_of": "dedupe",
}

if TYPE_CHECKING:
    from music_models.corpus.build import build_corpus, load_corpus
    from music_models.corpus.config import CorpusConfig
    from music_models.corpus.dedupe import SPLITS, split_of
    from music_models.corpus.harmoniser import HarmoniserConfig
    from music_models.corpus.registry import COLLECTIONS, CollectionSpec
    from music_models.corpus.stats import CorpusStats


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'music_models.corpus' has no attribute {name!r}")
    return getattr(importlib.import_module(f"music_models.corpus.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
