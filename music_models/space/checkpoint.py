"""Saving and loading music-space checkpoints: weights + the config that built them + metrics + sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from music_models.errors import ModelError
from music_models.space.config import MusicSpaceConfig

__all__ = ["CheckpointInfo", "default_checkpoint_path", "load_model", "save_checkpoint", "sha256_of"]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class CheckpointInfo:
    path: Path
    config: MusicSpaceConfig
    step: int
    metrics: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""


def default_checkpoint_path() -> Path:
    return Path(__file__).resolve().parent.parent / "checkpoints" / "music_space.pt"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_checkpoint(
    path: Path, model: Any, *, step: int, metrics: dict[str, Any], optimiser_state: dict[str, Any] | None = None,
    inference_only: bool = False,
) -> CheckpointInfo:
    """Write a checkpoint; ``inference_only`` keeps just the encoder and decoder (the shipped file)."""
    import torch

    state = model.state_dict()
    if inference_only:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()
                 if k.startswith(("encoder.", "decoder."))}
    payload = {
        "format_version": FORMAT_VERSION,
        "config": model.config.to_dict(),
        "step": step,
        "metrics": metrics,
        "state_dict": state,
        "optimiser": None if inference_only else optimiser_state,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)  # atomic: an interrupted save never leaves a half-written checkpoint
    digest = sha256_of(path)
    if inference_only:
        path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n")
    return CheckpointInfo(path, model.config, step, metrics, digest)


def load_model(path: Path | None = None, *, verify: bool = True) -> tuple[Any, CheckpointInfo, dict[str, Any]]:
    """Load ``(model in eval mode, info, raw payload)``; a missing or corrupt file is a ModelError."""
    import torch

    from music_models.space.model import MusicSpaceModel

    path = Path(path) if path is not None else default_checkpoint_path()
    if not path.is_file():
        raise ModelError(f"no music-space checkpoint at {path}: train one with 'humdinger train' "
                         "(or restore the committed file with 'git checkout music_models/checkpoints')")
    digest = sha256_of(path)
    sha_file = path.with_suffix(".sha256")
    if verify and sha_file.is_file():
        expected = sha_file.read_text().split()[0]
        if expected != digest:
            raise ModelError(f"checkpoint {path} does not match its sha256 file ({digest[:12]} != {expected[:12]}): "
                             "it is corrupt or was replaced; restore it with git or retrain")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
        config = MusicSpaceConfig.from_dict(payload["config"])
        model = MusicSpaceModel(config)
        state = {k: v.float() if v.is_floating_point() else v for k, v in payload["state_dict"].items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
    except Exception as exc:  # torch raises many kinds (UnpicklingError, RuntimeError, ...) for a bad file
        raise ModelError(f"checkpoint {path} cannot be loaded ({exc}); retrain with 'humdinger train'") from exc
    if any(k.startswith("encoder.") for k in missing) or unexpected:
        raise ModelError(f"checkpoint {path} does not match the model code (missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}); retrain with 'humdinger train'")
    model.eval()
    info = CheckpointInfo(path, config, int(payload.get("step", 0)), dict(payload.get("metrics", {})), digest)
    return model, info, payload
