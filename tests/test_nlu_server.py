"""RasaServer's lifecycle with a stand-in ``rasa`` executable (a tiny HTTP server): start, wait for
readiness, stop, kill when it ignores SIGTERM, fail fast with the log when it crashes; RASA_URL mode."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from assistant.nlu import NluConfig, NluSetupError, NluUnavailableError, RasaServer
from assistant.nlu.server import find_free_port, new_auth_token

FAKE_RASA = r'''#!{python}
"""Stand-in for `rasa run --enable-api ...`: answers /status and /model/parse like Rasa 3.6."""
import argparse, json, os, signal, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

parser = argparse.ArgumentParser(prog="rasa")  # parsed the way rasa's argparse CLI parses them
parser.add_argument("command")
parser.add_argument("--enable-api", action="store_true")
parser.add_argument("-i", "--interface")
parser.add_argument("-p", "--port", type=int)
parser.add_argument("-t", "--auth-token")
parser.add_argument("-m", "--model")
ns = parser.parse_args()
port, token, model = ns.port, ns.auth_token, ns.model
mode = os.environ.get("FAKE_RASA_MODE", "ok")
print("fake rasa starting on", port, flush=True)
if mode == "crash":
    print("OSError: [Errno 98] error while attempting to bind: model broken", flush=True)
    sys.exit(3)
if mode == "ignore_term":
    signal.signal(signal.SIGTERM, lambda *a: print("ignoring SIGTERM", flush=True))
started = time.monotonic()

class H(BaseHTTPRequestHandler):
    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code); self.send_header("Content-Length", str(len(data))); self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if parse_qs(urlparse(self.path).query).get("token") != [token]:
            return self._send(401, {{"message": "bad token"}})
        loaded = mode != "never_ready" and time.monotonic() - started > 0.5
        self._send(200, {{"model_file": model if loaded else None}})
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        text = json.loads(self.rfile.read(n))["text"]
        self._send(200, {{"text": text, "intent": {{"name": "stop", "confidence": 0.99}}, "entities": [],
                          "intent_ranking": [{{"name": "stop", "confidence": 0.99}}]}})
    def log_message(self, *a):
        pass

ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
'''


@pytest.fixture()
def fake_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv-rasa"
    (venv / "bin").mkdir(parents=True)
    rasa = venv / "bin" / "rasa"
    rasa.write_text(FAKE_RASA.format(python=sys.executable))
    rasa.chmod(rasa.stat().st_mode | stat.S_IXUSR)
    return venv


def _config(tmp_path: Path, venv: Path, **kw: object) -> NluConfig:
    return NluConfig(rasa_venv=venv, model_dir=tmp_path / "models", startup_timeout_s=15.0, shutdown_timeout_s=1.0,
                     poll_interval_s=0.05, request_timeout_s=2.0, **kw)  # type: ignore[arg-type]


def _model(tmp_path: Path) -> Path:
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"not a real model; the stand-in does not read it")
    return model


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_starts_waits_parses_and_stops(tmp_path: Path, fake_venv: Path) -> None:
    server = RasaServer(_config(tmp_path, fake_venv), model_path=_model(tmp_path))
    with server:
        assert server.managed and server.url and server.token and len(server.token) >= 24
        proc = server._proc
        assert proc is not None
        assert server.client.parse("stop it").intent == "stop"
    assert not server.managed and proc.poll() is not None
    with pytest.raises(NluUnavailableError, match="not started"):
        server.client.parse("stop")


def test_a_token_that_starts_with_a_dash_still_starts(tmp_path: Path, fake_venv: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # CI once failed on a URL-safe token that began with "-": argparse took it for an option.
    monkeypatch.setattr("assistant.nlu.server.new_auth_token", lambda: "-" + "a" * 31)
    with RasaServer(_config(tmp_path, fake_venv), model_path=_model(tmp_path)) as server:
        assert server.token == "-" + "a" * 31
        assert server.client.parse("stop").intent == "stop"


def test_new_tokens_never_start_with_a_dash() -> None:
    assert all(not new_auth_token().startswith("-") for _ in range(500))


def test_kills_a_server_that_ignores_sigterm(tmp_path: Path, fake_venv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_RASA_MODE", "ignore_term")
    server = RasaServer(_config(tmp_path, fake_venv), model_path=_model(tmp_path)).start()
    assert server._proc is not None
    pid = server._proc.pid
    t0 = time.monotonic()
    server.stop()
    assert time.monotonic() - t0 < 5.0 and not _alive(pid)


def test_crash_while_starting_reports_the_log(tmp_path: Path, fake_venv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_RASA_MODE", "crash")
    with pytest.raises(NluUnavailableError, match="(?s)exited with code 3.*model broken"):
        RasaServer(_config(tmp_path, fake_venv), model_path=_model(tmp_path)).start()


def test_not_ready_in_time_is_stopped(tmp_path: Path, fake_venv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_RASA_MODE", "never_ready")
    cfg = NluConfig(rasa_venv=fake_venv, model_dir=tmp_path / "models", startup_timeout_s=1.5, shutdown_timeout_s=1.0,
                    poll_interval_s=0.05)
    server = RasaServer(cfg, model_path=_model(tmp_path))
    with pytest.raises(NluUnavailableError, match="not ready in time"):
        server.start()
    assert not server.managed


def test_missing_rasa_venv_says_make_rasa(tmp_path: Path) -> None:
    cfg = NluConfig(rasa_venv=tmp_path / "nowhere", model_dir=tmp_path / "models")
    with pytest.raises(NluSetupError, match="make rasa"):
        RasaServer(cfg, model_path=_model(tmp_path)).start()


def test_rasa_url_uses_the_remote_server(tmp_path: Path, fake_venv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with RasaServer(_config(tmp_path, fake_venv), model_path=_model(tmp_path)) as local:
        monkeypatch.setenv("RASA_URL", f"{local.url}/")
        monkeypatch.setenv("RASA_TOKEN", local.token or "")
        cfg = NluConfig.from_env(request_timeout_s=2.0)
        assert cfg.rasa_url == local.url
        with RasaServer(cfg) as remote:
            assert not remote.managed
            assert remote.client.parse("stop").intent == "stop"
        monkeypatch.setenv("RASA_TOKEN", "wrong")
        with pytest.raises(NluUnavailableError, match="not ready in time"):
            RasaServer(NluConfig.from_env(connect_timeout_s=0.2, request_timeout_s=0.5, poll_interval_s=0.05)).start()


def test_find_free_port_skips_busy_ports() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert find_free_port(host="127.0.0.1", port_range=(busy, busy + 20)) != busy
        with pytest.raises(NluSetupError, match="no free port"):
            find_free_port(host="127.0.0.1", port_range=(busy, busy + 1))


def test_a_port_taken_between_probe_and_bind_is_retried_elsewhere(tmp_path: Path, fake_venv: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two assistants starting at once can both probe the same free port; the one that loses the bind must
    start on another port (its own log says why), not report the other's answers as its failure."""
    import socket

    import assistant.nlu.server as server_mod

    real = server_mod.find_free_port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        calls: list[int] = []

        def racy(*, host: str, port_range: tuple[int, int]) -> int:
            calls.append(1)
            return busy if len(calls) == 1 else real(host=host, port_range=port_range)

        monkeypatch.setattr(server_mod, "find_free_port", racy)
        with RasaServer(_config(tmp_path, fake_venv), model_path=_model(tmp_path)) as server:
            assert server.url and not server.url.endswith(f":{busy}") and len(calls) == 2
            assert server.client.parse("stop").intent == "stop"
    logs = sorted((tmp_path / "logs").glob("server-*.log"))
    assert len(logs) == 2 and any("address already in use" in p.read_text().lower() for p in logs)
