"""ASR-variant augmentation of the NLU data (assistant.nlu.asr_augment), and the leakage guard: no held-out
phrasing in the training data or in the recogniser's language. Fakes stand in for espeak and the recogniser
in the unit tests; the generated file is checked as it is in the tree."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml
from bench_scripts import load_bench_script

from assistant.asr.phrases import ASR_VARIANTS_FILE, build_phrase_set, normalize_text
from assistant.nlu.asr_augment import (
    AsrAugmentConfig,
    HeardExample,
    hear_examples,
    render_variants_yaml,
    select_variants,
    training_examples,
)
from assistant.nlu.errors import NluSetupError

REPO = Path(__file__).resolve().parents[1]
NLU_DIR = REPO / "nlu_data" / "data"
HELDOUT = REPO / "bench" / "data" / "heldout_commands.tsv"


def _heldout() -> list[str]:
    with HELDOUT.open(newline="") as f:
        return [normalize_text(r["text"]) for r in csv.DictReader(f, delimiter="\t")]


def _write_nlu(path: Path, intents: dict[str, list[str]]) -> None:
    body = ['version: "3.1"', "nlu:"]
    for intent, exs in intents.items():
        body += [f"- intent: {intent}", "  examples: |", *[f"    - {e}" for e in exs]]
    path.write_text("\n".join(body) + "\n")


def test_training_examples_strip_annotations_and_skip_the_generated_file(tmp_path: Path) -> None:
    _write_nlu(tmp_path / "nlu.yml", {"play_music": ["play [Greensleeves](song_title)", "play some music"]})
    _write_nlu(tmp_path / ASR_VARIANTS_FILE, {"play_music": ["lay some music"]})
    assert training_examples(tmp_path) == [("play_music", "play Greensleeves"), ("play_music", "play some music")]
    with pytest.raises(NluSetupError, match="no NLU data"):
        training_examples(tmp_path / "missing")
    (tmp_path / "bad.yml").write_text("nlu: [unclosed\n")
    with pytest.raises(NluSetupError, match="not valid YAML"):
        training_examples(tmp_path)


def test_hear_examples_speaks_every_example_clean_and_noisy() -> None:
    said: list[tuple[str, int]] = []

    def speak(text: str, seed: int) -> list[tuple[np.ndarray, str]]:
        said.append((text, seed))
        return [(np.full(10, float(len(text)), dtype=np.float32), f"v{k}") for k in range(2)]

    def recognise(samples: np.ndarray) -> str:
        return "Stop, THE music!" if samples[0] < 100 else ""

    heard = hear_examples([("stop", "stop the music"), ("pause", "pause")], speak=speak, recognise=recognise,
                          noisy=lambda y, seed: y + 1000.0, noisy_name="snr10db", seed=7)
    assert [s for _, s in said] == [7, 107]
    assert len(heard) == 8 and {h.condition for h in heard} == {"clean", "snr10db"}
    clean = [h for h in heard if h.condition == "clean"]
    assert all(h.heard_text == "stop the music" for h in clean)
    assert all(h.heard_text == "" for h in heard if h.condition == "snr10db")
    assert HeardExample.from_dict(heard[0].to_dict()) == heard[0]
    said.clear()  # heard in batches: the same speakers (seeds) as heard at once
    hear_examples([("pause", "pause")], speak=speak, recognise=recognise, seed=7, first_index=1)
    assert said == [("pause", 107)]


def test_select_variants_keeps_plausible_unambiguous_new_decodes() -> None:
    def h(intent: str, said: str, heard: str) -> HeardExample:
        return HeardExample(intent, said, heard, "en-us/150wpm/p50", "clean")

    heard = [
        h("stop", "stop right now", "stop like now"),          # a confusion: kept
        h("stop", "stop right now", "stop like now"),          # twice: once
        h("stop", "stop right now", "stop right now"),         # what was said: already an example
        h("stop", "stop right now", ""),                        # nothing heard
        h("stop", "stop right now", "greensleeves reel"),       # unrelated noise: below min_similarity
        h("pause", "hold on", "old on"),                        # heard for two intents: ambiguous
        h("resume", "go on", "old on"),
        h("deny", "not that one", "not that one please"),       # a forbidden (held-out) text
        h("affirm", "yes that's it", "yes that's it then"),
    ]
    cfg = AsrAugmentConfig(min_similarity=0.4, max_per_intent=5)
    out = select_variants(heard, existing=["stop right now", "Yes, that's it"], config=cfg,
                          forbidden=["Not that one, please"])
    assert out == {"affirm": ["yes that's it then"], "stop": ["stop like now"]}
    capped = select_variants([h("stop", "stop right now", t) for t in ("stop right no", "stop right", "stop like")],
                             existing=[], config=AsrAugmentConfig(max_per_intent=2))
    assert capped == {"stop": ["stop right no", "stop right"]}  # the closest to what was said first
    with pytest.raises(NluSetupError, match="min_similarity"):
        AsrAugmentConfig(min_similarity=1.5)
    assert AsrAugmentConfig.from_dict(cfg.to_dict()) == cfg


def test_rendered_variants_are_a_rasa_file_with_the_command(tmp_path: Path) -> None:
    text = render_variants_yaml({"stop": ["stop like now", "top it"], "pause": []},
                                command="python scripts/augment_nlu_with_asr.py --voices 2", notes=["n decodes"])
    assert "python scripts/augment_nlu_with_asr.py --voices 2" in text.splitlines()[1]
    doc = yaml.safe_load(text)
    assert doc["nlu"] == [{"intent": "stop", "examples": "- stop like now\n- top it\n"}]
    (tmp_path / "x.yml").write_text(text)
    assert training_examples(tmp_path, exclude=()) == [("stop", "stop like now"), ("stop", "top it")]


def test_no_heldout_phrasing_in_training_data_or_generated_variants() -> None:
    heldout = _heldout()
    trained = {normalize_text(t) for _, t in training_examples(NLU_DIR, exclude=())}
    verbatim = sorted(set(heldout) & trained)
    assert not verbatim, f"held-out phrasings used for training (leakage): {verbatim}"
    long_ones = [t for t in heldout if len(t.split()) >= 4]
    contained = sorted({t for t in long_ones for x in trained if f" {t} " in f" {x} "})
    assert not contained, f"held-out phrasings inside training examples: {contained}"


def test_no_heldout_phrasing_in_the_recogniser_language() -> None:
    phrases = build_phrase_set()
    templates = set(phrases.templates)
    leaked = sorted(t for t in _heldout() if t in templates)
    assert not leaked, f"held-out phrasings are templates of the domain LM: {leaked}"
    generated = NLU_DIR / ASR_VARIANTS_FILE
    if generated.exists():  # recognition errors stay out of the recogniser's own language
        variants = {normalize_text(t) for _, t in training_examples(NLU_DIR, exclude=())} - \
                   {normalize_text(t) for _, t in training_examples(NLU_DIR)}
        assert variants and not variants & templates


def test_augmentation_speakers_are_not_the_intent_benchmarks_speakers() -> None:
    """The intent benchmark must hear voices the classifier never learned confusions from."""
    corpus = load_bench_script("speech_corpus")
    bench_voices = set(corpus.SpeechCorpusConfig().voices)
    assert bench_voices and not bench_voices & set(AsrAugmentConfig().voices)
