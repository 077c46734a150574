"""Does re-ranking the model's candidates by melody alignment help? Collects, then sweeps, offline.

    .venv/bin/python bench/fusion_sweep.py --candidates 100 --gate-only [--shifts ...] [--out JSON]
        ->  bench/results/fusion_sweep.json (and the per-query rows beside it, for --rows re-sweeps)

Same library (3,000 songs) and queries as ``humdinger eval qbh`` (its caches are reused). For every
melodic query: the model's top ``--candidates`` songs with their scores, and each candidate's
subsequence-DTW cost (mean clipped semitone error) against that song's symbolic melody, from two query
pitch tracks: the DTW baseline's own pYIN (0.25 semitone, 20 ms; ~400 ms per query) and the melody
gate's cheap one (pYIN voicing at 1 semitone + YIN's unquantised pitch, 40 ms; the gate computes it
anyway; the product's own functions). The fusion score is ``model score - w * min(cost, clip)``; ``w``
is chosen on the val-split calibration queries (never the test queries) and the test MRR is reported
for the chosen ``w``. With ``--candidates 100`` the rows are also cut to 10/20/30/50 candidates, which
is how ``MelodyMatchConfig.candidates`` was chosen. ``--gate-only`` skips the slow baseline track.
``--full`` also aligns with every song's melody (the widened search of an unsure answer); without
``--gate-only`` it does so from the gate's track, the fine one, and the fine one with pYIN's range
cut to the gate contour's ("cascade", "cascade_fine", "cascade_ranged"), which is how
``MelodyMatchConfig.wide_pitch_track``, ``wide_weight`` and ``wide_pitch_margin_semitones`` were chosen
(``--candidates 100 --full --out bench/results/fusion_sweep_fine.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def collect(entries: list[tuple[Path, str, str, str]], *, library: Any, contours: dict[str, np.ndarray],
            n_candidates: int, split: str, fine: bool, melody_match: Any,
            full_index: Any = None, clip_scores: bool = False) -> list[dict[str, Any]]:
    from tqdm import tqdm

    from music_models.evaluation.harness import load_queries
    from music_models.library.audio_files import to_mono_16k
    from music_models.library.melody import analyse_melody
    from music_models.library.melody_match import melody_costs, pitch_range_hz, query_melody
    from music_models.qbh_baseline import QbhBaselineConfig
    from music_models.qbh_baseline.contour import pitch_track, query_contour

    cfg = QbhBaselineConfig()
    rows = []
    for q in tqdm(load_queries(entries), total=len(entries), desc=f"{split} queries", unit="query"):
        t0 = time.perf_counter()
        result = library.identify(q.samples, q.sample_rate_hz, n_candidates)  # the model alone (weight 0)
        t1 = time.perf_counter()
        row: dict[str, Any] = {"split": split, "kind": q.kind, "level": q.level, "tune_id": q.tune_id,
                               "verdict": result.verdict, "identify_ms": (t1 - t0) * 1e3,
                               "candidates": [h.song_id for h in result.results],
                               "scores": [h.score for h in result.results]}
        if result.results:
            cands = row["candidates"]
            row["ms"] = {}
        if result.results and fine:
            track = pitch_track(samples=q.samples, sample_rate_hz=q.sample_rate_hz, target_rate_hz=cfg.sample_rate_hz,
                               fmin_hz=cfg.fmin_hz, fmax_hz=cfg.fmax_hz, frame_length=cfg.frame_length,
                               hop_length=cfg.hop_length, resolution_semitones=cfg.pyin_resolution_semitones,
                               voiced_probability_min=cfg.voiced_probability_min)
            c_fine = query_contour(track=track, contour_rate_hz=cfg.contour_rate_hz,
                                   median_filter_frames=cfg.median_filter_frames,
                                   outlier_window_frames=cfg.outlier_window_frames,
                                   outlier_semitones=cfg.outlier_semitones)
            t2 = time.perf_counter()
            found = melody_costs(query=c_fine, melodies={c: contours[c] for c in cands if c in contours},
                                 config=melody_match)
            row["cost_fine"] = [found.get(c, float("inf")) for c in cands]
            t3 = time.perf_counter()
            row["ms"] |= {"pitch_fine": (t2 - t1) * 1e3, "dtw_fine": (t3 - t2) * 1e3}
            if full_index is not None and c_fine.size:  # the widened search from the fine track
                matches = full_index.match_contour(contour=c_fine, top_k=30)
                row["full_fine_ids"] = [m.song_id for m in matches]
                row["full_fine_costs"] = [m.cost for m in matches]
                row["ms"]["full_dtw_fine"] = (time.perf_counter() - t3) * 1e3
        if result.results:
            t3 = time.perf_counter()
            x = to_mono_16k(samples=q.samples, sample_rate_hz=q.sample_rate_hz)
            _, track = analyse_melody(samples=x)  # what identify already computed: the product's own path
            contour = query_melody(track=track, config=melody_match)
            t4 = time.perf_counter()
            found = melody_costs(query=contour, melodies={c: contours[c] for c in cands if c in contours},
                                 config=melody_match)
            row["cost_gate"] = [found.get(c, float("inf")) for c in cands]
            t5 = time.perf_counter()
            row["ms"] |= {"pitch_gate": (t4 - t3) * 1e3, "dtw_gate": (t5 - t4) * 1e3}
            if full_index is not None and contour.size:  # melody alignment over the whole library
                matches = full_index.match_contour(contour=contour, top_k=30)
                row["full_ids"] = [m.song_id for m in matches]
                row["full_costs"] = [m.cost for m in matches]
                row["ms"]["full_dtw"] = (time.perf_counter() - t5) * 1e3
            if fine and full_index is not None and contour.size:  # the fine track, pYIN's range cut to the gate's
                t6 = time.perf_counter()
                span = pitch_range_hz(contour=contour, margin_semitones=melody_match.wide_pitch_margin_semitones,
                                      floor_hz=cfg.fmin_hz, ceiling_hz=cfg.fmax_hz)
                c_ranged = full_index.contour_of_track(full_index.analyse(samples=x, sample_rate_hz=16000,
                                                                          pitch_range_hz=span))
                t7 = time.perf_counter()
                found = melody_costs(query=c_ranged, melodies={c: contours[c] for c in cands if c in contours},
                                     config=melody_match) if c_ranged.size >= 2 else {}
                row["cost_ranged"] = [found.get(c, float("inf")) for c in cands]
                if c_ranged.size:
                    matches = full_index.match_contour(contour=c_ranged, top_k=30)
                    row["full_ranged_ids"] = [m.song_id for m in matches]
                    row["full_ranged_costs"] = [m.cost for m in matches]
                row["ms"] |= {"pitch_ranged": (t7 - t6) * 1e3, "full_dtw_ranged": (time.perf_counter() - t7) * 1e3}
        if result.results and clip_scores and len(library.config.query_time_scales) > 1:
            row["clip_scores"] = per_clip_scores(library, q.samples, q.sample_rate_hz, row["candidates"])
        rows.append(row)
    return rows


def per_clip_scores(library: Any, samples: np.ndarray, sample_rate_hz: int, cands: list[str]) -> list[list[float | None]]:
    """Each query tempo's own score of each candidate (identify keeps each song's best): the query's own
    tempo first, then the extra ones, as ``Library._embed_query`` orders them; None where a tempo's
    search did not rank the song."""
    from music_models.library.audio_files import to_mono_16k

    x = to_mono_16k(samples=samples, sample_rate_hz=sample_rate_hz)
    out = []
    for clip in library._embed_query(x):
        got = {s: sc for s, sc, _ in library.score_songs(np.asarray(clip.z, dtype=np.float32),
                                                           [float(t) for t in clip.starts_s])}
        out.append([got.get(c) for c in cands])
    return out


def fused_order(row: dict[str, Any], *, w: float, costs: str, clip: float) -> list[str]:
    """The candidates re-scored by the product's :func:`fuse`, best first."""
    from music_models.library.config import MelodyMatchConfig
    from music_models.library.melody_match import fuse

    cands = row["candidates"]
    scored = [(c, float(s), 0.0) for c, s in zip(cands, row["scores"])]
    config = MelodyMatchConfig(weight=w, cost_clip_semitones=clip)
    return [c for c, _, _ in fuse(scored=scored, costs=dict(zip(cands, row[costs])), config=config)]


def fused_rank(row: dict[str, Any], *, w: float, costs: str, clip: float) -> int | None:
    if not row["candidates"]:
        return None
    ranked = fused_order(row, w=w, costs=costs, clip=clip)[:10]
    return ranked.index(row["tune_id"]) + 1 if row["tune_id"] in ranked else None


def cascade_ranking(row: dict[str, Any], *, k: int, w: float, w_wide: float, clip: float,
                    skip_margin: float = np.inf, wide_track: str = "gate",
                    widen_above_cost: float = np.inf, widen_below: float | None = None,
                    keep_first: bool = True) -> tuple[list[str], bool]:
    """The shipped re-rank (``k`` candidates, weight ``w``); when its calibrated verdict is not ``match``,
    the widened search: the ``k`` candidates joined with the whole-library alignment's best 30 (those not
    among them get the lowest candidate's score), all re-scored with weight ``w_wide`` (as
    ``Library.widen_by_melody``). Returns the ranking and
    whether it was widened. With ``skip_margin``, a model rank 1 that leads by that much is kept as is.
    ``wide_track`` "fine": the widened search aligns the baseline's pYIN contour (``cost_fine``,
    ``full_fine_*``) instead of the gate's; "ranged": the same with pYIN's range cut to the gate
    contour's (``cost_ranged``, ``full_ranged_*``; as ``Library.widen_by_melody``). ``widen_above_cost``:
    an answer whose gate melody cost is above it is not a match either (``widen_above_cost_semitones``).
    ``widen_below``: a match less sure than this gets the widened search too (``widen_below_confidence``;
    default: only unsure answers are widened); as in identify the match keeps first place and the widened
    ranking follows it (``keep_first`` False: the widened ranking alone, to see whether it agrees).
    """
    from music_models.library.calibration import confidences
    from music_models.library.config import Calibration, LibraryConfig, MelodyMatchConfig
    from music_models.library.melody_match import fuse

    cands, scores = row["candidates"], row["scores"]
    if len(scores) < 2 or scores[0] - scores[1] >= skip_margin:  # the model alone is sure: no alignment
        return list(cands), False
    config = MelodyMatchConfig(weight=w, cost_clip_semitones=clip)
    head = [(c, float(s), 0.0) for c, s in zip(cands[:k], scores[:k])]
    costs = dict(zip(cands[:k], row["cost_gate"][:k]))
    fused = fuse(scored=head, costs=costs, config=config)
    conf = confidences(scores=[sc for _, sc, _ in fused], calibration=Calibration())
    prefix = "full" if wide_track == "gate" else f"full_{wide_track}"
    fits = not costs.get(fused[0][0], 0.0) > widen_above_cost
    threshold = max(LibraryConfig().match_confidence, widen_below or 0.0)  # as identify: unsure answers always
    if (conf[0] >= threshold and fits) or f"{prefix}_ids" not in row:
        return [c for c, _, _ in fused], False
    if wide_track != "gate":
        costs = dict(zip(cands[:k], row[f"cost_{wide_track}"][:k]))
    floor = min(s for _, s, _ in head)  # as Library.widen_by_melody: the whole library's best join the head
    pool = head + [(sid, floor, 0.0) for sid in dict.fromkeys(row[f"{prefix}_ids"]) if sid not in costs]
    for sid, c in zip(row[f"{prefix}_ids"], row[f"{prefix}_costs"]):
        costs.setdefault(sid, float(c))
    wide = [c for c, _, _ in fuse(scored=pool, costs=costs, config=replace(config, weight=w_wide))]
    if keep_first and conf[0] >= LibraryConfig().match_confidence and fits:  # a match's second opinion
        wide = [fused[0][0], *(c for c in wide if c != fused[0][0])]
    return wide, True


def shipped_cascade(row: dict[str, Any], **overrides: Any) -> tuple[list[str], bool]:
    """:func:`cascade_ranking` as identify ships it (``MelodyMatchConfig``'s defaults, the widened search
    on pYIN cut to the gate contour's range); ``overrides``: any of its keyword arguments, e.g. the
    ``skip_margin`` or ``widen_above_cost`` a sweep varies."""
    from music_models.library.config import MelodyMatchConfig

    mm = MelodyMatchConfig()
    kw: dict[str, Any] = {"k": mm.candidates, "w": mm.weight, "w_wide": mm.wide_weight, "clip": mm.cost_clip_semitones,
                          "skip_margin": mm.skip_margin, "wide_track": "ranged",
                          "widen_above_cost": mm.widen_above_cost_semitones, "widen_below": mm.widen_below_confidence}
    return cascade_ranking(row, **(kw | overrides))


def rank_metrics(rows: list[dict[str, Any]], rankings: list[list[str] | None]) -> dict[str, Any]:
    """MRR, top-1 and top-10 (a song below rank 10 counts 0) of ``rankings`` (None: the query was
    refused) against each row's ``tune_id``."""
    ranks = [r.index(row["tune_id"]) + 1 if r is not None and row["tune_id"] in r[:10] else None
             for row, r in zip(rows, rankings)]
    n = max(len(rows), 1)
    return {"queries": len(rows), "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
            "top1": round(sum(r == 1 for r in ranks) / n, 4), "top10": round(sum(r is not None for r in ranks) / n, 4)}


def sweep(rows: list[dict[str, Any]], *, costs: str, weights: np.ndarray, clip: float) -> list[tuple[float, float]]:
    from music_models.evaluation.metrics import mrr

    return [(float(w), float(mrr([fused_rank(r, w=w, costs=costs, clip=clip) for r in rows]))) for w in weights]


def summary(rows: list[dict[str, Any]], *, w: float, costs: str, clip: float) -> dict[str, Any]:
    from music_models.evaluation.metrics import mrr
    from music_models.queries.config import QUERY_KINDS

    def one(sel: list[dict[str, Any]]) -> dict[str, Any]:
        fused = [fused_rank(r, w=w, costs=costs, clip=clip) for r in sel]
        model = [fused_rank(r, w=0.0, costs=costs, clip=clip) for r in sel]
        return {"n": len(sel), "mrr_model": round(mrr(model), 4), "mrr_fused": round(mrr(fused), 4),
                "top1_fused": round(float(np.mean([r == 1 for r in fused])), 4),
                "top10_fused": round(float(np.mean([r is not None for r in fused])), 4)}

    levels = sorted({r["level"] for r in rows})
    return {"all": one(rows), "by_kind": {k: one([r for r in rows if r["kind"] == k]) for k in QUERY_KINDS},
            "by_level": {lv: one([r for r in rows if r["level"] == lv]) for lv in levels},
            "hum_moderate": one([r for r in rows if r["kind"] == "hum" and r["level"] == "moderate"])}


def cascade_report(val: list[dict[str, Any]], test: list[dict[str, Any]], *, wide_track: str) -> dict[str, Any]:
    """The widened cascade's weight chosen on val, its test figures, and the skip-margin table."""
    from music_models.evaluation.metrics import mrr
    from music_models.queries.config import QUERY_KINDS

    def ranks(sel: list[dict[str, Any]], w_wide: float, skip: float = np.inf) -> list[int | None]:
        out = []
        for r in sel:
            if not r["candidates"]:
                out.append(None)
                continue
            ranked = cascade_ranking(r, k=30, w=0.15, w_wide=w_wide, clip=1.0, skip_margin=skip,
                                     wide_track=wide_track)[0][:10]
            out.append(ranked.index(r["tune_id"]) + 1 if r["tune_id"] in ranked else None)
        return out

    wide_curve = [(float(x), float(mrr(ranks(val, float(x))))) for x in np.round(np.arange(0.0, 1.01, 0.05), 2)]
    w_wide = max(wide_curve, key=lambda t: (round(t[1], 6), -t[0]))[0]
    widened = [cascade_ranking(r, k=30, w=0.15, w_wide=w_wide, clip=1.0, wide_track=wide_track)[1]
               for r in test if r["candidates"]]
    tr = ranks(test, w_wide)
    return {
        "rule": "shipped re-rank; when its verdict is not 'match', the model's 30 candidates + the whole-library "
                f"alignment's best 30 ({wide_track} pitch track), re-scored with w_wide (chosen on val)",
        "val_curve": wide_curve, "w_wide_chosen_on_val": w_wide,
        "test_widened_fraction": round(float(np.mean(widened)), 4),
        "test_mrr": round(mrr(tr), 4), "test_top1": round(float(np.mean([x == 1 for x in tr])), 4),
        "test_top10": round(float(np.mean([x is not None for x in tr])), 4),
        "by_kind": {kd: round(mrr([x for x, r in zip(tr, test) if r["kind"] == kd]), 4) for kd in QUERY_KINDS},
        "by_level": {lv: round(mrr([x for x, r in zip(tr, test) if r["level"] == lv]), 4)
                     for lv in sorted({r["level"] for r in test})},
        "hum_moderate": round(mrr([x for x, r in zip(tr, test) if r["kind"] == "hum" and r["level"] == "moderate"]), 4),
        "skip_when_the_model_leads_by": {
            str(m): {"val_mrr": round(mrr(ranks(val, w_wide, m)), 4), "test_mrr": round(mrr(ranks(test, w_wide, m)), 4),
                     "val_skipped": sum(1 for r in val if len(r["scores"]) > 1 and r["scores"][0] - r["scores"][1] >= m),
                     "test_skipped": sum(1 for r in test if len(r["scores"]) > 1 and r["scores"][0] - r["scores"][1] >= m)}
            for m in (0.02, 0.03, 0.045, 0.06, 0.1)},
    }


def open_candidate_library(config: Any, *, shifts: tuple[float, ...] | None = None) -> tuple[Any, ...]:
    """The eval's library opened for offline sweeps: (library tunes, query tunes, the opened Library with
    the melody re-rank off so identify returns the model's own candidates, the melody-match settings,
    every tune's symbolic melody contour)."""
    from music_models.evaluation.harness import load_pools, select_library
    from music_models.evaluation.systems import ModelSystem
    from music_models.library.melody_match import song_melody

    qpool, dpool = load_pools(split=config.query_split)
    library, query_tunes = select_library(query_pool=qpool, distractor_pool=dpool, size=config.library_size,
                                          seed=config.seed)
    system = ModelSystem(collection=config.collection)
    system.prepare(library, progress=True)
    lib = system._library
    mm = lib.config.melody_match
    if shifts:
        mm = replace(mm, shifts_semitones=shifts)
    lib.config = replace(lib.config, melody_match=replace(mm, weight=0.0))  # candidates: the model alone
    contours = {t.tune_id: song_melody(notes=t.notes, tempo_qpm=t.tempo_qpm, config=mm) for t in library if t.notes}
    return library, query_tunes, lib, mm, contours


def shipped_library_with_hums(config: Any, *, limit: int) -> tuple[Any, str, list[Any]]:
    """The eval's library with identify as shipped (melody re-rank on), the name of the first (by name)
    cached eval query set that has moderate hums, and its first ``limit`` of them (exits when none)."""
    from music_models.evaluation.harness import load_queries
    from music_models.paths import data_dir

    _, _, lib, mm, _ = open_candidate_library(config)
    lib.config = replace(lib.config, melody_match=mm)
    qdir = data_dir() / "eval" / "queries"
    wavs = sorted(qdir.glob("*/*_hum_moderate_*.wav"))
    if not wavs:
        sys.exit(f"no cached moderate-hum queries under {qdir}; run 'humdinger eval qbh' first")
    chosen = min({w.parent for w in wavs})
    wavs = sorted(chosen.glob("*_hum_moderate_*.wav"))[:limit]
    return lib, chosen.name, list(load_queries([(w, "hum", "moderate", "") for w in wavs]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--candidates", type=int, default=100, help="model candidates re-ranked per query")
    p.add_argument("--gate-only", action="store_true",
                   help="skip the baseline's slow pYIN track (only the melody gate's cheap one)")
    p.add_argument("--shifts", type=float, nargs="+", default=None,
                   help="transposition grid of the re-rank's refinement (semitones; default: the product's)")
    p.add_argument("--full", action="store_true",
                   help="also align the gate's contour with every song of the library (the widened search)")
    p.add_argument("--rows", type=Path, default=None, help="reuse collected rows (JSON) instead of running queries")
    p.add_argument("--out", type=Path, default=REPO / "bench/results/fusion_sweep.json")
    args = p.parse_args()

    if args.rows and args.rows.is_file():
        rows = json.loads(args.rows.read_text())
    else:
        from music_models.corpus import load_corpus
        from music_models.evaluation.config import EvalConfig
        from music_models.evaluation.harness import melodic_queries
        from music_models.paths import data_dir

        config = EvalConfig()
        work = data_dir() / "eval"
        library, query_tunes, lib, mm, contours = open_candidate_library(
            config, shifts=tuple(args.shifts) if args.shifts else None)
        full = None
        if args.full:
            from music_models.library.melody_match import melody_index

            full = melody_index(melodies=contours, config=mm, refine=30)
        val_ids = {t.tune_id for t in load_corpus(split=config.calibration_split)} - {t.tune_id for t in query_tunes}
        val_tunes = [t for t in library if t.tune_id in val_ids and t.notes]
        cal_cfg = replace(config, queries=config.calibration_queries, seed=config.seed + 1)
        val_entries = melodic_queries(tunes=val_tunes, config=cal_cfg, work_dir=work)
        test_entries = melodic_queries(tunes=query_tunes, config=config, work_dir=work)
        rows = collect(val_entries, library=lib, contours=contours, n_candidates=args.candidates, split="val",
                       fine=not args.gate_only, melody_match=mm,
                       full_index=full)
        rows += collect(test_entries, library=lib, contours=contours, n_candidates=args.candidates, split="test",
                        fine=not args.gate_only, melody_match=mm,
                       full_index=full)
        raw = args.out.with_name(args.out.stem.replace("fusion_sweep", "fusion_rows") + ".json")
        raw.write_text(json.dumps(rows))
    val = [r for r in rows if r["split"] == "val"]
    test = [r for r in rows if r["split"] == "test"]
    weights = np.round(np.arange(0.0, 0.401, 0.01), 3)
    report: dict[str, Any] = {"candidates": args.candidates, "queries": {"val": len(val), "test": len(test)}}
    for costs in [c for c in ("cost_fine", "cost_gate") if c in next((r for r in rows if "ms" in r), {})]:
        for clip in (1.0, 1.5, 3.0):
            curve = sweep(val, costs=costs, weights=weights, clip=clip)
            w_best = max(curve, key=lambda t: (round(t[1], 6), -t[0]))[0]
            report[f"{costs}_clip{clip}"] = {"val_curve": curve, "w_chosen_on_val": w_best,
                                              "val": summary(val, w=w_best, costs=costs, clip=clip),
                                              "test": summary(test, w=w_best, costs=costs, clip=clip)}
    n_max = max((len(r["candidates"]) for r in rows), default=0)
    by_k = {}
    for k in [k for k in (10, 20, 30, 50, 100) if k <= n_max]:  # fewer candidates = the same rows cut short
        cut = [dict(r, candidates=r["candidates"][:k], scores=r["scores"][:k], cost_gate=r.get("cost_gate", [])[:k])
               for r in rows]
        cv, ct = [r for r in cut if r["split"] == "val"], [r for r in cut if r["split"] == "test"]
        curve = sweep(cv, costs="cost_gate", weights=weights, clip=1.0)
        w_best = max(curve, key=lambda t: (round(t[1], 6), -t[0]))[0]
        by_k[str(k)] = {"w_chosen_on_val": w_best, "val_mrr": round(max(m for _, m in curve), 4),
                        "test": summary(ct, w=w_best, costs="cost_gate", clip=1.0)["all"]}
    report["by_candidates_clip1.0"] = by_k
    tracks = [t for t, key in (("gate", "full_ids"), ("fine", "full_fine_ids"), ("ranged", "full_ranged_ids"))
              if any(key in r for r in rows)]
    for track in tracks:  # the widened search from the gate's contour (shipped) or the baseline's pYIN one
        name = "cascade" if track == "gate" else f"cascade_{track}"
        report[name] = cascade_report(val, test, wide_track=track)
        print(name, {k: v for k, v in report[name].items() if k not in ("val_curve", "rule")})
    ms = [r["ms"] for r in rows if "ms" in r]
    keys = sorted({k for m in ms for k in m})
    report["median_ms"] = {k: round(float(np.median([m[k] for m in ms if k in m])), 1) for k in keys}
    for k in (1, 5, 10, 20, 30, 50, 100):
        report[f"test_recall_at_{k}"] = round(float(np.mean([r["tune_id"] in r["candidates"][:k] for r in test])), 4)
    report["median_identify_ms"] = round(float(np.median([r["identify_ms"] for r in rows])), 1)
    args.out.write_text(json.dumps(report, indent=1))
    for key in [k for k in report if k.startswith("cost_")]:
        v = report[key]
        print(key, "w", v["w_chosen_on_val"], "val", v["val"]["all"], "test", v["test"]["all"],
              "hum-mod", v["test"]["hum_moderate"])
    for k, v in by_k.items():
        print("candidates", k, "w", v["w_chosen_on_val"], "val", v["val_mrr"], "test", v["test"]["mrr_fused"])
    print(report["median_ms"], report["median_identify_ms"])


if __name__ == "__main__":
    main()
