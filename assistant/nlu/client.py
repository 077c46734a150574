"""HTTP client of a Rasa server's ``/model/parse``: timeouts, one retry, typed results and errors."""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from assistant.nlu.config import FALLBACK_INTENT, NluConfig
from assistant.nlu.errors import NluError, NluUnavailableError
from assistant.nlu.types import NluResult

__all__ = ["MAX_TEXT_CHARS", "RasaClient"]

log = logging.getLogger(__name__)

#: Longer input is not a spoken command; it is refused with a clear error instead of being sent.
MAX_TEXT_CHARS = 2000


class RasaClient:
    """Talks to one Rasa server. Thread-compatible (one ``requests.Session`` per client).

    Every failure to get an answer (refused, timed out, 5xx, bad token) becomes
    :class:`NluUnavailableError`, which the router turns into a spoken apology.
    """

    def __init__(self, base_url: str, *, token: str | None = None, config: NluConfig | None = None) -> None:
        import requests

        if not base_url.startswith(("http://", "https://")):
            raise NluError(f"Rasa URL {base_url!r} must start with http:// or https:// (e.g. http://127.0.0.1:5005)")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.config = config or NluConfig()
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    def _request(self, method: str, path: str, *, json: dict[str, Any] | None = None,
                 retries: int | None = None, quiet: bool = False) -> Any:
        import requests

        cfg = self.config
        attempts = 1 + (cfg.retries if retries is None else retries)
        url = f"{self.base_url}{path}"
        last: str = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(cfg.retry_backoff_s * attempt)
            try:
                resp = self._session.request(method, url, params=self._params(), json=json,
                                             timeout=(cfg.connect_timeout_s, cfg.request_timeout_s))
            except requests.Timeout:
                last = f"no answer within {cfg.request_timeout_s:.1f} s"
            except requests.ConnectionError as exc:
                last = f"cannot connect ({type(exc).__name__})"
            else:
                if resp.status_code in (401, 403):
                    raise NluUnavailableError(
                        f"Rasa at {self.base_url} refused the request (HTTP {resp.status_code}): "
                        "set RASA_TOKEN to the server's --auth-token")
                if resp.status_code >= 500:
                    last = f"HTTP {resp.status_code}"
                elif resp.status_code >= 400:
                    raise NluError(f"Rasa at {self.base_url} rejected {path} (HTTP {resp.status_code}): "
                                   f"{resp.text[:200]}")
                else:
                    try:
                        return resp.json()
                    except ValueError:
                        last = "answer is not JSON"
            log.log(logging.DEBUG if quiet else logging.WARNING, "Rasa %s %s attempt %d/%d failed: %s",
                    method, path, attempt + 1, attempts, last)
        raise NluUnavailableError(
            f"the language-understanding server at {self.base_url} is unavailable ({last}); "
            "check that it is running ('humdinger doctor'), or unset RASA_URL to let Humdinger start its own")

    def parse(self, text: str) -> NluResult:
        """Intent and entities of ``text``. Empty text is ``nlu_fallback`` with confidence 0, without a request."""
        if not isinstance(text, str):
            raise NluError(f"text to parse must be a string, got {type(text).__name__}")
        stripped = " ".join(text.split())
        if not stripped:
            return NluResult(text=text, intent=FALLBACK_INTENT, confidence=0.0)
        if len(stripped) > MAX_TEXT_CHARS:
            raise NluError(f"text of {len(stripped)} characters is too long for a spoken command "
                           f"(at most {MAX_TEXT_CHARS}); send one utterance at a time")
        payload = self._request("POST", "/model/parse", json={"text": stripped})
        if not isinstance(payload, dict):
            raise NluUnavailableError(f"Rasa at {self.base_url} answered with unexpected JSON; is it a Rasa 3.6 server?")
        return NluResult.from_rasa(payload)

    def status(self, *, quiet: bool = False) -> dict[str, Any]:
        """The server's ``/status`` (loaded model), one attempt."""
        payload = self._request("GET", "/status", retries=0, quiet=quiet)
        return payload if isinstance(payload, dict) else {}

    def is_ready(self) -> bool:
        """True when the server answers and has a model loaded."""
        try:
            return bool(self.status(quiet=True).get("model_file"))
        except NluError:
            return False
