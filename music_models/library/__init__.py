"""The song library: segment embeddings in Qdrant, ``identify`` with temporal aggregation and a melody
gate, metadata search, and indexing of the bundled corpus and of a user's own files.

    >>> from music_models.library import Library, LibraryConfig
    >>> lib = Library.open(LibraryConfig())                  # local store under data_dir()/qdrant
    >>> lib.identify(samples, 44_100).to_dict()              # {"query", "duration_s", "verdict", ...}

Names are resolved on first use (PEP 562), so importing the package (as the CLI does for defaults)
pulls in neither numpy nor Qdrant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "Calibration",
    "IdentifyHit",
    "IdentifyResult",
    "IndexReport",
    "Library",
    "LibraryConfig",
    "LibraryStore",
    "MelodyCheck",
    "MelodyGateConfig",
    "SongRecord",
    "build_from_tunes",
    "calibrate",
    "calibration_pair",
    "check_melody",
    "index_paths",
    "read_audio_file",
]

_HOMES: dict[str, str] = {
    "Calibration": "config",
    "LibraryConfig": "config",
    "MelodyGateConfig": "config",
    "IdentifyHit": "types",
    "IdentifyResult": "types",
    "IndexReport": "types",
    "MelodyCheck": "types",
    "SongRecord": "types",
    "Library": "library",
    "LibraryStore": "store",
    "build_from_tunes": "indexer",
    "index_paths": "indexer",
    "calibrate": "calibration",
    "calibration_pair": "calibration",
    "check_melody": "melody",
    "read_audio_file": "audio_files",
}

if TYPE_CHECKING:
    from music_models.library.audio_files import read_audio_file
    from music_models.library.calibration import calibrate, calibration_pair
    from music_models.library.config import Calibration, LibraryConfig, MelodyGateConfig
    from music_models.library.indexer import build_from_tunes, index_paths
    from music_models.library.library import Library
    from music_models.library.melody import check_melody
    from music_models.library.store import LibraryStore
    from music_models.library.types import IdentifyHit, IdentifyResult, IndexReport, MelodyCheck, SongRecord


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'music_models.library' has no attribute {name!r}")
    return getattr(importlib.import_module(f"music_models.library.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
