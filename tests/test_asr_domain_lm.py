"""The domain trigram LM's general-English back-off and score scale, and the phrase set leaving the
generated ASR-variant file out (assistant/asr/domain_lm.py, assistant/asr/phrases.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.asr.domain_lm import DomainLmConfig, domain_lm_arpa, general_unigrams
from assistant.asr.phrases import ASR_VARIANTS_FILE, build_phrase_set, load_nlu_phrases, parse_nlu_yaml
from assistant.audio.errors import SpeechInputError

NLU = """
version: "3.1"
nlu:
- intent: stop
  examples: |
    - stop
    - stop the music
- intent: play_music
  examples: |
    - play [greensleeves](song_title)
    - play some [jigs](genre)
"""


def _unigrams(arpa: str) -> dict[str, tuple[float, float]]:
    body = arpa.split("\\1-grams:")[1].split("\\2-grams:")[0]
    out = {}
    for ln in body.splitlines():
        parts = ln.split("\t")
        if len(parts) >= 2:
            out[parts[1]] = (float(parts[0]), float(parts[2]) if len(parts) > 2 else 0.0)
    return out


def test_general_words_join_the_unigrams_which_still_sum_to_one() -> None:
    ps = parse_nlu_yaml(NLU)
    general = {"taxi": 0.5, "weather": 0.3, "stop": 0.2}
    closed = _unigrams(domain_lm_arpa(ps, config=DomainLmConfig(general_weight=0.0)))
    opened = _unigrams(domain_lm_arpa(ps, config=DomainLmConfig(general_weight=0.1), general=general))
    assert "taxi" not in closed and {"taxi", "weather"} <= set(opened)
    for uni in (closed, opened):
        assert sum(10 ** lp for w, (lp, _) in uni.items() if w != "<s>") == pytest.approx(1.0, abs=1e-3)
    assert 10 ** opened["taxi"][0] == pytest.approx(0.1 * 0.5, rel=1e-3)
    assert opened["stop"][0] > closed["stop"][0] + np.log10(0.9) - 1e-6  # domain words keep (1 - w) of their mass
    assert opened["music"][0] == pytest.approx(closed["music"][0] + np.log10(0.9), abs=1e-4)


def test_score_scale_multiplies_every_log_probability() -> None:
    ps = parse_nlu_yaml(NLU)
    base = domain_lm_arpa(ps, config=DomainLmConfig(general_weight=0.0))
    sharp = domain_lm_arpa(ps, config=DomainLmConfig(general_weight=0.0, score_scale=2.0))
    for (w, (lp, bo)), (w2, (lp2, bo2)) in zip(sorted(_unigrams(base).items()), sorted(_unigrams(sharp).items())):
        assert w == w2
        assert lp2 == pytest.approx(lp if lp <= -99 else 2 * lp, abs=2e-5) and bo2 == pytest.approx(2 * bo, abs=2e-5)
    for bad, match in ((DomainLmConfig(score_scale=0.0), "score_scale"), (DomainLmConfig(general_weight=1.0),
                                                                          "general_weight")):
        with pytest.raises(SpeechInputError, match=match):
            domain_lm_arpa(ps, config=bad, general={"x": 1.0})
    with pytest.raises(SpeechInputError, match="general_words"):
        general_unigrams(n_words=0)
    assert DomainLmConfig.from_dict(DomainLmConfig(score_scale=1.5).to_dict()) == DomainLmConfig(score_scale=1.5)


def test_phrase_set_leaves_the_generated_variants_out(tmp_path: Path) -> None:
    (tmp_path / "nlu.yml").write_text(NLU)
    (tmp_path / ASR_VARIANTS_FILE).write_text('version: "3.1"\nnlu:\n- intent: stop\n  examples: |\n    - top the music\n')
    assert "top the music" not in load_nlu_phrases(tmp_path).templates
    assert "top the music" in load_nlu_phrases(tmp_path, exclude=()).templates
    assert "top the music" not in build_phrase_set(nlu_path=tmp_path).templates


@pytest.mark.integration
def test_general_unigrams_from_the_stock_model() -> None:
    g = general_unigrams(n_words=3000)
    assert len(g) == 3000 and sum(g.values()) == pytest.approx(1.0)
    assert max(g, key=g.__getitem__) == "the" and {"weather", "taxi"} & set(g)
    assert all(w.replace("'", "").isalpha() and w.islower() for w in g)


@pytest.mark.integration
@pytest.mark.slow  # two decoders: ~5 s idle, ~30 s on the loaded 2-core machine
def test_out_of_domain_words_can_be_recognised() -> None:
    """A request the NLU data never words this way ("call my doctor") comes out as words, not as a command."""
    from assistant.asr import PocketSphinxConfig, PocketSphinxRecognizer, transcribe
    from assistant.audio import chunks_from_array
    from assistant.tts import EspeakConfig, EspeakTTS

    phrases = parse_nlu_yaml(NLU)
    rng = np.random.default_rng(3)
    y = EspeakTTS(EspeakConfig(voice="en-us", rate_wpm=150)).speak("please call my doctor").samples
    y = np.concatenate([rng.normal(0, 0.003, 8000), 0.5 * y, rng.normal(0, 0.003, 8000)]).astype(np.float32)
    heard = {}
    for w in (0.0, DomainLmConfig().general_weight):
        cfg = PocketSphinxConfig(mode="domain_lm", domain_lm=DomainLmConfig(general_weight=w))
        heard[w] = transcribe(PocketSphinxRecognizer(phrases, config=cfg), chunks_from_array(y, chunk_s=0.1)).text
    assert "doctor" not in heard[0.0].split()  # the closed vocabulary cannot say it
    assert "doctor" in heard[DomainLmConfig().general_weight].split()
