"""One training run of the music space, from the corpus to a checkpoint (composition of the parts)."""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from music_models.paths import data_dir
from music_models.space.config import MusicSpaceConfig
from music_models.training.batches import BatchConfig
from music_models.training.build_bank import BankConfig
from music_models.training.trainer import TrainerConfig

__all__ = ["TrainRunConfig", "init_weights", "load_run_config", "train"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainRunConfig:
    model: MusicSpaceConfig = field(default_factory=MusicSpaceConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    batches: BatchConfig = field(default_factory=BatchConfig)
    bank: BankConfig = field(default_factory=BankConfig)
    train_tunes: int = 2000
    val_tunes: int = 150
    min_tune_s: float = 8.0

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model.to_dict(), "trainer": self.trainer.to_dict(), "batches": asdict(self.batches),
                "bank": self.bank.to_dict(), "train_tunes": self.train_tunes, "val_tunes": self.val_tunes,
                "min_tune_s": self.min_tune_s}

    def bank_key(self) -> str:
        """Identifies the training data, so runs that differ only in model or budget share one bank."""
        d = {"bank": self.bank.to_dict(), "features": self.model.features.to_dict(),
             "train_tunes": self.train_tunes, "val_tunes": self.val_tunes, "min_tune_s": self.min_tune_s}
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def _merge(obj: Any, overrides: dict[str, Any]) -> Any:
    if not is_dataclass(obj):
        return overrides
    kwargs = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.name in overrides:
            new = overrides[f.name]
            value = _merge(value, new) if is_dataclass(value) and isinstance(new, dict) else (
                tuple(new) if isinstance(value, tuple) else new)
        kwargs[f.name] = value
    unknown = set(overrides) - {f.name for f in fields(obj)}
    if unknown:
        from music_models.errors import ConfigError

        raise ConfigError(f"unknown setting(s) {sorted(unknown)} for {type(obj).__name__}; "
                          f"known: {[f.name for f in fields(obj)]}")
    return type(obj)(**kwargs)


def load_run_config(path: Path | None = None, **overrides: Any) -> TrainRunConfig:
    """Defaults, then a JSON/YAML file, then explicit overrides (nested dicts)."""
    cfg = TrainRunConfig()
    if path is not None:
        import yaml

        cfg = _merge(cfg, yaml.safe_load(Path(path).read_text()) or {})
    return _merge(cfg, overrides) if overrides else cfg


def _pick(tunes: list[Any], n: int, min_s: float) -> list[Any]:
    ok = [t for t in tunes if t.duration_s >= min_s and len(t.notes) >= 8]
    ok.sort(key=lambda t: zlib.crc32(t.tune_id.encode()))
    return ok[:n]


def init_weights(model: Any, source: Path) -> dict[str, Any]:
    """Copy the encoder and decoder weights of the checkpoint ``source`` into ``model`` (a fine-tune's start).

    The checkpoint's model config must equal ``model``'s apart from the objectives (a shipped file keeps only
    the encoder and decoder); anything else is a ConfigError, not a silently half-loaded model.
    """
    from music_models.errors import ConfigError
    from music_models.space.checkpoint import load_model

    src, info, _ = load_model(source)
    mine, theirs = model.config.to_dict(), src.config.to_dict()
    differ = sorted(k for k in mine if k != "objectives" and mine[k] != theirs.get(k))
    if differ:
        raise ConfigError(f"--init-from {source}: its model differs from this config's in {differ}; "
                          "fine-tuning needs the same features, windows, encoder and decoder")
    parts = ("encoder.", "decoder.") if model.decoder is not None else ("encoder.",)
    wanted = {k: v for k, v in src.state_dict().items() if k.startswith(parts)}
    missing, unexpected = model.load_state_dict(wanted, strict=False)
    if unexpected or any(k.startswith("encoder.") for k in missing):
        raise ConfigError(f"--init-from {source}: weights do not fit (missing {missing[:3]}, unexpected {unexpected[:3]})")
    return {"path": str(source), "sha256": info.sha256, "step": info.step}


def train(cfg: TrainRunConfig, *, checkpoint_path: Path, ship_path: Path | None = None, resume: bool = False,
          init_from: Path | None = None, workers: int = 2) -> dict[str, Any]:
    """Build or reuse the feature banks, train, validate, and write the checkpoint(s); returns metrics.

    ``resume`` continues the working checkpoint (weights, optimiser, step); ``init_from`` instead starts
    a new run (fresh optimiser, step 0) from another checkpoint's weights, e.g. the shipped one.
    """
    import torch

    from music_models.corpus import load_corpus
    from music_models.space.checkpoint import save_checkpoint
    from music_models.space.model import MusicSpaceModel
    from music_models.training.batches import BatchSampler
    from music_models.training.build_bank import build_bank
    from music_models.training.trainer import Trainer
    from music_models.training.validation import validate

    torch.manual_seed(cfg.trainer.seed)
    model = MusicSpaceModel(cfg.model)
    # before the banks (which can take most of an hour): a checkpoint that does not fit fails at once
    initialised = init_weights(model, init_from) if init_from is not None else None
    train_set = _pick(load_corpus(split="train"), cfg.train_tunes, cfg.min_tune_s)
    val_set = _pick(load_corpus(split="val"), cfg.val_tunes, cfg.min_tune_s)
    root = data_dir() / "bank" / cfg.bank_key()
    train_bank = build_bank(train_set, root / "train", config=cfg.bank, features=cfg.model.features, workers=workers,
                            desc="training bank")
    val_bank = build_bank(val_set, root / "val", config=cfg.bank, features=cfg.model.features, workers=workers,
                          desc="validation bank")
    tunes = {t.tune_id: t for t in train_set + val_set}
    sampler = BatchSampler(train_bank, tunes, model_config=cfg.model, config=cfg.batches, seed=cfg.trainer.seed)
    trainer = Trainer(model, lambda step: iter(sampler), config=cfg.trainer, checkpoint_path=checkpoint_path,
                      validate=lambda m: validate(m, val_bank, tunes), save=save_checkpoint)
    if resume and checkpoint_path.exists():  # resuming a fine-tune keeps its own progress over init_from
        payload = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
        model.load_state_dict(payload["state_dict"])
        if payload.get("optimiser"):
            trainer.load_state(payload["optimiser"])
        log.info("resumed from %s at step %d", checkpoint_path, trainer.step)
    metrics = trainer.run()
    metrics = {**metrics, "objectives": cfg.model.objectives.name, "train_tunes": len(train_set),
               "val_tunes": len(val_set), "train_items": len(train_bank), "run_config": cfg.to_dict(),
               "history_tail": trainer.history[-5:], "initialised_from": initialised}
    if ship_path is not None:
        info = save_checkpoint(ship_path, model, step=trainer.step, metrics=metrics, inference_only=True)
        metrics["shipped"] = {"path": str(ship_path), "sha256": info.sha256}
    return metrics
