"""Songs' symbolic melodies, one small ``.npy`` contour per song, for the melody re-rank.

Corpus tunes and MIDI files have one (their notes); plain audio recordings do not, and are ranked by the
model alone. Contours depend only on the song, so they are kept across ``--rebuild`` and shared by
libraries that share an audio folder. Files are written atomically; an unreadable one counts as absent.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

__all__ = ["MelodyFiles", "skyline_notes"]

logger = logging.getLogger(__name__)

_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,120}$")


class MelodyFiles:
    """The melody contours under one folder, read once per song and kept in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._cache: dict[str, np.ndarray | None] = {}

    def path_of(self, song_id: str) -> Path:
        name = song_id if _SAFE.match(song_id) else hashlib.sha1(song_id.encode()).hexdigest()
        return self.folder / f"{name}.npy"

    def has(self, song_id: str) -> bool:
        return self.path_of(song_id).is_file()

    def save(self, song_id: str, contour: np.ndarray) -> None:
        c = np.asarray(contour, dtype=np.float32)
        if c.ndim != 1 or c.size < 2 or not np.all(np.isfinite(c)):
            return  # nothing alignable: the song is ranked by the model alone
        path = self.path_of(song_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, c, allow_pickle=False)
            tmp.replace(path)
        except OSError as exc:  # a read-only data folder: identify still works, without the re-rank
            logger.warning("could not store the melody of %s at %s: %s", song_id, path, exc)
            return
        self._cache[song_id] = c

    def load(self, song_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The contours of those ``song_ids`` that have one."""
        out = {}
        for s in song_ids:
            if s not in self._cache:
                self._cache[s] = self._read(s)
            c = self._cache[s]
            if c is not None:
                out[s] = c
        return out

    def _read(self, song_id: str) -> np.ndarray | None:
        path = self.path_of(song_id)
        if not path.is_file():
            return None
        try:
            c = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            logger.warning("ignoring the unreadable melody file %s (%s); index the song again to rewrite it", path, exc)
            return None
        return c.astype(np.float32) if c.ndim == 1 and c.size >= 2 and np.all(np.isfinite(c)) else None


def skyline_notes(midi: object, *, onset_tolerance_s: float = 0.03) -> list[tuple[int, float, float]]:
    """The top line of a MIDI file ("skyline"): at every onset the highest non-drum note, cut at the next
    onset; ``(pitch, onset_s, duration_s)`` rows. Most songs carry their tune in the top voice."""
    notes = sorted(((n.start, -n.pitch, n.end) for inst in getattr(midi, "instruments", ()) if not inst.is_drum
                    for n in inst.notes if n.end > n.start), key=lambda t: (t[0], t[1]))
    line: list[tuple[int, float, float]] = []
    for start, neg_pitch, end in notes:
        pitch = -neg_pitch
        if line:
            p, s0, d0 = line[-1]
            if start - s0 < onset_tolerance_s:
                continue  # a lower note of the same chord
            if start < s0 + d0 and pitch < p:
                continue  # a lower voice moving under a held top note
            line[-1] = (p, s0, min(d0, start - s0))
        line.append((int(pitch), float(start), float(end - start)))
    return line
