"""The music-space model: encoder plus the heads of every training objective.

The trainer only calls ``model(batch, phase=...)`` for each name in ``model.phases`` and steps the
optimiser of that phase's ``parameter_groups()``; everything objective-specific lives here.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from music_models.space.config import MusicSpaceConfig
from music_models.space.encoder import Encoder
from music_models.space.heads import AdjacencyHead, PriorDiscriminator, SymbolicDecoder
from music_models.space.losses import (
    adjacency_loss,
    decoder_loss,
    discriminator_loss,
    generator_loss,
    info_nce,
)

__all__ = ["MusicSpaceModel"]


class MusicSpaceModel(nn.Module):
    def __init__(self, config: MusicSpaceConfig = MusicSpaceConfig()) -> None:
        super().__init__()
        self.config = config
        dim = config.encoder.embedding_dim
        self.encoder = Encoder(config.encoder)
        obj = config.objectives
        self.adjacency = AdjacencyHead(dim) if obj.adjacency else None
        self.discriminator = PriorDiscriminator(dim) if obj.adversarial else None
        self.decoder = SymbolicDecoder(dim, config.decoder) if obj.decoder else None
        self.last_logs: dict[str, float] = {}

    @property
    def phases(self) -> tuple[str, ...]:
        return ("main", "discriminator") if self.discriminator is not None else ("main",)

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        disc = {id(p) for p in self.discriminator.parameters()} if self.discriminator is not None else set()
        groups = {"main": [p for p in self.parameters() if id(p) not in disc]}
        if self.discriminator is not None:
            groups["discriminator"] = list(self.discriminator.parameters())
        return groups

    def embed(self, windows: torch.Tensor) -> torch.Tensor:
        return self.encoder(windows)

    def forward(self, batch: dict[str, Any], phase: str = "main") -> torch.Tensor:
        if phase == "discriminator":
            return self._discriminator_step(batch)
        obj = self.config.objectives
        dim = self.config.encoder.embedding_dim
        z_key = self.encoder(batch["key"])
        logs: dict[str, float] = {}
        total = z_key.new_zeros(())
        if obj.contrast:
            z_query = self.encoder(batch["query"])
            loss = info_nce(z_query, z_key, positives=batch["positives"], temperature=obj.temperature, scale=dim)
            total = total + loss
            logs["contrast"] = loss.item()
            self._cached_z = torch.cat([z_key, z_query]).detach()
        else:
            self._cached_z = z_key.detach()
        if self.adjacency is not None:
            z_other = self.encoder(batch["other"])
            loss = adjacency_loss(self.adjacency(z_key, z_other), batch["adjacent"])
            total = total + obj.adjacency_weight * loss
            logs["adjacency"] = loss.item()
        if self.discriminator is not None:
            loss = generator_loss(self.discriminator(z_key))
            total = total + obj.adversarial_weight * loss
            logs["adv_gen"] = loss.item()
        if self.decoder is not None:
            loss = decoder_loss(self.decoder(z_key), batch["targets"])
            total = total + obj.decoder_weight * loss
            logs["decoder"] = loss.item()
        if not obj.contrast and self.adjacency is None and self.decoder is None:
            raise ValueError("no objective enabled: turn on at least one of contrast, adjacency, decoder")
        logs["z_std"] = float(z_key.detach().std())
        self.last_logs = logs
        return total

    def _discriminator_step(self, batch: dict[str, Any]) -> torch.Tensor:
        assert self.discriminator is not None
        fake = self._cached_z if getattr(self, "_cached_z", None) is not None else self.encoder(batch["key"]).detach()
        real = torch.randn_like(fake)
        d_real, d_fake = self.discriminator(real), self.discriminator(fake)
        acc = 0.5 * (float((d_real > 0).float().mean()) + float((d_fake < 0).float().mean()))
        self.last_logs = {"disc_loss": 0.0, "disc_acc": acc}
        loss = discriminator_loss(d_real, d_fake)
        self.last_logs["disc_loss"] = loss.item()
        return loss
