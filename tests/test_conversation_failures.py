"""Failure behaviour with real components where this machine has them: the real Rasa HTTP client against
a server that is down or too slow, the real local Qdrant store missing or empty, no audio device, and
the CLI keeping going through all of it."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.chunk import AudioClip
from assistant.cli.main import main
from assistant.conversation import AssistantConfig, Conversation, FileOutput, build_assistant, open_library
from assistant.nlu import NluConfig, RasaClient

pytestmark = pytest.mark.integration


class _Tts:
    def speak(self, text: str) -> AudioClip:
        return AudioClip(np.zeros(800, dtype=np.float32))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def slow_server() -> Iterator[str]:
    """An HTTP server that answers /model/parse only after 2 s."""

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(2.0)
            body = json.dumps({"text": "x", "intent": {"name": "stop", "confidence": 1.0}}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _conversation(nlu: RasaClient, tmp: Path) -> Conversation:
    a = build_assistant(AssistantConfig(), recognizer=None, nlu=nlu, library=None, tts=_Tts(), wake=None)
    return Conversation(a, FileOutput(tmp))


def test_rasa_down_is_spoken_and_the_next_turn_still_runs(tmp_path: Path) -> None:
    client = RasaClient(f"http://127.0.0.1:{_free_port()}", config=NluConfig(retry_backoff_s=0.0))
    conv = _conversation(client, tmp_path)
    first = conv.text_turn("play greensleeves")
    assert first.replies[0].key == "router.nlu_down" and "cannot connect" in (first.error or "")
    assert Path(first.replies[0].speech_wav or "").is_file()
    assert conv.text_turn("stop").replies[0].key == "router.nothing_to_stop"  # stop works without Rasa


def test_rasa_too_slow_times_out_with_a_spoken_reason(tmp_path: Path, slow_server: str) -> None:
    client = RasaClient(slow_server, config=NluConfig(request_timeout_s=0.3, retry_backoff_s=0.0))
    conv = _conversation(client, tmp_path)
    t = time.perf_counter()
    r = conv.text_turn("what's this song")
    assert time.perf_counter() - t < 1.8  # two attempts of 0.3 s, not the server's 2 s
    assert r.replies[0].key == "router.nlu_down" and "no answer within 0.3 s" in (r.error or "")
    assert conv.turns == 1 and conv.text_turn("what's this song").replies[0].key == "router.nlu_down"


def test_missing_qdrant_storage_and_an_empty_library_are_named(tmp_path: Path) -> None:
    lib, problem, _ = open_library({"path": str(tmp_path / "nowhere")})
    assert lib is None and problem is not None and problem.key == "library.unavailable"
    assert "humdinger library build" in problem.reason
    from music_models.library import Library, LibraryConfig

    Library.open(LibraryConfig(path=str(tmp_path / "empty")), create=True).close()
    lib, problem, close = open_library({"path": str(tmp_path / "empty")})
    assert lib is None and problem is not None and problem.key == "library.empty"
    close()


def test_converse_cli_keeps_going_when_rasa_and_the_library_are_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{_free_port()}")
    (tmp_path / "s.yaml").write_text("turns:\n  - text: play greensleeves\n  - audio: missing.wav\n  - text: stop\n")
    assert main(["converse", "--script", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--json"]) == 0
    out = capsys.readouterr()
    transcript = json.loads(out.out)
    assert [t["replies"][0]["key"] for t in transcript["turns"]] == \
        ["router.nlu_down", "conversation.bad_input", "router.nothing_to_stop"]
    assert any("language understanding" in p for p in transcript["problems"])
    assert any("song library" in p for p in transcript["problems"])
    assert "no such audio file" in transcript["turns"][1]["reply_text"]
    assert (tmp_path / "out" / "transcript.json").is_file() and "warning" in out.err


def test_listen_without_an_audio_device_names_converse(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HUMDINGER_AUDIO", "none")
    assert main(["listen"]) == 1
    err = capsys.readouterr().err
    assert "no audio microphone available" in err and "humdinger converse" in err
