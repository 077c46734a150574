"""The collections of the bundled catalog, all from the music21 package's corpus."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from music_models.errors import CorpusError, UnknownCollectionError

__all__ = ["COLLECTIONS", "CollectionSpec", "music21_corpus_root", "resolve_collections", "source_files"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectionSpec:
    """One collection: where its files lie inside music21's corpus and how its tune ids are made.

    ``id_style``: ``"x"`` — the ABC ``X:`` number is unique across the collection (O'Neill's);
    ``"file_x"`` — ``X:`` restarts per file, so the file stem is part of the id;
    ``"file"`` — one tune per file, the file stem is the reference.
    """

    name: str
    kind: str  # "abc" or "chorales"
    subdir: str
    description: str
    id_style: str = "file_x"
    default_type: str = "tune"  # tune type when neither R:, the title nor the meter says

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "subdir": self.subdir, "description": self.description,
                "id_style": self.id_style, "default_type": self.default_type}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CollectionSpec:
        return cls(**d)


#: Every collection, in dedupe priority order (when two collections hold the same melody the
#: earlier one keeps it).
COLLECTIONS: dict[str, CollectionSpec] = {
    spec.name: spec
    for spec in (
        CollectionSpec("oneills1850", "abc", "oneills1850", "O'Neill's Music of Ireland (1850 melodies)", "x", "air"),
        CollectionSpec("ryansMammoth", "abc", "ryansMammoth", "Ryan's Mammoth Collection (1883)", "file", "tune"),
        CollectionSpec("airdsAirs", "abc", "airdsAirs", "Aird's Selection of Scotch, English, Irish and Foreign Airs",
                       "file_x", "tune"),
        CollectionSpec("miscFolk", "abc", "miscFolk", "American fife music and Northumbrian minstrelsy",
                       "file_x", "tune"),
        CollectionSpec("essenFolksong", "abc", "essenFolksong", "The Essen folksong collection (EsAC)",
                       "file_x", "song"),
        CollectionSpec("bachChorales", "chorales", "bach", "J. S. Bach's four-part chorales (Riemenschneider)",
                       "file", "chorale"),
    )
}


def resolve_collections(names: Iterable[str] | None) -> list[str]:
    """Validate collection names (None = all), returned in registry order without repeats."""
    if names is None:
        return list(COLLECTIONS)
    wanted = [n.strip() for n in names if n and n.strip()]
    if not wanted:
        raise CorpusError(f"no collection named; choose from: {', '.join(COLLECTIONS)}")
    for n in wanted:
        if n not in COLLECTIONS:
            raise UnknownCollectionError(n, list(COLLECTIONS))
    return [n for n in COLLECTIONS if n in wanted]


def music21_corpus_root() -> Path:
    """The folder of music21's bundled corpus."""
    try:
        import music21.corpus
    except ImportError as exc:  # pragma: no cover - music21 is a hard dependency
        raise CorpusError("music21 is not installed; run 'make setup' (it installs requirements.txt)") from exc
    return Path(music21.corpus.__file__).parent


def source_files(spec: CollectionSpec) -> list[str]:
    """The source files of a collection: ABC paths, or music21 corpus names of the chorales."""
    if spec.kind == "abc":
        folder = music21_corpus_root() / spec.subdir
        files = sorted(str(p) for p in folder.glob("*.abc"))
        if not files:
            raise CorpusError(f"no ABC files in {folder}; reinstall music21 ('make setup') to restore its corpus")
        return files
    if spec.kind == "chorales":
        from music21.corpus import chorales

        names = list(dict.fromkeys(chorales.Iterator(returnType="filename")))  # it lists some twice
        if not names:
            raise CorpusError("music21 lists no Bach chorales; reinstall music21 ('make setup')")
        return names
    raise CorpusError(f"collection {spec.name!r} has unknown kind {spec.kind!r}")
