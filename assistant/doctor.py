"""Health checks for every real component Humdinger uses, each with the fix for what is missing."""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["CHECKS", "Check", "run_checks"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``ok`` plus what was found, or the fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _python() -> Check:
    v = sys.version_info
    ok = (v.major, v.minor) == (3, 11)
    return Check("python", ok, f"Python {v.major}.{v.minor}.{v.micro} at {sys.executable}",
                 "use the project's venv: make setup, then .venv/bin/humdinger")


def _packages() -> Check:
    wanted = ["torch", "librosa", "music21", "pretty_midi", "fluidsynth", "qdrant_client", "sounddevice",
              "pocketsphinx", "soundfile", "tqdm", "yaml"]
    missing = [m for m in wanted if importlib.util.find_spec(m) is None]
    if missing:
        return Check("python packages", False, "missing: " + ", ".join(missing), "make setup (installs requirements.txt)")
    import torch

    return Check("python packages", True, f"all present (torch {torch.__version__}, threads {torch.get_num_threads()})")


def _soundfont() -> Check:
    from music_models.paths import soundfont_path

    sf = soundfont_path()
    if sf is None:
        return Check("soundfont", False, "no General MIDI soundfont found",
                     "apt-get install fluid-soundfont-gm (or set HUMDINGER_SOUNDFONT=/path/to/GM.sf2)")
    return Check("soundfont", True, f"{sf} ({sf.stat().st_size / 1e6:.0f} MB)")


def _fluidsynth() -> Check:
    lib = ctypes.util.find_library("fluidsynth")
    if lib is None:
        return Check("fluidsynth", False, "libfluidsynth not found", "apt-get install fluidsynth libfluidsynth3")
    return Check("fluidsynth", True, f"library {lib}")


def _speexdsp() -> Check:
    lib = ctypes.util.find_library("speexdsp")
    if lib is None:
        return Check("echo canceller", False, "libspeexdsp not found ('stop' over the assistant's own music "
                     "is then harder to hear)", "apt-get install libspeexdsp1", required=False)
    return Check("echo canceller", True, f"SpeexDSP library {lib}", required=False)


def _binary(name: str, package: str, *, required: bool = True) -> Callable[[], Check]:
    def check() -> Check:
        path = shutil.which(name)
        if path is None:
            return Check(name, False, "not on PATH", f"apt-get install {package}", required)
        return Check(name, True, path, required=required)

    return check


def _audio_devices() -> Check:
    try:
        import sounddevice as sd

        devices = sd.query_devices()
    except Exception as exc:  # noqa: BLE001 -- PortAudio missing or no sound server: report, never crash
        return Check("audio devices", False, f"PortAudio unusable: {exc}",
                     "apt-get install libportaudio2; without a device use the file modes (converse, identify FILE)",
                     required=False)
    n_in = sum(1 for d in devices if d["max_input_channels"] > 0)
    n_out = sum(1 for d in devices if d["max_output_channels"] > 0)
    ok = n_in > 0 and n_out > 0
    return Check("audio devices", ok, f"{n_in} input, {n_out} output devices",
                 "" if ok else "no microphone/speaker here: use the file modes (converse --script, identify FILE)",
                 required=False)


def _pocketsphinx() -> Check:
    if importlib.util.find_spec("pocketsphinx") is None:
        return Check("pocketsphinx", False, "not installed", "make setup")
    import pocketsphinx

    model = Path(pocketsphinx.get_model_path()) / "en-us"
    return Check("pocketsphinx", model.is_dir(), f"en-US model {model}", "pip install --force-reinstall pocketsphinx")


def _vosk() -> Check:
    path = os.environ.get("HUMDINGER_VOSK_MODEL")
    if not path:
        return Check("vosk model", True, "not configured (PocketSphinx is used)", required=False)
    ok = (Path(path) / "am").is_dir() or (Path(path) / "conf").is_dir()
    return Check("vosk model", ok, path, "humdinger models fetch vosk (needs internet), then set HUMDINGER_VOSK_MODEL",
                 required=False)


def _rasa() -> Check:
    rasa = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
    if os.environ.get("RASA_URL"):
        return Check("rasa", True, f"server at {os.environ['RASA_URL']}")
    return Check("rasa", rasa.exists(), str(rasa), "make rasa (creates .venv-rasa with Python 3.10 and rasa 3.6.21)",
                 required=False)


def _corpus() -> Check:
    from music_models.paths import corpus_dir

    meta = corpus_dir() / "meta.json"
    return Check("corpus cache", meta.exists(), str(corpus_dir()), "humdinger data corpus", required=False)


def _checkpoint() -> Check:
    ckpt_dir = REPO_ROOT / "music_models" / "checkpoints"
    found = sorted(ckpt_dir.glob("*.pt")) if ckpt_dir.is_dir() else []
    if not found:
        return Check("music-space checkpoint", False, f"none in {ckpt_dir}", "humdinger train", required=False)
    return Check("music-space checkpoint", True, ", ".join(p.name for p in found))


def _qdrant() -> Check:
    from music_models.paths import data_dir

    if os.environ.get("QDRANT_URL"):
        return Check("qdrant", True, f"server at {os.environ['QDRANT_URL']}")
    path = data_dir() / "qdrant"
    return Check("qdrant storage", path.is_dir(), f"local mode at {path}", "humdinger library build", required=False)


CHECKS: tuple[Callable[[], Check], ...] = (
    _python, _packages, _soundfont, _fluidsynth, _speexdsp, _binary("espeak-ng", "espeak-ng"), _binary("sox", "sox"),
    _audio_devices, _pocketsphinx, _vosk, _rasa, _corpus, _checkpoint, _qdrant,
)


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:  # noqa: BLE001 -- a broken component must show up as a failed check, not a crash
            results.append(Check(check.__name__.strip("_"), False, f"check failed: {exc}", "see the message"))
    return results
