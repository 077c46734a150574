"""Reading PocketSphinx's N-best list (assistant.asr.sphinx.read_nbest), and the rules bench/nbest_dev.py
tried for making one intent out of Rasa's parses of the N best hearings."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from bench_scripts import load_bench_script

from assistant.asr.sphinx import read_nbest
from assistant.asr.types import Alternative, Transcript
from assistant.nlu.types import Entity, NluResult

ROOT = Path(__file__).resolve().parents[1]


BENCH = load_bench_script("nbest_dev")
combine_parses, cascade, fallback_rule, posterior_weights = (BENCH.combine_parses, BENCH.cascade,
                                                            BENCH.fallback_rule, BENCH.posterior_weights)


def _parse(text: str, ranking: list[tuple[str, float]], entities: tuple[Entity, ...] = ()) -> NluResult:
    top, conf = ranking[0]
    if conf < 0.7:
        return NluResult(text, "nlu_fallback", 0.7, (("nlu_fallback", 0.7), *ranking), entities)
    return NluResult(text, top, conf, tuple(ranking), entities)


def test_weights_sharpen_with_alpha() -> None:
    assert posterior_weights([-1.0, -2.0], alpha=0.0) == [0.5, 0.5]
    assert posterior_weights([-2.0, -1.0, -1.0], alpha=math.inf) == [0.0, 1.0, 0.0]
    w = posterior_weights([-1.0, -2.0, -math.inf], alpha=1.0)
    assert w[0] == pytest.approx(1 / (1 + math.exp(-1))) and w[2] == 0.0 and sum(w) == pytest.approx(1.0)
    assert posterior_weights([-math.inf, -math.inf], alpha=1.0) == [0.5, 0.5]
    assert posterior_weights([], alpha=1.0) == []


def test_the_mixture_recovers_what_the_one_best_missed() -> None:
    one = _parse("what's the sorry", [("out_of_scope", 0.55), ("identify_song", 0.4)])
    alts = [Alternative("what's the sorry", -10.0), Alternative("what's this song", -10.1),
            Alternative("what's this on", -10.3)]
    parses = {"what's the sorry": one,
              "what's this song": _parse("what's this song", [("identify_song", 0.99), ("help", 0.01)]),
              "what's this on": _parse("what's this on", [("identify_song", 0.8), ("resume", 0.2)])}
    got = combine_parses(one, alts, parses, alpha=1.0, threshold=0.7, ambiguity=0.1)
    assert got.intent == "identify_song" and got.text == "what's this song"
    assert got.confidence == pytest.approx(dict(got.ranking)["identify_song"]) and got.confidence >= 0.7
    # infinitely sharp: the one-best transcript's own parse, unchanged
    assert combine_parses(one, alts, parses, alpha=math.inf, threshold=0.7, ambiguity=0.1) is one


def test_a_split_mixture_falls_back() -> None:
    stop = _parse("stop", [("stop", 0.98), ("pause", 0.02)])
    play = _parse("play", [("play_music", 0.97), ("stop", 0.03)])
    alts = [Alternative("stop", -5.0), Alternative("play", -5.0)]
    got = combine_parses(stop, alts, {"stop": stop, "play": play}, alpha=1.0, threshold=0.7, ambiguity=0.1)
    assert got.intent == "nlu_fallback" and got.ranking[0] == ("nlu_fallback", 0.7)


def test_entities_come_from_an_alternative_with_the_chosen_intent() -> None:
    title = Entity("song_title", "greensleeves", 5, 17)
    one = _parse("play green sleep", [("play_music", 0.9), ("stop", 0.1)])
    better = _parse("play greensleeves", [("play_music", 0.95), ("stop", 0.05)], (title,))
    alts = [Alternative("play greensleeves", -3.0), Alternative("play green sleep", -3.5)]
    got = combine_parses(one, alts, {"play greensleeves": better, "play green sleep": one}, alpha=1.0,
                         threshold=0.7, ambiguity=0.1)
    assert got.intent == "play_music" and got.entities == (title,)


def test_nothing_to_mix_returns_the_one_best() -> None:
    one = _parse("stop", [("stop", 0.99)])
    assert combine_parses(one, [], {}, alpha=1.0, threshold=0.7, ambiguity=0.1) is one
    assert combine_parses(one, [Alternative("unparsed", 0.0)], {}, alpha=1.0, threshold=0.7, ambiguity=0.1) is one


def test_cascade_takes_the_first_confident_parse() -> None:
    one = _parse("what's the sorry", [("out_of_scope", 0.9)])
    alts = [Alternative("what's this on", -1.0), Alternative("what's this song", -1.2)]
    parses = {"what's this on": _parse("what's this on", [("identify_song", 0.8)]),
              "what's this song": _parse("what's this song", [("identify_song", 0.99)])}
    assert cascade(one, alts, parses, min_conf=0.7).text == "what's this on"
    assert cascade(one, alts, parses, min_conf=0.9).text == "what's this song"
    assert cascade(one, alts, parses, min_conf=0.999) is one
    stop = _parse("stop", [("stop", 0.95)])
    assert cascade(stop, alts, parses, min_conf=0.9) is stop


def test_fallback_rule_is_read_from_the_rasa_project(tmp_path: Path) -> None:
    assert fallback_rule(ROOT / "nlu_data") == (0.7, 0.1)
    (tmp_path / "config.yml").write_text("pipeline:\n  - name: DIETClassifier\n")
    assert fallback_rule(tmp_path) == (0.3, 0.1)


def test_read_nbest_merges_fillers_and_pronunciations() -> None:
    hyps = [SimpleNamespace(hypstr="what's the song", score=0.05),
            SimpleNamespace(hypstr="what's(2) the <sil> song", score=0.06),
            SimpleNamespace(hypstr="[NOISE]", score=0.07),
            SimpleNamespace(hypstr="what's this on", score=0.04),
            SimpleNamespace(hypstr="whats the song", score=0.0)]
    got = read_nbest(hyps, n=5)
    assert [t for t, _ in got] == ["what's the song", "what's this on", "whats the song"]
    assert got[0][1] == pytest.approx(math.log(0.06)) and got[2][1] == -math.inf
    assert read_nbest(hyps, n=1) == got[:1]
    assert len(read_nbest(iter(hyps), n=5, max_read=2)) == 1


def test_transcript_alternatives_round_trip() -> None:
    tr = Transcript("stop", 0.9, alternatives=(Alternative("stop", -1.0), Alternative("top", -1.5)))
    assert Transcript.from_dict(tr.to_dict()) == tr
    assert Transcript.from_dict({"text": "x", "confidence": 1.0}).alternatives == ()
