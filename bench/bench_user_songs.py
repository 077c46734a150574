"""Songs from outside the bundled corpus, added the way a user adds their own music, then hummed.

    .venv/bin/python bench/bench_user_songs.py [--seeds 3]   ->  bench/results/user_songs.json

Acceptance hums songs that are not in the music21 corpus. This is the nearest check that needs no
recordings: six well-known public-domain melodies (written out below, none of their titles in the
corpus) become MIDI files with a plain bass line under the tune (pretty_midi, not the project's
arranger), are indexed with ``humdinger index``'s code path (rendered through FluidSynth, embedded,
their top line stored as the melody) into a copy of the demo library (``make demo`` builds it: 300
held-out corpus tunes as distractors), and are then identified from synthetic hums, whistles and sung
queries (clean and moderate degradation, ``--seeds`` each). The demo library itself is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results" / "user_songs.json"

#: (MIDI pitch, beats) per note; all in C major or A minor at 100 qpm.
SONGS: dict[str, list[tuple[int, float]]] = {
    "Ode to Joy": [(64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1), (60, 1), (60, 1), (62, 1),
                   (64, 1), (64, 1.5), (62, .5), (62, 2), (64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1),
                   (64, 1), (62, 1), (60, 1), (60, 1), (62, 1), (64, 1), (62, 1.5), (60, .5), (60, 2), (62, 1),
                   (62, 1), (64, 1), (60, 1), (62, 1), (64, .5), (65, .5), (64, 1), (60, 1), (62, 1), (64, .5),
                   (65, .5), (64, 1), (62, 1), (60, 1), (62, 1), (55, 2)],
    "Twinkle Twinkle Little Star": [(60, 1), (60, 1), (67, 1), (67, 1), (69, 1), (69, 1), (67, 2), (65, 1), (65, 1),
                                    (64, 1), (64, 1), (62, 1), (62, 1), (60, 2), (67, 1), (67, 1), (65, 1),
                                    (65, 1), (64, 1), (64, 1), (62, 2), (67, 1), (67, 1), (65, 1), (65, 1),
                                    (64, 1), (64, 1), (62, 2), (60, 1), (60, 1), (67, 1), (67, 1), (69, 1),
                                    (69, 1), (67, 2), (65, 1), (65, 1), (64, 1), (64, 1), (62, 1), (62, 1), (60, 2)],
    "Frere Jacques": [(60, 1), (62, 1), (64, 1), (60, 1)] * 2 + [(64, 1), (65, 1), (67, 2)] * 2
                     + [(67, .5), (69, .5), (67, .5), (65, .5), (64, 1), (60, 1)] * 2 + [(60, 1), (55, 1), (60, 2)] * 2,
    "When the Saints Go Marching In": [(60, 1), (64, 1), (65, 1), (67, 5), (60, 1), (64, 1), (65, 1), (67, 5), (60, 1),
                                       (64, 1), (65, 1), (67, 2), (64, 2), (60, 2), (64, 2), (62, 6), (64, 1),
                                       (64, 1), (62, 1), (60, 3), (60, 1), (64, 2), (67, 2), (67, 1), (65, 4),
                                       (64, 1), (65, 1), (67, 2), (64, 2), (60, 2), (62, 2), (60, 6)],
    "Amazing Grace": [(55, 1), (60, 2), (64, .5), (60, .5), (64, 2), (62, 1), (60, 2), (57, 1), (55, 2), (55, 1),
                      (60, 2), (64, .5), (60, .5), (64, 2), (62, 1), (67, 5), (64, 1), (67, 1.5), (64, .5), (67, .5),
                      (64, .5), (60, 2), (55, 1), (57, 1.5), (60, .5), (60, .5), (57, .5), (55, 2), (55, 1), (60, 2),
                      (64, .5), (60, .5), (64, 2), (62, 1), (60, 5)],
    "Jingle Bells": [(64, 1), (64, 1), (64, 2), (64, 1), (64, 1), (64, 2), (64, 1), (67, 1), (60, 1.5), (62, .5),
                     (64, 4), (65, 1), (65, 1), (65, 1.5), (65, .5), (65, 1), (64, 1), (64, 1), (64, .5), (64, .5),
                     (64, 1), (62, 1), (62, 1), (64, 1), (62, 2), (67, 2), (64, 1), (64, 1), (64, 2), (64, 1),
                     (64, 1), (64, 2), (64, 1), (67, 1), (60, 1.5), (62, .5), (64, 4), (65, 1), (65, 1), (65, 1.5),
                     (65, .5), (65, 1), (64, 1), (64, 1), (64, .5), (64, .5), (67, 1), (67, 1), (65, 1), (62, 1), (60, 4)],
}
TEMPO_QPM = 100.0


def write_midi(title: str, notes: list[tuple[int, float]], path: Path) -> None:
    """The tune on a piano, a bass note (C or G, by bar) under it: a plain user file, not our arranger's."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=TEMPO_QPM)
    melody, bass = pretty_midi.Instrument(program=0, name=title), pretty_midi.Instrument(program=32, name="bass")
    spb = 60.0 / TEMPO_QPM
    t = 0.0
    for pitch, beats in notes:
        melody.notes.append(pretty_midi.Note(velocity=96, pitch=pitch, start=t * spb, end=(t + beats) * spb))
        t += beats
    for bar in range(int(t // 4) + 1):
        root = 36 if bar % 2 == 0 else 43
        bass.notes.append(pretty_midi.Note(velocity=72, pitch=root, start=bar * 4 * spb, end=min(t, bar * 4 + 4) * spb))
    pm.instruments += [melody, bass]
    pm.write(str(path))


def tune_of(title: str, notes: list[tuple[int, float]]) -> Any:
    from music_models.types import Key, Meter, Note, Tune

    seq, t = [], 0.0
    for pitch, beats in notes:
        seq.append(Note(pitch, t, beats))
        t += beats
    return Tune(tune_id=title, title=title, collection="user", meter=Meter(4, 4), key=Key(0, "major"),
                tempo_qpm=TEMPO_QPM, notes=tuple(seq))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="queries per song, kind and level")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from music_models.corpus import load_corpus
    from music_models.paths import data_dir

    source = data_dir()
    if not (source / "qdrant").is_dir() or not (source / "library").is_dir():
        print(f"no demo library under {source}; run `make demo` first", file=sys.stderr)
        return 1
    corpus_titles = {t.title.strip().lower() for split in ("train", "val", "test") for t in load_corpus(split=split)}
    with tempfile.TemporaryDirectory(prefix="humdinger-user-songs-") as tmp:
        work = Path(tmp)
        for name in ("qdrant", "library"):
            shutil.copytree(source / name, work / "data" / name)
        for extra in source.glob("qdrant-*.npz"):
            shutil.copy2(extra, work / "data" / extra.name)
        os.environ["HUMDINGER_DATA"] = str(work / "data")  # everything below reads and writes the copy
        return run(args, work, corpus_titles)


def run(args: argparse.Namespace, work: Path, corpus_titles: set[str]) -> int:
    from dataclasses import replace

    import numpy as np

    from music_models.evaluation.metrics import mrr
    from music_models.library import Library, LibraryConfig
    from music_models.library.indexer import index_paths
    from music_models.queries.config import QueryConfig
    from music_models.queries.synth import synthesise_query

    clash = [t for t in SONGS if t.lower() in corpus_titles]
    if clash:
        print(f"warning: in the corpus by title: {clash}", file=sys.stderr)
    midi_dir = work / "midi"
    midi_dir.mkdir()
    for title, notes in SONGS.items():
        write_midi(title, notes, midi_dir / f"{title}.mid")
    rows: list[dict[str, Any]] = []
    with Library.open(LibraryConfig()) as lib:
        distractors = lib.describe()["songs"]
        t0 = time.perf_counter()
        report = index_paths(lib, [midi_dir], collection="user", progress=False)
        index_s = time.perf_counter() - t0
        lib.warm()
        for title, notes in SONGS.items():
            tune = tune_of(title, notes)
            for kind in ("hum", "whistle", "sing"):
                for level in ("clean", "moderate"):
                    for seed in range(args.seeds):
                        q = synthesise_query(tune, kind=kind, seed=1000 * seed + 7,
                                             config=replace(QueryConfig(), level=level, target_duration_s=10.0))
                        res = lib.identify(q.samples, q.sample_rate_hz, top_k=10)
                        titles = [h.title for h in res.results]
                        rank = titles.index(title) + 1 if title in titles else None
                        rows.append({"song": title, "kind": kind, "level": level, "seed": seed, "rank": rank,
                                     "verdict": res.verdict, "answer": titles[0] if titles else None,
                                     "confidence": round(res.results[0].confidence, 3) if res.results else None,
                                     "identify_ms": round(res.timing_ms.get("total", float("nan")), 1)})
        songs_in_library = lib.describe()["songs"]

    def block(sel: list[dict[str, Any]]) -> dict[str, Any]:
        return {"n": len(sel), "mrr": round(mrr([r["rank"] for r in sel]), 4),
                "top1": round(float(np.mean([r["rank"] == 1 for r in sel])), 4),
                "match_verdicts": sum(r["verdict"] == "match" for r in sel),
                "wrong_matches": sum(r["verdict"] == "match" and r["rank"] != 1 for r in sel)}

    result = {"benchmark": "user_songs", "songs": list(SONGS), "titles_in_corpus": clash,
              "library": {"songs": songs_in_library, "distractors": distractors, "indexed": report.to_dict(),
                          "index_s": round(index_s, 2)},
              "all": block(rows),
              "by_kind": {k: block([r for r in rows if r["kind"] == k]) for k in ("hum", "whistle", "sing")},
              "by_level": {lv: block([r for r in rows if r["level"] == lv]) for lv in ("clean", "moderate")},
              "by_song": {s: block([r for r in rows if r["song"] == s]) for s in SONGS},
              "identify_ms_p50": round(statistics.median(r["identify_ms"] for r in rows), 1),
              "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("all", "by_kind", "by_level", "identify_ms_p50")}))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
