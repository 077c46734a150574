"""Where Humdinger keeps its data. Resolved lazily; nothing is created at import time."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SOUNDFONT_CANDIDATES", "corpus_dir", "data_dir", "soundfont_path"]

SOUNDFONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
)


def data_dir() -> Path:
    """The data directory: ``$HUMDINGER_DATA`` or ``~/.cache/humdinger``."""
    env = os.environ.get("HUMDINGER_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "humdinger"


def corpus_dir() -> Path:
    return data_dir() / "corpus"


def soundfont_path() -> Path | None:
    """The General MIDI soundfont: ``$HUMDINGER_SOUNDFONT`` or Debian's FluidR3_GM.sf2; None if absent."""
    env = os.environ.get("HUMDINGER_SOUNDFONT")
    candidates = (env,) if env else SOUNDFONT_CANDIDATES
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None
