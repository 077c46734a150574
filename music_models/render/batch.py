"""Render many tunes to WAV + MIDI with a JSONL manifest; re-running skips what is already there.

Each rendering's seed is derived from ``(base_seed, tune_id, index)``, so a tune's renderings do not
depend on which other tunes are in the batch or in what order they come.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from music_models.arrange.arranger import arrange
from music_models.arrange.config import ArrangementConfig
from music_models.arrange.midi import arrangement_to_midi
from music_models.arrange.types import Arrangement
from music_models.errors import HumdingerError, RenderError
from music_models.render.audio import write_wav
from music_models.render.config import BatchRenderConfig, RenderConfig
from music_models.render.synth import FluidSynthRenderer
from music_models.types import Tune

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BatchResult",
    "ManifestEntry",
    "read_manifest",
    "render_tunes",
    "rendering_id",
    "rendering_seed",
    "select_evenly",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManifestEntry:
    """One rendering: where its files are (relative to the manifest) and how it was arranged.

    ``beat_map`` is ``[time_s, beat]`` for every quarter-note beat of the tune; ``chords`` is
    ``[start_s, end_s, name]`` per chord as played (after transposition).
    """

    rendering_id: str
    tune_id: str
    title: str
    collection: str
    seed: int
    rendering_index: int
    wav: str
    midi: str
    sample_rate_hz: int
    duration_s: float
    tempo_qpm: float
    meter: str
    key: str
    transpose_semitones: int
    programs: dict[str, int]
    instruments: dict[str, str]
    styles: dict[str, str]
    beat_map: list[list[float]]
    bar_starts_s: list[float]
    chords: list[list[Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ManifestEntry:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    @classmethod
    def from_arrangement(cls, arr: Arrangement, *, tune: Tune, rendering_id: str, index: int, wav: str, midi: str,
                         sample_rate_hz: int, duration_s: float) -> ManifestEntry:
        last_beat = int(arr.duration_beats) + (0 if float(arr.duration_beats).is_integer() else 1)
        return cls(
            rendering_id=rendering_id, tune_id=tune.tune_id, title=tune.title, collection=tune.collection,
            seed=arr.seed, rendering_index=index, wav=wav, midi=midi, sample_rate_hz=sample_rate_hz,
            duration_s=round(duration_s, 4), tempo_qpm=round(arr.tempo_qpm, 3), meter=arr.meter.name,
            key=arr.key.name, transpose_semitones=arr.transpose_semitones, programs=arr.programs,
            instruments={t.role: t.instrument_name for t in arr.tracks}, styles={t.role: t.style for t in arr.tracks},
            beat_map=[[round(arr.beat_to_s(b), 4), float(b)] for b in range(last_beat + 1)],
            bar_starts_s=[round(t, 4) for t in arr.bar_starts_s()],
            chords=[[round(arr.beat_to_s(c.onset_beats), 4), round(arr.beat_to_s(c.end_beats), 4), c.name]
                    for c in arr.chords],
        )


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: entries of every rendering present now, and (rendering id, reason) failures."""

    entries: tuple[ManifestEntry, ...]
    rendered: int
    skipped: int
    failures: tuple[tuple[str, str], ...]
    manifest_path: str
    audio_s: float = 0.0
    render_s: float = 0.0


def rendering_seed(*, base_seed: int, tune_id: str, index: int) -> int:
    """A stable 31-bit seed per (base seed, tune, rendering index)."""
    digest = hashlib.sha256(f"{base_seed}:{tune_id}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def rendering_id(*, tune_id: str, index: int, seed: int) -> str:
    """A file-name-safe stem for one rendering."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", tune_id).strip("._") or "tune"
    return f"{safe[:80]}__r{index}_s{seed}"


def select_evenly(tunes: Sequence[Tune], *, limit: int) -> list[Tune]:
    """``limit`` tunes spread evenly over the (id-sorted, hence collection-grouped) list."""
    if limit <= 0 or limit >= len(tunes):
        return list(tunes)
    return [tunes[(i * len(tunes)) // limit] for i in range(limit)]


def read_manifest(path: Path) -> dict[str, ManifestEntry]:
    """Entries by rendering id; unreadable lines (an interrupted write) are logged and skipped."""
    entries: dict[str, ManifestEntry] = {}
    if not path.is_file():
        return entries
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            e = ManifestEntry.from_dict(json.loads(line))
        except (ValueError, TypeError, KeyError) as exc:
            logger.warning("%s line %d is unreadable (%s); that rendering will be re-indexed", path, lineno, exc)
            continue
        entries[e.rendering_id] = e
    return entries


def render_tunes(
    tunes: Sequence[Tune], *, out_dir: str | Path, base_seed: int = BatchRenderConfig.seed,
    renderings: int = BatchRenderConfig.renderings, arrangement_config: ArrangementConfig | None = None,
    render_config: RenderConfig | None = None, progress: bool = True,
    renderer_factory: Callable[[RenderConfig], FluidSynthRenderer] = FluidSynthRenderer,
) -> BatchResult:
    """Arrange and render ``renderings`` versions of each tune into ``out_dir`` (WAV, MIDI, manifest).

    Files already present are kept (their manifest entry is rebuilt if missing). A tune that cannot be
    arranged or rendered is reported in ``failures`` and the batch goes on.
    """
    import soundfile
    from tqdm import tqdm

    if renderings < 1:
        raise RenderError(f"renderings must be >= 1, got {renderings}")
    rcfg = render_config or RenderConfig()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create output folder {str(out)!r} ({exc}); choose another --out") from exc
    manifest_path = out / BatchRenderConfig.manifest_name
    known = read_manifest(manifest_path)
    renderer: FluidSynthRenderer | None = None
    entries: list[ManifestEntry] = []
    failures: list[tuple[str, str]] = []
    rendered = skipped = 0
    audio_s = render_s = 0.0

    jobs = [(t, k) for t in tunes for k in range(renderings)]
    try:
        with manifest_path.open("a", encoding="utf-8") as manifest, \
                tqdm(jobs, unit="rendering", desc="rendering", disable=not progress) as bar:
            for tune, k in bar:
                seed = rendering_seed(base_seed=base_seed, tune_id=tune.tune_id, index=k)
                rid = rendering_id(tune_id=tune.tune_id, index=k, seed=seed)
                wav, mid = out / f"{rid}.wav", out / f"{rid}.mid"
                if wav.is_file() and mid.is_file() and rid in known:
                    entries.append(known[rid])
                    skipped += 1
                    continue
                try:
                    arr = arrange(tune, seed=seed, config=arrangement_config)
                except (HumdingerError, ValueError) as exc:
                    logger.warning("arranging %s failed: %s", rid, exc)
                    failures.append((rid, str(exc)))
                    continue
                if wav.is_file() and mid.is_file():  # files from an interrupted run: index them
                    info = soundfile.info(str(wav))
                    duration_s, sr = info.frames / info.samplerate, int(info.samplerate)
                    skipped += 1
                else:
                    if renderer is None:  # created on first need; if it cannot start, nothing can render
                        renderer = renderer_factory(rcfg)
                    t0 = time.perf_counter()
                    try:
                        audio = renderer.render_arrangement(arr)
                    except RenderError as exc:
                        logger.warning("rendering %s failed: %s", rid, exc)
                        failures.append((rid, str(exc)))
                        continue
                    render_s += time.perf_counter() - t0
                    audio_s += audio.duration_s
                    _write_outputs(arr, audio.samples, audio.sample_rate_hz, wav=wav, mid=mid)
                    duration_s, sr = audio.duration_s, audio.sample_rate_hz
                    rendered += 1
                entry = ManifestEntry.from_arrangement(arr, tune=tune, rendering_id=rid, index=k, wav=wav.name,
                                                       midi=mid.name, sample_rate_hz=sr, duration_s=duration_s)
                manifest.write(json.dumps(entry.to_dict()) + "\n")
                manifest.flush()
                entries.append(entry)
    finally:
        if renderer is not None:
            renderer.close()
    return BatchResult(tuple(entries), rendered, skipped, tuple(failures), str(manifest_path), audio_s, render_s)


def _write_outputs(arr: Arrangement, samples: np.ndarray, sample_rate_hz: int, *, wav: Path, mid: Path) -> None:
    """MIDI then WAV, each through a temporary name; a write error stops the batch with the reason."""
    try:
        tmp_mid = mid.with_name(mid.name + ".part")
        arrangement_to_midi(arr).write(str(tmp_mid))
        tmp_mid.replace(mid)
        write_wav(wav, samples=samples, sample_rate_hz=sample_rate_hz)
    except OSError as exc:
        raise RenderError(f"cannot write {wav.name} / {mid.name} in {str(wav.parent)!r} ({exc}); "
                          "check free space and permissions") from exc
