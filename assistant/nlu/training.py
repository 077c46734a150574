"""Train the Rasa NLU model, cached by a content hash of ``nlu_data/`` (no retraining when nothing changed).

Models live at ``<model_dir>/<hash>.tar.gz`` (default ``data_dir()/rasa/models``). Training runs
``.venv-rasa/bin/rasa train nlu`` as a subprocess with a progress bar fed by Rasa's epoch counter.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

from assistant.nlu.config import NluConfig
from assistant.nlu.errors import NluSetupError, NluTrainingError

__all__ = [
    "PROJECT_FILES_GLOB",
    "ensure_model",
    "find_model",
    "model_path_for",
    "project_hash",
    "rasa_env",
    "require_rasa",
]

log = logging.getLogger(__name__)

#: What goes into the hash: everything Rasa reads. Reports and results of ``rasa test`` do not.
PROJECT_FILES_GLOB: tuple[str, ...] = ("config.yml", "domain.yml", "data/**/*.yml")
_EPOCH_RE = re.compile(r"Epochs:\s*\d+%.*?\|\s*(\d+)/(\d+)")


def project_hash(*, project_dir: Path) -> str:
    """A 16-hex-digit sha256 over the paths and contents of the Rasa project's files."""
    files = sorted({p for pattern in PROJECT_FILES_GLOB for p in project_dir.glob(pattern) if p.is_file()})
    if not (project_dir / "config.yml").is_file() or not (project_dir / "domain.yml").is_file():
        raise NluSetupError(f"{project_dir} is not a Rasa project (config.yml and domain.yml are needed); "
                            "run from a Humdinger checkout or set NluConfig.project_dir")
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(project_dir).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def model_path_for(*, config: NluConfig) -> Path:
    return config.resolved_model_dir() / f"{project_hash(project_dir=config.project_dir)}.tar.gz"


def find_model(*, config: NluConfig) -> Path | None:
    """The cached model for the current ``nlu_data/``, or None if it has not been trained yet."""
    path = model_path_for(config=config)
    return path if path.is_file() else None


def require_rasa(*, config: NluConfig) -> Path:
    if not os.access(config.rasa_bin, os.X_OK):
        raise NluSetupError(f"Rasa is not installed at {config.rasa_bin}: run 'make rasa' "
                            "(creates .venv-rasa with Python 3.10 and rasa 3.6.21), or set RASA_URL to a running server")
    return config.rasa_bin


def rasa_env(*, config: NluConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.update(config.server_env)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.pop("PYTHONPATH", None)  # the product's packages must not leak into Rasa's Python 3.10
    return env


def _pump(stream: IO[str], tail: deque[str], bar: Any | None) -> None:
    buf = ""
    read = stream.read
    while True:
        chunk = read(256)
        if not chunk:
            break
        buf += chunk
        parts = re.split(r"[\r\n]", buf)
        buf = parts.pop()
        for line in parts:
            if not line.strip():
                continue
            m = _EPOCH_RE.search(line)
            if m and bar is not None:
                done, total = int(m.group(1)), int(m.group(2))
                bar.total = total
                bar.n = done
                bar.refresh()
            elif not m:
                tail.append(line)


def ensure_model(*, config: NluConfig, progress: bool = True) -> Path:
    """The model for the current ``nlu_data/``: the cached one, or trained now (a minute or two)."""
    target = model_path_for(config=config)
    if target.is_file():
        log.info("using cached NLU model %s", target)
        return target
    rasa = require_rasa(config=config)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here, then finds the model
        if target.is_file():
            return target
        out_dir = target.parent / f".training-{os.getpid()}"
        cmd = [str(rasa), "train", "nlu", "--config", "config.yml", "--domain", "domain.yml", "--nlu", "data",
               "--out", str(out_dir), "--fixed-model-name", target.name.removesuffix(".tar.gz")]
        log.info("training the NLU model: %s", " ".join(cmd))
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=1, desc="training NLU model (epochs)", unit="epoch", leave=False)
        tail: deque[str] = deque(maxlen=30)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=config.project_dir, env=rasa_env(config=config), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
        reader = threading.Thread(target=_pump, args=(proc.stdout, tail, bar), daemon=True)
        reader.start()
        try:
            rc = proc.wait(timeout=config.train_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise NluTrainingError(f"'rasa train nlu' took longer than {config.train_timeout_s:.0f} s and was "
                                   "stopped; raise NluConfig.train_timeout_s or free some CPU") from None
        except BaseException:  # Ctrl-C: the trainer runs in its own session, so stop it ourselves
            proc.kill()
            proc.wait()
            raise
        finally:
            reader.join(timeout=5)
            if bar is not None:
                bar.close()
        produced = out_dir / target.name
        try:
            if rc != 0 or not produced.is_file():
                detail = "\n".join(tail)
                raise NluTrainingError(f"'rasa train nlu' failed (exit {rc}); fix nlu_data/ "
                                       f"('rasa data validate' in nlu_data/ helps). Last output:\n{detail}")
            produced.replace(target)
        finally:
            shutil.rmtree(out_dir, ignore_errors=True)
        log.info("trained %s in %.0f s", target, time.monotonic() - started)
        _prune(model_dir=target.parent, keep=config.models_to_keep)
        return target


def _prune(*, model_dir: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently trained models (one per past content of nlu_data/)."""
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[max(keep, 1):]:
        log.info("removing old NLU model %s", old)
        old.unlink(missing_ok=True)
