"""The QBH evaluation harness: library selection, scoring at the System interface, and a real end-to-end run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from test_qbh_baseline import _tiny_tunes

from music_models.errors import ConfigError, CorpusError, LibraryError
from music_models.evaluation import (
    DtwSystem,
    EvalConfig,
    EvalQuery,
    QueryOutcome,
    SystemAnswer,
    evaluate_qbh,
    markdown_table,
    select_library,
    write_report,
)
from music_models.evaluation.harness import run_queries
from music_models.evaluation.report import summarise_system
from music_models.types import Tune


class _FixedRanking:
    """A fake system: always returns the same ranking and verdict, whatever it hears."""

    def __init__(self, name: str, ranking: Sequence[str], verdict: str = "match") -> None:
        self.name = name
        self.ranking = tuple(ranking)
        self.verdict = verdict
        self.prepared: list[str] = []

    def prepare(self, tunes: Sequence[Tune], *, progress: bool = False) -> None:
        self.prepared = [t.tune_id for t in tunes]

    def rank(self, samples: np.ndarray, sample_rate_hz: int, top_k: int) -> SystemAnswer:
        return SystemAnswer(self.verdict, self.ranking, {"total": 1.0})

    def describe(self) -> dict[str, object]:
        return {"system": "fixed ranking"}


def _q(kind: str, level: str, tune_id: str) -> EvalQuery:
    return EvalQuery(np.zeros(1600, dtype=np.float32), 16000, kind, level, tune_id)


def test_select_library_keeps_every_query_tune_and_fills_with_distractors() -> None:
    tunes = _tiny_tunes(12, seed=3)
    query_pool, others = tunes[:4], tunes[4:]
    library, queryable = select_library(query_pool=query_pool, distractor_pool=others, size=9, seed=0)
    ids = [t.tune_id for t in library]
    assert len(library) == 9 and ids == sorted(ids)
    assert {t.tune_id for t in query_pool} <= set(ids) and queryable == list(query_pool)
    again, _ = select_library(query_pool=query_pool, distractor_pool=others, size=9, seed=0)
    assert again == library  # seeded
    small, q_small = select_library(query_pool=query_pool, distractor_pool=others, size=2, seed=0)
    assert len(small) == 2 and {t.tune_id for t in small} <= {t.tune_id for t in query_pool}
    assert {t.tune_id for t in q_small} == {t.tune_id for t in small}
    with pytest.raises(CorpusError, match="no tunes"):
        select_library(query_pool=[], distractor_pool=others, size=5, seed=0)


def test_scores_at_the_system_interface_are_exact() -> None:
    good = _FixedRanking("good", ["a", "b", "c"])
    shy = _FixedRanking("shy", [], verdict="no_melody")
    queries = [_q("hum", "clean", "a"), _q("hum", "clean", "c"), _q("hum", "heavy", "z"),
               _q("whistle", "clean", "b"), _q("speech", "", ""), _q("silence", "", "")]
    outcomes = run_queries(systems=[good, shy], queries=iter(queries), total=len(queries), top_k=2)
    assert [o.rank for o in outcomes if o.system == "good"] == [1, None, None, 2, None, None]  # "c" is cut at k=2
    table = summarise_system(outcomes, system="good", kinds=("hum", "whistle"), levels=("clean", "heavy"),
                             nonmelodic_kinds=("speech", "silence"), list_length=2)
    assert table["by_kind_level"]["hum"]["clean"] == {"n": 2, "mrr": 0.5, "top1": 0.5, "top10": 0.5,
                                                     "no_melody_rate": 0.0}
    assert table["by_kind"]["hum"]["mrr"] == pytest.approx(1 / 3, abs=1e-4)
    assert table["by_kind"]["whistle"]["mrr"] == 0.5
    assert table["overall"]["n"] == 4 and table["overall"]["mrr"] == pytest.approx(0.375)
    assert table["false_match_rate"] == {"speech": 1.0, "silence": 1.0, "all": 1.0}
    shy_table = summarise_system(outcomes, system="shy", kinds=("hum",), levels=("clean",),
                                 nonmelodic_kinds=("speech",), list_length=2)
    assert shy_table["overall"]["mrr"] == 0.0 and shy_table["overall"]["no_melody_rate"] == 1.0
    assert shy_table["false_match_rate"]["speech"] == 0.0
    assert shy_table["latency_ms"]["p50"] is not None
    o = QueryOutcome("good", "hum", "clean", "a", 3, "unsure", 12.25)
    assert QueryOutcome.from_dict(json.loads(json.dumps(o.to_dict()))) == o


def test_bad_settings_say_what_to_use() -> None:
    with pytest.raises(ConfigError, match="yodel"):
        EvalConfig(kinds=("yodel",)).validate()
    with pytest.raises(ConfigError, match="--queries"):
        EvalConfig(queries=0).validate()
    with pytest.raises(ConfigError, match="choose from model, dtw"):
        EvalConfig(systems=("svm",)).validate()
    with pytest.raises(LibraryError, match="prepare"):
        DtwSystem().rank(np.zeros(16000, dtype=np.float32), 16000, 10)
    cfg = EvalConfig(queries=5, kinds=("hum",))
    assert EvalConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_cli_reports_bad_kinds_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.main import main

    assert main(["eval", "qbh", "--kinds", "hum,yodel", "--no-progress"]) == 1
    assert "yodel" in capsys.readouterr().err


@pytest.mark.integration  # FluidSynth (instrument queries) and espeak-ng (speech)
def test_end_to_end_with_the_dtw_baseline_on_a_tiny_library(tmp_path: Path) -> None:
    tunes = _tiny_tunes(10, seed=11)
    config = EvalConfig(queries=8, levels=("clean",), library_size=8, nonmelodic_per_kind=1, systems=("dtw",))
    fake = _FixedRanking("fake", [t.tune_id for t in tunes[:3]])
    report = evaluate_qbh(config, systems=[DtwSystem(), fake], query_pool=tunes[:6], distractor_pool=tunes[6:],
                          work_dir=tmp_path)
    assert report["library"] == {"songs": 8, "query_tunes": 6, "distractors": 2}
    assert report["queries"]["melodic"] == 8 and report["queries"]["nonmelodic"] == 4
    assert len(fake.prepared) == 8
    dtw = report["systems"]["dtw"]
    assert all(dtw["by_kind"][k]["n"] == 2 for k in config.kinds)
    assert dtw["overall"]["mrr"] >= 0.6, markdown_table(report)  # clean queries of 8 random-walk tunes
    assert dtw["false_match_rate"]["silence"] == 0.0
    assert dtw["latency_ms"]["p50"] > 0
    assert report["systems"]["fake"]["false_match_rate"]["all"] == 1.0
    out = write_report(report, tmp_path / "r" / "qbh.json")
    assert json.loads(out.read_text())["list_length"] == 10
    table = markdown_table(report)
    assert "| **dtw** | **all** | **all** | 8 |" in table and "false match: speech" in table
    # The query set is cached: a second run makes no new WAVs.
    wavs = sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*.wav"))
    evaluate_qbh(config, systems=[fake], query_pool=tunes[:6], distractor_pool=tunes[6:], work_dir=tmp_path)
    assert sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*.wav")) == wavs


class _Calibrating(_FixedRanking):
    def __init__(self, name: str, ids: list[str]) -> None:
        super().__init__(name, ids)
        self.calibrated_on: list[str] = []

    def calibrate(self, entries: list, *, progress: bool = False) -> dict:  # type: ignore[type-arg]
        self.calibrated_on = [e[3] for e in entries]
        return {"queries": len(entries)}


@pytest.mark.integration  # FluidSynth and espeak-ng, as above
def test_calibration_uses_only_library_tunes_of_the_calibration_pool(tmp_path: Path) -> None:
    tunes = _tiny_tunes(24, seed=5)
    queries, others = tunes[:4], tunes[4:]
    config = EvalConfig(queries=4, kinds=("hum",), levels=("clean",), library_size=24, nonmelodic_per_kind=0,
                        systems=("dtw",), calibration_queries=12)
    fake = _Calibrating("fake", [t.tune_id for t in tunes[:3]])
    report = evaluate_qbh(config, systems=[fake], query_pool=queries, distractor_pool=others, work_dir=tmp_path,
                          calibration_pool=others[:12] + queries)
    assert report["calibration"] == {"fake": {"queries": 12}}
    assert fake.calibrated_on and set(fake.calibrated_on) <= {t.tune_id for t in others[:12]}
    with pytest.raises(ConfigError, match="calibration_split"):
        EvalConfig(calibration_split="test").validate()
