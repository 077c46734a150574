"""Lifecycle of the Rasa server: start our own on 127.0.0.1 (or use ``RASA_URL``), wait until ready, stop.

    with RasaServer(NluConfig.from_env()) as server:
        result = server.client.parse("what's this song")
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Self

from assistant.nlu.client import RasaClient
from assistant.nlu.config import NluConfig
from assistant.nlu.errors import NluSetupError, NluUnavailableError
from assistant.nlu.training import ensure_model, rasa_env, require_rasa

__all__ = ["RasaServer", "find_free_port"]

log = logging.getLogger(__name__)

_PORT_ATTEMPTS = 3
_LOGS_KEPT = 20


def find_free_port(*, host: str, port_range: tuple[int, int]) -> int:
    """The first port in ``[low, high)`` that can be bound on ``host`` now."""
    low, high = port_range
    for port in range(low, high):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise NluSetupError(f"no free port in {low}-{high - 1} on {host}; choose another NluConfig.port_range")


def _port_was_taken(log_path: Path | None) -> bool:
    """Did the server's log say its port was taken (by a process that bound it after we probed)?"""
    if log_path is None or not log_path.is_file():
        return False
    return "address already in use" in log_path.read_text(errors="replace").lower()


def _prune_logs(log_dir: Path, *, keep: int = _LOGS_KEPT) -> None:
    """Delete all but the newest ``keep`` server logs."""
    logs = sorted(log_dir.glob("server-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in logs[keep:]:
        old.unlink(missing_ok=True)


def new_auth_token() -> str:
    """A random token for the local server: hex, so it can never start with ``-``."""
    return secrets.token_hex(24)


def rasa_run_command(rasa: Path, *, host: str, port: int, token: str, model: Path) -> list[str]:
    """The ``rasa run`` argv serving ``model`` over HTTP on ``host:port`` behind ``token``.

    The token is joined to its option with ``=``: a separate argument that starts with ``-`` (one in
    64 URL-safe tokens did) is read by argparse as an option, and Rasa exits with code 2.
    """
    return [str(rasa), "run", "--enable-api", "-i", host, "-p", str(port), f"--auth-token={token}",
            "-m", str(model)]


class RasaServer:
    """A Rasa server for the assistant's lifetime.

    Without ``config.rasa_url`` it trains the model if needed, runs ``rasa run --enable-api`` on a free
    local port with a random auth token, waits until ``/status`` reports the model loaded, and stops
    (terminate, then kill) on ``stop()`` / context exit / interpreter exit. With ``config.rasa_url``
    it only checks that the remote server answers.
    """

    def __init__(self, config: NluConfig | None = None, *, model_path: Path | None = None,
                 progress: bool = True) -> None:
        self.config = config or NluConfig.from_env()
        self.model_path = model_path
        self.progress = progress
        self.url: str | None = None
        self.token: str | None = None
        self.log_path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._client: RasaClient | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------------
    @property
    def managed(self) -> bool:
        """True when this object started (and will stop) the server process."""
        return self._proc is not None

    @property
    def client(self) -> RasaClient:
        if self._client is None:
            raise NluUnavailableError("the Rasa server is not started: use 'with RasaServer(...) as server:'")
        return self._client

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> RasaServer:
        with self._lock:
            if self._client is not None:
                return self
            if self.config.rasa_url:
                self._use_remote()
            else:
                self._start_local()
            return self

    def _use_remote(self) -> None:
        url = self.config.rasa_url or ""
        client = RasaClient(url, token=self.config.rasa_token, config=self.config)
        self._wait_ready(client, deadline=time.monotonic() + self.config.connect_timeout_s + self.config.request_timeout_s)
        self.url, self.token, self._client = url, self.config.rasa_token, client
        log.info("using the Rasa server at %s", url)

    def _start_local(self) -> None:
        cfg = self.config
        rasa = require_rasa(config=cfg)
        model = self.model_path or ensure_model(config=cfg, progress=self.progress)
        if not Path(model).is_file():
            raise NluSetupError(f"NLU model {model} does not exist; delete it from the cache and retrain")
        log_dir = cfg.resolved_model_dir().parent / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        _prune_logs(log_dir)
        for attempt in range(_PORT_ATTEMPTS):
            port = find_free_port(host=cfg.host, port_range=cfg.port_range)
            token = new_auth_token()
            url = f"http://{cfg.host}:{port}"
            # one log per process and port: two assistants starting at once must not share (and truncate) one
            self.log_path = log_dir / f"server-{port}.{os.getpid()}.log"
            cmd = rasa_run_command(rasa, host=cfg.host, port=port, token=token, model=Path(model))
            log.info("starting Rasa on %s with model %s (log %s)", url, Path(model).name, self.log_path)
            with open(self.log_path, "wb") as logf:
                self._proc = subprocess.Popen(cmd, cwd=cfg.project_dir, env=rasa_env(config=cfg),
                                              stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                              start_new_session=True)
            atexit.register(self.stop)
            client = RasaClient(url, token=token, config=cfg)
            try:
                self._wait_ready(client, deadline=time.monotonic() + cfg.startup_timeout_s)
            except NluUnavailableError:
                exited = self._proc.poll() is not None
                self._terminate()
                client.close()
                if exited and _port_was_taken(self.log_path) and attempt + 1 < _PORT_ATTEMPTS:
                    continue  # another process took the port between probing and binding
                raise
            except BaseException:  # Ctrl-C while waiting: the server runs in its own session, stop it
                self._terminate()
                client.close()
                raise
            self.url, self.token, self._client = url, token, client
            log.info("Rasa ready at %s", url)
            return

    def _wait_ready(self, client: RasaClient, *, deadline: float) -> None:
        """Poll ``/status`` until the model is loaded; fail fast if the process died; time out at ``deadline``."""
        stop_event = threading.Event()
        while True:
            if self._proc is not None and self._proc.poll() is not None:
                raise NluUnavailableError(f"Rasa exited with code {self._proc.returncode} while starting; "
                                          f"log {self.log_path}:\n{self._log_tail()}")
            if client.is_ready():
                return
            if time.monotonic() >= deadline:
                where = f"; log {self.log_path}:\n{self._log_tail()}" if self._proc is not None else ""
                raise NluUnavailableError(f"Rasa at {client.base_url} was not ready in time "
                                          f"(raise NluConfig.startup_timeout_s on a slow machine){where}")
            stop_event.wait(self.config.poll_interval_s)

    def _log_tail(self, n_lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n_lines:])

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        atexit.unregister(self.stop)
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=self.config.shutdown_timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("Rasa did not stop within %.0f s; killing it", self.config.shutdown_timeout_s)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass
        log.info("Rasa stopped (exit %s)", proc.returncode)

    def stop(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            self._terminate()
