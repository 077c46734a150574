"""Loss functions of the music space (pure functions over tensors)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["adjacency_loss", "decoder_loss", "discriminator_loss", "generator_loss", "info_nce", "sq_dists"]


def sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise squared Euclidean distances ``[len(a), len(b)]``."""
    return (a.pow(2).sum(1, keepdim=True) - 2 * a @ b.T + b.pow(2).sum(1).unsqueeze(0)).clamp_min(0)


def info_nce(
    queries: torch.Tensor, keys: torch.Tensor, *, positives: torch.Tensor, temperature: float, scale: float
) -> torch.Tensor:
    """Contrast with in-batch negatives on negative scaled squared Euclidean distance.

    ``positives[i, j]`` is True where key j is a positive for query i (the same tune span; several
    keys may be positive). Distances are divided by ``scale`` (the embedding dimension) so the
    temperature means the same whatever the size of z; Euclidean because the prior makes z Gaussian.
    """
    logits = -sq_dists(queries, keys) / (scale * temperature)
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    pos = positives.float()
    per_query = -(log_prob * pos).sum(1) / pos.sum(1).clamp_min(1)
    return per_query.mean()


def adjacency_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, labels.float())


def discriminator_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """Real = samples of N(0, I), fake = encoder outputs."""
    return F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + F.binary_cross_entropy_with_logits(
        d_fake, torch.zeros_like(d_fake)
    )


def generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """The encoder's side of the game: make its outputs look like prior samples."""
    return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


def decoder_loss(outputs: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> torch.Tensor:
    pitch = F.cross_entropy(outputs["pitch_logits"].flatten(0, 1), targets["pitch"].flatten())
    onset = F.binary_cross_entropy_with_logits(outputs["onset_logits"], targets["onset"].float())
    chord = F.cross_entropy(outputs["chord_logits"].flatten(0, 1), targets["chord"].flatten())
    return pitch + 0.5 * onset + 0.5 * chord
