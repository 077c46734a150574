"""``humdinger models fetch vosk``: download and unpack the official small English Vosk model into
``data_dir()/models``. Needs internet; offline it fails with the manual steps."""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.asr.vosk_backend import VOSK_MODEL_ENV, resolve_vosk_model
from assistant.audio.errors import SpeechModelError

__all__ = ["FetchConfig", "fetch_vosk_model", "vosk_models_dir"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchConfig:
    """Where the model comes from and how long to wait for the network."""

    vosk_url: str = "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    vosk_name: str = "vosk-model-small-en-us-0.15"
    timeout_s: float = 30.0
    chunk_bytes: int = 1 << 16

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FetchConfig:
        return cls(**d)


def vosk_models_dir() -> Path:
    from music_models.paths import data_dir

    return data_dir() / "models"


def fetch_vosk_model(*, config: FetchConfig | None = None, dest_dir: Path | None = None,
                     progress: bool = True) -> Path:
    """Download, unpack and check the model; returns its directory (already there: returned as is)."""
    cfg = config or FetchConfig()
    dest = (dest_dir or vosk_models_dir()) / cfg.vosk_name
    if dest.is_dir():
        return resolve_vosk_model(dest)
    manual = (f"download {cfg.vosk_url} on a machine with internet, unzip it into {dest.parent}, and set "
              f"{VOSK_MODEL_ENV}={dest}")
    import requests
    from tqdm import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        zpath = Path(tmp) / "model.zip"
        try:
            with requests.get(cfg.vosk_url, stream=True, timeout=cfg.timeout_s) as resp:
                resp.raise_for_status()
                total = int(resp.headers.get("content-length", 0)) or None
                with open(zpath, "wb") as fh, tqdm(total=total, unit="B", unit_scale=True, disable=not progress,
                                                   desc=cfg.vosk_name) as bar:
                    for block in resp.iter_content(cfg.chunk_bytes):
                        fh.write(block)
                        bar.update(len(block))
        except requests.RequestException as exc:
            raise SpeechModelError(f"could not download the Vosk model (no internet? {type(exc).__name__}: "
                                   f"{exc}); {manual}") from exc
        try:
            with zipfile.ZipFile(zpath) as zf:
                zf.extractall(tmp)
        except zipfile.BadZipFile as exc:
            raise SpeechModelError(f"the download is not a valid zip ({exc}); {manual}") from exc
        unpacked = Path(tmp) / cfg.vosk_name
        if not unpacked.is_dir():
            raise SpeechModelError(f"the zip does not contain {cfg.vosk_name}/; {manual}")
        shutil.move(str(unpacked), dest)
    log.info("Vosk model in %s", dest)
    return resolve_vosk_model(dest)
