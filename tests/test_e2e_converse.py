"""End to end with real components and no fakes: espeak-ng speaks the commands, a synthetic hum of a
library tune follows, and ``humdinger converse`` runs PocketSphinx + a real Rasa server + a local Qdrant
library built with the real library code and the trained music-space checkpoint.

Also: speech in another language (espeak-ng French and German) gets the not-understood reply and the
conversation goes on. Uses the user's NLU model cache (trained once per content of nlu_data/) and corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.chunk import AudioClip
from assistant.audio.file_source import resample
from assistant.audio.sinks import write_wav
from assistant.nlu import NluConfig, RasaServer
from music_models.paths import data_dir

pytestmark = pytest.mark.integration

_NLU = NluConfig()
if not _NLU.rasa_bin.exists():
    pytest.skip(f"Rasa is not installed ({_NLU.rasa_bin} missing): run 'make rasa'", allow_module_level=True)

SR = 16000


def _speak(text: str, *, voice: str = "en-us") -> np.ndarray:
    from assistant.tts import EspeakTTS

    return EspeakTTS().speak(text, voice=voice).samples


def _quiet(seconds: float, seed: int = 0) -> np.ndarray:
    return (0.002 * np.random.default_rng(seed).standard_normal(int(seconds * SR))).astype(np.float32)


def _wav(path: Path, *parts: np.ndarray) -> str:
    write_wav(path, AudioClip(np.concatenate([_quiet(0.4), *parts, _quiet(1.2, 1)]).astype(np.float32)))
    return path.name


@pytest.fixture(scope="module")
def rasa() -> Iterator[RasaServer]:
    # Module scope runs before conftest's per-test data dir, so this is the user's model cache.
    cfg = NluConfig(model_dir=data_dir() / "rasa" / "models", rasa_url=None)
    with RasaServer(cfg, progress=False) as srv:
        yield srv


def test_foreign_speech_gets_a_spoken_reply_and_the_conversation_continues(rasa: RasaServer, tmp_path: Path) -> None:
    """Speech in another language is answered (a spoken reply, no crash) and "stop" still works after it.

    Not asserted: that it is *not understood*. The domain language model maps foreign speech onto the
    domain's words ("Spiel mir bitte ein schönes Lied vor" came out as "candidates chill slow see you
    play", which Rasa reads as play_music at 0.96), and the phone-loop fit separates it from English
    only weakly (bench/tune_asr.py, bench/results/asr_tuning.json); README, Known gaps."""
    from assistant.conversation import AssistantConfig, Conversation, FileOutput, build_assistant

    assistant = build_assistant(AssistantConfig(use_library=False), nlu=rasa.client, wake=None)
    conv = Conversation(assistant, FileOutput(tmp_path))
    turns = [("quelle est cette chanson, s'il vous plaît", "fr"), ("Spiel mir bitte ein schönes Lied vor", "de"),
             ("stop", "en-us")]
    records = [conv.audio_turn(AudioClip(np.concatenate([_quiet(0.3), _speak(t, voice=v), _quiet(1.2)])).chunks())
               for t, v in turns]
    for rec in records[:2]:
        assert rec.error is None and rec.replies, rec.to_dict()
        assert rec.replies[0].speech_wav and Path(rec.replies[0].speech_wav).is_file()
    assert records[2].nlu is not None and records[2].nlu["intent"] == "stop"


@pytest.fixture(scope="module")
def tunes() -> list:  # type: ignore[type-arg]
    from music_models.corpus import load_corpus  # the user's corpus cache (module scope, see above)

    return load_corpus(split="test", progress=False)[:4]


# Builds a 4-song library (render + embed) and runs three real turns: ~30 s here (plus the corpus cache,
# ~3.5 min, on a machine that has none). In the default suite: it is the end-to-end acceptance test.
def test_converse_names_the_hummed_tune_plays_it_and_stops(rasa: RasaServer, tunes: list, tmp_path: Path,  # type: ignore[type-arg]
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from music_models.space.checkpoint import default_checkpoint_path

    ckpt = default_checkpoint_path()
    if not ckpt.is_file():
        pytest.skip(f"the trained music-space checkpoint {ckpt} is absent (train it with 'humdinger train'); "
                    "identification needs it")
    from assistant.cli.main import main
    from music_models.library import Library, LibraryConfig, build_from_tunes
    from music_models.queries import synthesise_query

    # The default library location (data_dir() is this test's own folder), so converse finds it as a user's.
    with Library.open(LibraryConfig(), create=True) as lib:
        report = build_from_tunes(lib, tunes, progress=False)
        assert report.indexed == len(tunes)
    target = tunes[1]
    q = synthesise_query(target, kind="hum", seed=3)
    hum = resample(q.samples, from_hz=q.sample_rate_hz, to_hz=SR)
    (tmp_path / "s.yaml").write_text(json.dumps({"turns": [
        {"audio": _wav(tmp_path / "ask.wav", _speak("hey humdinger, what's this song?"), _quiet(1.0, 2), hum)},
        {"audio": _wav(tmp_path / "play.wav", _speak("play it"))},
        {"audio": _wav(tmp_path / "stop.wav", _speak("stop")), "gap_s": 2.0},
    ]}))
    monkeypatch.setenv("RASA_URL", rasa.url or "")
    monkeypatch.setenv("RASA_TOKEN", rasa.token or "")
    assert main(["converse", "--script", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--json"]) == 0
    transcript = json.loads(capsys.readouterr().out)
    assert transcript["problems"] == []
    ask, play, stop = transcript["turns"]
    assert ask["intent"] == "identify_song" and ask["skill"] == "identify_song"
    assert ask["replies"][0]["key"] == "identify.prompt"
    assert target.title in ask["reply_text"], ask
    assert play["intent"] == "play_music" and play["files"]["music"]
    assert Path(play["files"]["music"][0]).is_file() and target.title in play["reply_text"]
    assert stop["intent"] == "stop" and stop["replies"][0]["key"] == "router.stopped"
    assert stop["replies"][0]["cancelled"] is not None  # the song was still playing: barge-in
