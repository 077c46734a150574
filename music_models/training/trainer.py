"""A small, model-agnostic training loop.

It knows only that ``loss = model(batch, phase=p)`` for each ``p`` in ``model.phases``, that
``model.parameter_groups()[p]`` are the parameters of phase ``p``, and that ``model.last_logs`` holds
numbers worth showing. Seeded, with a progress bar, periodic validation, checkpoints, and resume.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Trainer", "TrainerConfig"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainerConfig:
    steps: int = 6000
    learning_rate: float = 2e-3
    discriminator_lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 200
    validate_every: int = 500
    checkpoint_every: int = 500
    seed: int = 0
    threads: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Trainer:
    def __init__(
        self,
        model: Any,
        batches: Callable[[int], Iterator[dict[str, Any]]],
        *,
        config: TrainerConfig,
        checkpoint_path: Path,
        validate: Callable[[Any], dict[str, float]] | None = None,
        save: Callable[..., Any] | None = None,
    ) -> None:
        import torch

        self.model = model
        self.batches = batches
        self.config = config
        self.checkpoint_path = checkpoint_path
        self.validate = validate
        self.save = save
        groups = model.parameter_groups()
        self.optimisers = {
            name: torch.optim.AdamW(
                params,
                lr=config.discriminator_lr if name == "discriminator" else config.learning_rate,
                weight_decay=config.weight_decay,
                betas=(0.5, 0.9) if name == "discriminator" else (0.9, 0.999),
            )
            for name, params in groups.items()
        }
        self.step = 0
        self.history: list[dict[str, float]] = []
        self.best_metrics: dict[str, float] = {}

    def _lr_scale(self, step: int) -> float:
        c = self.config
        if step < c.warmup_steps:
            return (step + 1) / c.warmup_steps
        progress = (step - c.warmup_steps) / max(1, c.steps - c.warmup_steps)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    def state(self) -> dict[str, Any]:
        return {"step": self.step, "optimisers": {k: o.state_dict() for k, o in self.optimisers.items()},
                "history": self.history}

    def load_state(self, state: dict[str, Any]) -> None:
        self.step = int(state["step"])
        for k, o in self.optimisers.items():
            if k in state.get("optimisers", {}):
                o.load_state_dict(state["optimisers"][k])
        self.history = list(state.get("history", []))

    def _checkpoint(self, metrics: dict[str, Any]) -> None:
        if self.save is not None:
            self.save(self.checkpoint_path, self.model, step=self.step, metrics=metrics, optimiser_state=self.state())

    def run(self) -> dict[str, Any]:
        import torch
        from tqdm import tqdm

        torch.manual_seed(self.config.seed + self.step)
        torch.set_num_threads(self.config.threads)
        self.model.train()
        metrics: dict[str, Any] = {}
        bar = tqdm(total=self.config.steps, initial=self.step, desc="training", unit="step", dynamic_ncols=True)
        batches = self.batches(self.step)
        t0 = time.perf_counter()
        while self.step < self.config.steps:
            batch = next(batches)
            scale = self._lr_scale(self.step)
            logs: dict[str, float] = {}
            for phase in self.model.phases:
                opt = self.optimisers[phase]
                base = self.config.discriminator_lr if phase == "discriminator" else self.config.learning_rate
                for g in opt.param_groups:
                    g["lr"] = base * scale
                loss = self.model(batch, phase=phase)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameter_groups()[phase], 5.0)
                opt.step()
                logs[f"loss_{phase}"] = loss.item()
                logs.update(self.model.last_logs)
            self.step += 1
            if self.step % 20 == 0:
                self.history.append({"step": self.step, **logs})
                bar.set_postfix({k: f"{v:.3f}" for k, v in logs.items() if k in ("loss_main", "contrast", "disc_acc", "decoder")})
            bar.update(1)
            last = self.step == self.config.steps
            if self.validate is not None and (self.step % self.config.validate_every == 0 or last):
                self.model.eval()
                metrics = self.validate(self.model)
                self.model.train()
                metrics["step"] = self.step
                metrics["elapsed_s"] = round(time.perf_counter() - t0, 1)
                log.info("step %d: %s", self.step, metrics)
                bar.write(f"step {self.step}: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                                         for k, v in metrics.items()))
            if self.step % self.config.checkpoint_every == 0 or last:
                self._checkpoint(metrics)
        bar.close()
        self.model.eval()
        if not metrics and self.validate is not None:  # resumed a finished run (e.g. to --ship it): validate it
            metrics = {**self.validate(self.model), "step": self.step, "elapsed_s": 0.0}
        return metrics
