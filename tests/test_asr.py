"""Speech recognition: phrase/grammar building, PocketSphinx on espeak-spoken commands, Vosk error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.asr import (
    AsrConfig,
    PhraseSet,
    PocketSphinxConfig,
    PocketSphinxRecognizer,
    Transcript,
    VoskRecognizer,
    build_phrase_set,
    expand_phrases,
    normalize_text,
    resolve_vosk_model,
    to_jsgf,
    transcribe,
    vosk_phrase_list,
)
from assistant.asr.phrases import parse_nlu_yaml
from assistant.asr.pronounce import accent_variants, espeak_to_arpabet, load_cmudict_variants
from assistant.audio import SpeechModelError, chunks_from_array
from assistant.tts import EspeakConfig, EspeakTTS

NLU = """
version: "3.1"
nlu:
- intent: play_music
  examples: |
    - play [Greensleeves](song_title)
    - play some [jigs]{"entity": "genre", "value": "jig"}
    - put on [Danny Boy](song_title), please!
- intent: identify_song
  examples: |
    - what's this song
- lookup: genre
  examples: |
    - reels
"""


def test_parse_nlu_templates_and_slots() -> None:
    ps = parse_nlu_yaml(NLU)
    assert ps.templates == ("play <song_title>", "play some <genre>", "put on <song_title> please", "what's this song")
    assert set(ps.slots["song_title"]) == {"greensleeves", "danny boy"}
    assert set(ps.slots["genre"]) == {"jigs", "reels"}
    assert PhraseSet.from_dict(json.loads(json.dumps(ps.to_dict()))) == ps


def test_titles_join_the_grammar_and_phrase_list(tmp_path: Path) -> None:
    (tmp_path / "nlu.yml").write_text(NLU)
    ps = build_phrase_set(nlu_path=tmp_path, song_titles=["The Kesh Jig", "Symphony No. 5"])
    assert "symphony no five" in ps.slots["song_title"]
    jsgf = to_jsgf(ps, optional_prefix="hey humdinger")
    assert "public <command> = [ hey humdinger ]" in jsgf and "( the kesh jig )" in jsgf
    phrases = vosk_phrase_list(ps)
    assert "play the kesh jig" in phrases and "put on danny boy please" in phrases and phrases[-1] == "[unk]"
    assert len(expand_phrases(ps, max_phrases=3)) == 3


def test_normalize_and_espeak_mapping() -> None:
    assert normalize_text("Play  'Greensleeves', 2 times & more!") == "play greensleeves two times and more"
    assert espeak_to_arpabet("gr'i:nsli:vz") == "G R IY N S L IY V Z"


def test_non_rhotic_reading_drops_only_the_unspoken_r() -> None:
    assert espeak_to_arpabet("st'A@t") == "S T AA R T"  # the American reading
    assert espeak_to_arpabet("st'A@t", rhotic=False) == "S T AA T"  # southern British: no r spoken
    assert espeak_to_arpabet("st'A@rt", rhotic=False) == "S T AA R T"  # a rhotic accent spells its r
    assert espeak_to_arpabet("s'Vmt[In", rhotic=False) == "S AH M T IH N"  # dental t (en-029)


@pytest.mark.integration
def test_accent_variants_add_only_new_pronunciations() -> None:
    known = load_cmudict_variants()
    assert {"W AH T", "HH W AH T"} <= known["what"] and "T UW N" in known["tune"]
    out = accent_variants(["tune", "what", "play", "don't-split", ""], voices=["en-gb", "en-gb"], known=known)
    assert out["tune"] == ["T Y UW N"] and out["what"] == ["W AA T"]  # British yod and lot vowel, once each
    assert "play" not in out and "don't-split" not in out  # the dictionary already says "play" that way
    assert accent_variants(["tune"], voices=[], known=known) == {}


def test_vosk_errors_name_the_fetch_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUMDINGER_VOSK_MODEL", raising=False)
    with pytest.raises(SpeechModelError, match="humdinger models fetch vosk"):
        resolve_vosk_model()
    with pytest.raises(SpeechModelError, match="does not exist"):
        resolve_vosk_model(tmp_path / "nope")
    (tmp_path / "broken" / "am").mkdir(parents=True)
    with pytest.raises(SpeechModelError, match="missing am/final.mdl"):
        VoskRecognizer(None, config=__import__("assistant.asr", fromlist=["VoskConfig"]).VoskConfig(
            model_dir=str(tmp_path / "broken")))
    monkeypatch.setenv("HUMDINGER_VOSK_MODEL", str(tmp_path / "broken"))
    assert AsrConfig().resolved_backend() == "vosk"


@pytest.mark.integration
def test_pocketsphinx_grammar_recognises_espeak_command() -> None:
    phrases = build_phrase_set(song_titles=["Greensleeves", "Drowsy Maggie"])
    rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(mode="grammar"))
    tts = EspeakTTS(EspeakConfig(voice="en-us", rate_wpm=150))
    rng = np.random.default_rng(0)
    texts = ["play something calm on the piano", "compose something like drowsy maggie"]
    results = []
    for text in texts * 2:  # second pass: the recogniser's live CMN has adapted, as in a running assistant
        y = tts.speak(text).samples
        y = np.concatenate([rng.normal(0, 0.002, 4000), y, rng.normal(0, 0.002, 4000)]).astype(np.float32)
        results.append(transcribe(rec, chunks_from_array(y, chunk_s=0.1)))
    assert all(isinstance(r, Transcript) and r.duration_s > 1.0 and r.elapsed_s > 0 for r in results)
    assert [r.text for r in results[2:]] == texts


def test_models_fetch_vosk_offline_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.main import main

    # port 9 (discard) on localhost refuses the connection at once: the same path as no internet
    rc = main(["models", "fetch", "vosk", "--url", "http://127.0.0.1:9/vosk.zip", "--timeout-s", "2"])
    err = capsys.readouterr().err
    assert rc != 0 and "could not download the Vosk model" in err and "HUMDINGER_VOSK_MODEL=" in err


def test_domain_lm_is_valid_arpa() -> None:
    from assistant.asr.domain_lm import DomainLmConfig, domain_lm_arpa, domain_sentences

    ps = parse_nlu_yaml(NLU)
    sents = domain_sentences(ps, fills_per_template=3, seed=0, optional_prefix="hey humdinger")
    assert ["play", "danny", "boy"] in sents and ["hey", "humdinger", "what's", "this", "song"] in sents
    arpa = domain_lm_arpa(ps, config=DomainLmConfig(fills_per_template=3), optional_prefix="hey humdinger")
    head, body = arpa.split("\\1-grams:")
    counts = [int(ln.split("=")[1]) for ln in head.splitlines() if ln.startswith("ngram")]
    sections = [s for s in body.split("\\end\\")[0].split("-grams:")]
    assert len(counts) == 3 and arpa.rstrip().endswith("\\end\\")
    unigrams = [ln.split("\t") for ln in sections[0].splitlines() if "\t" in ln]
    assert len(unigrams) == counts[0]
    assert 0.97 < sum(10 ** float(u[0]) for u in unigrams if u[1] != "<s>") <= 1.0 + 1e-6
    with pytest.raises(Exception, match="discount"):
        domain_lm_arpa(ps, config=DomainLmConfig(discount=1.5))


@pytest.mark.integration
def test_pocketsphinx_domain_lm_recognises_espeak_command() -> None:
    phrases = build_phrase_set(song_titles=["Greensleeves"])
    rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(mode="domain_lm"))
    rng = np.random.default_rng(1)
    y = EspeakTTS(EspeakConfig(voice="en-us", rate_wpm=150)).speak("play a slow waltz").samples
    y = np.concatenate([rng.normal(0, 0.003, 8000), 0.5 * y, rng.normal(0, 0.003, 8000)]).astype(np.float32)
    result = transcribe(rec, chunks_from_array(y, chunk_s=0.1))
    assert result.text == "play a slow waltz" and result.backend == "pocketsphinx-domain_lm"


@pytest.mark.integration
def test_accent_variants_let_a_british_voice_be_heard() -> None:
    """With en-gb's readings in the dictionary, en-gb espeak-ng's "tune" (T Y UW N) is heard as the
    American dictionary's word, and the transcript holds base words, never ``tune(2)``."""
    phrases = build_phrase_set(song_titles=["Greensleeves"])
    rng = np.random.default_rng(1)
    y = EspeakTTS(EspeakConfig(voice="en-gb", rate_wpm=150)).speak("what is this tune").samples
    y = np.concatenate([rng.normal(0, 0.003, 8000), 0.5 * y, rng.normal(0, 0.003, 8000)]).astype(np.float32)
    heard = {}
    for voices in ((), ("en-gb",)):
        rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(accent_voices=voices))
        heard[voices] = transcribe(rec, chunks_from_array(y, chunk_s=0.1)).text
    assert heard[("en-gb",)].startswith("what is this tune") and "(" not in heard[("en-gb",)], heard
    assert "tune" not in heard[()].split(), heard  # the variants are what made the difference
    assert PocketSphinxConfig.from_dict({"accent_voices": ["en-gb"]}).accent_voices == ("en-gb",)


def _spoken(text: str, *, rng: np.random.Generator, pause_s: float = 0.0, then: str = "") -> np.ndarray:
    """espeak-ng saying ``text`` (and ``then`` after ``pause_s`` of room noise), with a second of room
    noise after it: enough trailing silence for the endpointer to close the utterance."""
    tts = EspeakTTS(EspeakConfig(voice="en-us", rate_wpm=150))
    parts = [rng.normal(0, 0.003, 8000), 0.5 * tts.speak(text).samples]
    if then:
        parts += [rng.normal(0, 0.003, int(pause_s * 16000)), 0.5 * tts.speak(then).samples]
    parts.append(rng.normal(0, 0.003, 16000))
    return np.concatenate(parts).astype(np.float32)


@pytest.mark.integration
def test_background_redecode_gives_the_same_words_sooner() -> None:
    """speculate() takes the decode point when the speaker stops; with background_redecode the decode
    starts then, while the endpointer still waits for silence, and finish() returns it: the same words,
    times and confidence as decoding the decode point's audio in finish()."""
    from assistant.conversation.capture import capture_utterance
    from assistant.conversation.config import ConversationConfig

    phrases = build_phrase_set(song_titles=["Greensleeves"])
    speech = ConversationConfig().speech
    y = _spoken("play a slow waltz", rng=np.random.default_rng(1))
    results = {}
    for background in (False, True):
        rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(background_redecode=background))
        cap = capture_utterance(chunks_from_array(y, chunk_s=0.1), config=speech, recognizer=rec,
                                speculate_after_s=0.4)
        assert cap.transcript is not None
        results[background] = (cap.transcript.text, cap.transcript.words, cap.transcript.confidence)
        assert rec.speculation_hits == 1  # the decode point was taken either way
    assert results[True] == results[False] and results[True][0] == "play a slow waltz"


@pytest.mark.integration
def test_background_redecode_is_dropped_when_the_speaker_goes_on() -> None:
    """A pause longer than the speculation delay but shorter than the endpoint: the first decode point is
    cancelled when the speaker goes on, and the words after the pause are recognised too."""
    from assistant.conversation.capture import capture_utterance
    from assistant.conversation.config import ConversationConfig

    phrases = build_phrase_set(song_titles=["Greensleeves"])
    y = _spoken("play", pause_s=0.12, then="greensleeves", rng=np.random.default_rng(2))  # + espeak's ~0.4 s
    rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig())
    started = []
    speculate = rec.speculate
    rec.speculate = lambda: started.append(speculate()) or started[-1]  # type: ignore[method-assign]
    cap = capture_utterance(chunks_from_array(y, chunk_s=0.1), config=ConversationConfig().speech,
                            recognizer=rec, speculate_after_s=0.4)
    assert cap.transcript is not None and cap.transcript.text.endswith("greensleeves")
    assert started == [True, True]  # once in the pause, once after the last word
    assert rec.speculation_hits == 1  # the second one


@pytest.mark.integration
def test_a_cancelled_decode_point_over_music_does_not_crash_the_recogniser() -> None:
    """A spoken command over the assistant's own music after echo cancellation (bench/bench_echo.py):
    the endpointer takes seconds of residual music for speech, the decode point is taken and cancelled,
    and feeding the decoder all of it again in one call crashed PocketSphinx 5.1.1 (a segmentation fault
    that ended the whole assistant). Run in a child process, so a crash fails this test, not the suite."""
    import subprocess
    import sys

    wav = Path(__file__).parent / "data" / "sphinx_refeed_crash.wav"
    code = (
        "from assistant.asr import build_phrase_set\n"
        "from assistant.asr.factory import AsrConfig, create_recognizer\n"
        "from assistant.audio.file_source import read_audio_file\n"
        "from assistant.conversation import ConversationConfig\n"
        "from assistant.conversation.capture import capture_utterance\n"
        f"clip = read_audio_file({str(wav)!r})\n"
        "rec = create_recognizer(build_phrase_set(), config=AsrConfig())\n"
        "cancel, cancelled = rec.cancel_speculation, []\n"
        "def counted():\n"
        "    cancelled.append(rec._speculation is not None)\n"
        "    cancel()\n"
        "rec.cancel_speculation = counted\n"
        "conv = ConversationConfig()\n"
        "cap = capture_utterance(clip.chunks(chunk_s=0.1), config=conv.speech, recognizer=rec,\n"
        "                        recognise_max_length=True, speculate_after_s=conv.speculate_after_s)\n"
        "print('cancelled decode points:', sum(cancelled))\n"
        "print('words:', cap.transcript.text if cap.transcript else None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[1])
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "cancelled decode points: 0" not in done.stdout and "words:" in done.stdout, done.stdout


@pytest.mark.integration
def test_nbest_alternatives_come_with_the_transcript() -> None:
    """With ``nbest`` the transcript carries distinct word sequences off the final decode's lattice, best
    score first, the recognised words among them; without, none (and the words do not change)."""
    from assistant.conversation.capture import capture_utterance
    from assistant.conversation.config import ConversationConfig

    phrases = build_phrase_set(song_titles=["Greensleeves"])
    y = _spoken("play a slow waltz", rng=np.random.default_rng(1))
    got = {}
    for n in (0, 5):
        rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(nbest=n))
        cap = capture_utterance(chunks_from_array(y, chunk_s=0.1), config=ConversationConfig().speech,
                                recognizer=rec, speculate_after_s=0.4)
        assert cap.transcript is not None
        got[n] = cap.transcript
    assert got[0].alternatives == () and got[5].text == got[0].text == "play a slow waltz"
    alts = got[5].alternatives
    texts = [a.text for a in alts]
    assert 2 <= len(alts) <= 5 and len(set(texts)) == len(texts) and "play a slow waltz" in texts
    assert [a.log_score for a in alts] == sorted((a.log_score for a in alts), reverse=True)


def test_denoise_option_cleans_a_noisy_utterance_and_leaves_a_clean_one() -> None:
    import numpy as np

    from assistant.asr.sphinx import PocketSphinxConfig, PocketSphinxRecognizer

    rng = np.random.default_rng(0)
    sr = 16000
    t = np.arange(2 * sr) / sr
    voice = 0.3 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 2 * t) > 0)  # on/off "syllables"
    noisy = ((voice + rng.normal(0, 0.05, len(t))) * 32767 * 0.8).astype("<i2")
    clean = ((voice + rng.normal(0, 0.0005, len(t))) * 32767 * 0.8).astype("<i2")
    rec = PocketSphinxRecognizer(config=PocketSphinxConfig(mode="lm", denoise_below_snr_db=20.0))
    out = rec._denoised(noisy)
    gaps = np.sin(2 * np.pi * 2 * t) <= 0
    assert np.std(out[gaps].astype(float)) < 0.5 * np.std(noisy[gaps].astype(float))
    assert np.array_equal(rec._denoised(clean), clean)
    off = PocketSphinxRecognizer(config=PocketSphinxConfig(mode="lm"))
    assert np.array_equal(off._denoised(noisy), noisy)


@pytest.mark.integration
def test_frame_rate_reaches_the_decoder_and_its_word_times() -> None:
    """``frame_rate_hz`` is PocketSphinx's ``-frate``: at 90 frames/s the decoder counts fewer frames for
    the same audio, and the words' times (frames / rate) still say where in the utterance they were spoken."""
    phrases = build_phrase_set(song_titles=["Greensleeves"])
    y = _spoken("play a slow waltz", rng=np.random.default_rng(1))
    ends = {}
    for rate in (100, 90):
        rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(frame_rate_hz=rate))
        assert int(rec._decoder.config["frate"]) == rate
        result = transcribe(rec, chunks_from_array(y, chunk_s=0.1))
        assert result.words, rate
        ends[rate] = result.words[-1].end_s
    assert abs(ends[90] - ends[100]) < 0.08, ends  # the same place in the (trimmed) utterance


@pytest.mark.integration
def test_search_beams_reach_the_decoder() -> None:
    phrases = build_phrase_set(song_titles=["Greensleeves"])
    rec = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig(beam=1e-60, word_beam=1e-40, phone_beam=1e-55))
    assert [float(rec._decoder.config[k]) for k in ("beam", "wbeam", "pbeam")] == pytest.approx([1e-60, 1e-40, 1e-55])
    default = PocketSphinxRecognizer(phrases, config=PocketSphinxConfig())
    assert float(default._decoder.config["beam"]) == pytest.approx(1e-48)  # PocketSphinx's own default
