"""Songs indexed from plain recordings: does a melody extracted from the audio bring back the melody re-rank?

    .venv/bin/python bench/bench_audio_melody.py [--queries 200] [--calibration-queries 120]
        ->  bench/results/audio_melody.json

A library built from a user's audio files has no symbolic melodies, so identify ranks those songs by the
model alone. ``music_models.library.audio_melody`` estimates a recording's predominant melody (harmonic
summation + Viterbi). This runs ``humdinger eval qbh``'s library (3,000 songs) and test queries with three
sources of the songs' melodies, in one run, each system calibrated on the same val-split queries:

- ``symbolic``: the tunes' notes (what corpus tunes and MIDI files get; the shipped eval);
- ``audio``: the melody extracted from each song's rendered arrangement, as an audio file would get;
- ``none``: no melodies (what audio files got before).

It also scores the extraction itself on every library song: the share of the melody's notes (from the
arrangement's MIDI ``melody`` track) whose frames the extracted pitch matches within half a semitone (raw
pitch accuracy) and up to octaves (raw chroma accuracy), and the extraction speed (times real time).
The extractor's settings were chosen on 60 renders of the demo library (every 5th file), not on these.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def truth_track(mid: Path, *, n_frames: int, frame_rate_hz: float) -> np.ndarray:
    """The arrangement's melody track as MIDI pitch per frame (NaN where it rests)."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI(str(mid))
    track = np.full(n_frames, np.nan)
    for inst in midi.instruments:
        if inst.name.startswith("melody"):
            for note in inst.notes:
                track[int(note.start * frame_rate_hz):int(note.end * frame_rate_hz)] = note.pitch
    return track


def extract_one(job: tuple[str, str, str, str]) -> dict[str, Any]:
    """Extract one song's melody, store its contour, and score its frames against the MIDI melody."""
    import soundfile as sf

    from music_models.library.audio_melody import AudioMelodyConfig, melody_of_recording, melody_track
    from music_models.library.melodies import MelodyFiles

    song_id, wav, mid, folder = job
    cfg = AudioMelodyConfig()
    y, sr = sf.read(wav, dtype="float32", always_2d=False)
    t0 = time.perf_counter()
    contour = melody_of_recording(samples=y, sample_rate_hz=sr, config=cfg)
    seconds = time.perf_counter() - t0
    MelodyFiles(Path(folder)).save(song_id, contour)
    row: dict[str, Any] = {"song_id": song_id, "audio_s": len(y) / sr, "extract_s": seconds, "frames": int(contour.size)}
    if Path(mid).is_file():
        track = melody_track(samples=y, sample_rate_hz=sr, config=cfg)
        truth = truth_track(Path(mid), n_frames=track.size, frame_rate_hz=cfg.sample_rate_hz / cfg.hop_length)
        ok = np.isfinite(truth) & np.isfinite(track)
        n = int(np.count_nonzero(np.isfinite(truth)))
        d = track[ok] - truth[ok]
        row["rpa"] = float(np.count_nonzero(np.abs(d) <= 0.5) / max(n, 1))
        row["rca"] = float(np.count_nonzero(np.abs((d + 6) % 12 - 6) <= 0.5) / max(n, 1))
    return row


class MelodySourceSystem:
    """The shipped identify over the one opened eval library, with this system's melodies and calibration."""

    def __init__(self, name: str, *, base: Any, folder: Path, cal_path: Path) -> None:
        from music_models.library.melodies import MelodyFiles

        self.name = name
        self.base = base
        self.melodies = MelodyFiles(folder)
        self.cal_path = cal_path
        self.calibration: Any = None
        self._index: Any = None

    def prepare(self, tunes: Any, *, progress: bool = False) -> None:
        if self.base._library is None:
            self.base.prepare(tunes, progress=progress)
        self.calibration = self.base._library.calibration

    def _activate(self) -> Any:
        lib = self.base._library
        if lib.melodies is not self.melodies:
            lib.melodies = self.melodies
            lib._melody_index = self._index  # one library, three melody sources: each keeps its index
            self._index = lib.melody_index() or False
        lib.calibration = self.calibration
        return lib

    def rank(self, samples: np.ndarray, sample_rate_hz: int, top_k: int) -> Any:
        from music_models.evaluation.systems import SystemAnswer

        result = self._activate().identify(samples, sample_rate_hz, top_k)
        return SystemAnswer(str(result.verdict), tuple(str(r.song_id) for r in result.results),
                            {k: float(v) for k, v in dict(result.timing_ms).items()})

    def calibrate(self, entries: Any, *, progress: bool = False) -> dict[str, Any]:
        from tqdm import tqdm

        from music_models.evaluation.harness import load_queries
        from music_models.library.calibration import calibrate, calibration_pair

        lib = self._activate()
        feats, right = [], []
        for q in tqdm(load_queries(entries), total=len(entries), desc=f"calibrating {self.name}", unit="query",
                      disable=not progress):
            pair = calibration_pair(result=lib.identify(q.samples, q.sample_rate_hz, widen=False), truth_song_id=q.tune_id)
            if pair is not None:
                feats.append(pair[0])
                right.append(pair[1])
        self.calibration = calibrate(features=feats, correct=right, out_path=self.cal_path)
        return {"queries": len(entries), "answered": len(feats), "fit": self.calibration.to_dict()}

    def describe(self) -> dict[str, Any]:
        return {"melodies": str(self.melodies.folder)}


def main() -> None:
    from music_models.evaluation.config import EvalConfig
    from music_models.evaluation.harness import load_pools, select_library
    from music_models.evaluation.qbh_eval import evaluate_qbh
    from music_models.evaluation.systems import ModelSystem
    from music_models.library.audio_melody import AudioMelodyConfig

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--calibration-queries", type=int, default=120)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "audio_melody.json")
    args = ap.parse_args()

    config = EvalConfig(queries=args.queries, calibration_queries=args.calibration_queries, systems=("model",),
                        json_path=str(args.out))
    query_pool, distractor_pool = load_pools(split=config.query_split, progress=True)
    library_tunes, _ = select_library(query_pool=query_pool, distractor_pool=distractor_pool,
                                      size=config.library_size, seed=config.seed)
    base = ModelSystem(collection=config.collection)
    base.prepare(library_tunes, progress=True)
    lib = base._library
    root = Path(base.describe()["library_path"])
    cfg_key = hashlib.sha1(json.dumps(AudioMelodyConfig().to_dict(), sort_keys=True).encode()).hexdigest()[:10]
    audio_folder = root / f"melodies-audio-{cfg_key}"
    jobs = []
    for t in library_tunes:
        rec = lib.songs.get(t.tune_id)
        if rec is None:
            continue
        wav = Path(rec.audio_path)
        jobs.append((t.tune_id, str(wav), str(wav.with_suffix(".mid")), str(audio_folder)))
    from tqdm import tqdm

    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(tqdm(pool.map(extract_one, jobs, chunksize=8), total=len(jobs), desc="extracting melodies",
                         unit="song"))
    wall_s = time.perf_counter() - t0
    scored = [r for r in rows if "rpa" in r]
    extraction = {
        "songs": len(rows), "stored": sum(1 for r in rows if r["frames"] >= 2),
        "raw_pitch_accuracy": {"mean": round(float(np.mean([r["rpa"] for r in scored])), 4),
                               "median": round(float(np.median([r["rpa"] for r in scored])), 4)},
        "raw_chroma_accuracy": {"mean": round(float(np.mean([r["rca"] for r in scored])), 4),
                                "median": round(float(np.median([r["rca"] for r in scored])), 4)},
        "times_real_time_one_core": round(sum(r["audio_s"] for r in rows) / sum(r["extract_s"] for r in rows), 1),
        "extract_ms_per_song_p50": round(float(np.median([r["extract_s"] for r in rows])) * 1000, 1),
        "wall_s": round(wall_s, 1), "workers": args.workers, "config": AudioMelodyConfig().to_dict(),
    }
    print(json.dumps(extraction, indent=1))

    empty = root / "melodies-none"
    empty.mkdir(exist_ok=True)
    cal_dir = root / "bench-calibrations"
    cal_dir.mkdir(exist_ok=True)
    systems = [MelodySourceSystem("symbolic", base=base, folder=lib.config.melodies_path(), cal_path=cal_dir / "symbolic.json"),
               MelodySourceSystem("audio", base=base, folder=audio_folder, cal_path=cal_dir / "audio.json"),
               MelodySourceSystem("none", base=base, folder=empty, cal_path=cal_dir / "none.json")]
    report = evaluate_qbh(replace(config, systems=("model",)), systems=systems, progress=True)
    report["benchmark"] = "audio_melody"
    report["extraction"] = extraction
    summary = {s: {k: report["systems"][s].get(k) for k in ("overall", "by_kind", "by_level")}
               for s in report["systems"]}
    print(json.dumps({s: v["overall"] for s, v in summary.items()}, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
