"""RasaClient against a fake Rasa HTTP server on 127.0.0.1: parsing, timeouts, retry, server down."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from assistant.nlu import FALLBACK_INTENT, NluConfig, NluError, NluResult, NluUnavailableError, RasaClient

PARSE_OK: dict[str, Any] = {
    "text": "play cooley's reel",
    "intent": {"name": "play_music", "confidence": 0.98},
    "intent_ranking": [{"name": "play_music", "confidence": 0.98}, {"name": "play_along", "confidence": 0.01}],
    "entities": [
        {"entity": "genre", "start": 14, "end": 18, "value": "reel", "extractor": "RegexEntityExtractor"},
        {"entity": "song_title", "start": 5, "end": 18, "value": "Cooley's Reel", "extractor": "RegexEntityExtractor"},
    ],
}

Behaviour = Callable[[BaseHTTPRequestHandler], None]


def _reply(status: int, body: Any) -> Behaviour:
    def act(h: BaseHTTPRequestHandler) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return act


def _stall(seconds: float) -> Behaviour:
    def act(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)  # the fake server is slow on purpose; the client must time out
        _reply(200, PARSE_OK)(h)
    return act


class FakeRasa:
    """Answers requests with queued behaviours (the last one repeats) and records what it was sent."""

    def __init__(self) -> None:
        self.behaviours: list[Behaviour] = [_reply(200, PARSE_OK)]
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                url = urlparse(self.path)
                fake.requests.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                                      "body": body})
                act = fake.behaviours.pop(0) if len(fake.behaviours) > 1 else fake.behaviours[0]
                act(self)

            do_GET = _handle
            do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def fake() -> Iterator[FakeRasa]:
    server = FakeRasa()
    yield server
    server.close()


FAST = NluConfig(request_timeout_s=0.3, connect_timeout_s=0.3, retries=1, retry_backoff_s=0.0)


def test_parse_returns_typed_result_with_longest_entity(fake: FakeRasa) -> None:
    with RasaClient(fake.url, token="s3cret", config=FAST) as client:
        result = client.parse("  play   cooley's reel ")
    assert result.intent == "play_music" and result.confidence == pytest.approx(0.98)
    assert result.ranking[0] == ("play_music", pytest.approx(0.98))
    assert [(e.entity, e.value) for e in result.entities] == [("song_title", "Cooley's Reel")]
    assert result.entity_value("song_title") == "Cooley's Reel" and result.entity_value("genre") is None
    req = fake.requests[0]
    assert req["path"] == "/model/parse" and req["query"]["token"] == ["s3cret"]
    assert req["body"] == {"text": "play cooley's reel"}
    assert NluResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_timeout_then_retry_succeeds(fake: FakeRasa) -> None:
    fake.behaviours = [_stall(1.0), _reply(200, PARSE_OK)]
    t0 = time.monotonic()
    result = RasaClient(fake.url, config=FAST).parse("play cooley's reel")
    assert result.intent == "play_music"
    assert len(fake.requests) == 2
    assert time.monotonic() - t0 < 1.0  # the first attempt was cut at the 0.3 s timeout, not waited out


def test_two_timeouts_raise_unavailable(fake: FakeRasa) -> None:
    fake.behaviours = [_stall(1.0)]
    with pytest.raises(NluUnavailableError, match="no answer within 0.3 s"):
        RasaClient(fake.url, config=FAST).parse("stop")
    assert len(fake.requests) == 2


def test_server_error_is_retried_once(fake: FakeRasa) -> None:
    fake.behaviours = [_reply(500, {"error": "boom"}), _reply(200, PARSE_OK)]
    assert RasaClient(fake.url, config=FAST).parse("x").intent == "play_music"
    fake.behaviours = [_reply(503, "down")]
    with pytest.raises(NluUnavailableError, match="HTTP 503"):
        RasaClient(fake.url, config=FAST).parse("x")


def test_server_down_raises_unavailable() -> None:
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NluUnavailableError, match="cannot connect"):
        RasaClient(f"http://127.0.0.1:{port}", config=FAST).parse("play greensleeves")


def test_wrong_token_says_how_to_fix(fake: FakeRasa) -> None:
    fake.behaviours = [_reply(401, {"message": "unauthorized"})]
    with pytest.raises(NluUnavailableError, match="RASA_TOKEN"):
        RasaClient(fake.url, token="wrong", config=FAST).parse("stop")
    assert len(fake.requests) == 1  # a refused token is not retried


def test_non_json_and_malformed_answers(fake: FakeRasa) -> None:
    fake.behaviours = [_reply(200, "<html>not rasa</html>")]
    with pytest.raises(NluUnavailableError, match="not JSON"):
        RasaClient(fake.url, config=FAST).parse("stop")
    fake.behaviours = [_reply(200, {"text": "stop", "intent": {"name": "stop", "confidence": 1.0},
                                    "entities": [{"entity": "genre"}]})]
    with pytest.raises(NluError, match="malformed entity"):
        RasaClient(fake.url, config=FAST).parse("stop")


def test_missing_intent_is_fallback(fake: FakeRasa) -> None:
    fake.behaviours = [_reply(200, {"text": "zzz", "intent": {}, "entities": []})]
    result = RasaClient(fake.url, config=FAST).parse("zzz")
    assert result.intent == FALLBACK_INTENT and result.is_fallback and result.confidence == 0.0


def test_bad_input_never_reaches_the_server(fake: FakeRasa) -> None:
    client = RasaClient(fake.url, config=FAST)
    empty = client.parse("   ")
    assert empty.is_fallback and empty.confidence == 0.0
    with pytest.raises(NluError, match="too long"):
        client.parse("la " * 1000)
    with pytest.raises(NluError, match="must be a string"):
        client.parse(None)  # type: ignore[arg-type]
    assert fake.requests == []
    with pytest.raises(NluError, match="http://"):
        RasaClient("localhost:5005")


def test_status_and_readiness(fake: FakeRasa) -> None:
    fake.behaviours = [_reply(200, {"model_file": "abc.tar.gz", "model_id": "x"})]
    assert RasaClient(fake.url, config=FAST).is_ready()
    fake.behaviours = [_reply(200, {"model_file": None})]
    assert not RasaClient(fake.url, config=FAST).is_ready()
