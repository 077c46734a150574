"""Validation of a music-space model on held-out tunes: retrieval MRR, Gaussianity, decoder accuracy."""

from __future__ import annotations

from typing import Any

import numpy as np

from music_models.space.metrics import gaussianity, mrr, song_ranks_by_min_distance, top_k
from music_models.space.targets import REST, window_targets
from music_models.training.bank import FeatureBank
from music_models.types import Tune

__all__ = ["validate"]


def _embed_item(model: Any, features: np.ndarray) -> tuple[np.ndarray, list[int]]:
    import torch

    cfg = model.config
    win = cfg.window_frames
    hop = int(round(cfg.windows.hop_s * cfg.features.frames_per_s))
    n = features.shape[1]
    starts = list(range(0, max(1, n - win + 1), hop))
    with torch.inference_mode():
        z = model.encoder.embed_clip(torch.from_numpy(features.astype(np.float32)), starts, win)
    return z.numpy(), starts


def validate(model: Any, bank: FeatureBank, tunes: dict[str, Tune], *, max_queries: int = 300,
             decoder_songs: int = 40) -> dict[str, float]:
    """MRR / top-1 / top-10 of queries against the bank's recordings, plus prior and decoder metrics.

    The decoder's note accuracy is measured on the first ``decoder_songs`` songs only: building its
    symbolic targets is pure Python and would otherwise dominate validation time.
    """
    import torch

    song_z: dict[str, np.ndarray] = {}
    dec_correct = dec_total = 0
    cfg = model.config
    for tune_id, entry in bank.by_tune.items():
        if not entry["recording"]:
            continue
        rec = bank.items[entry["recording"][0]]
        z, starts = _embed_item(model, rec.features)
        song_z[tune_id] = z
        if model.decoder is not None and tune_id in tunes and len(song_z) <= decoder_songs:
            with torch.inference_mode():
                out = model.decoder(torch.from_numpy(z))
            pred = out["pitch_logits"].argmax(-1).numpy()
            for i, s in enumerate(starts):
                b = rec.beat_at_frame[s : s + cfg.window_frames]
                if not np.isfinite(b).any():
                    continue
                t = window_targets(tunes[tune_id], start_beat=float(np.nanmin(b)), end_beat=float(np.nanmax(b)) + 1e-3,
                                   config=cfg.decoder)["pitch"]
                voiced = t != REST
                dec_correct += int((pred[i][voiced] == t[voiced]).sum())
                dec_total += int(voiced.sum())
    query_z, truths, kinds = [], [], []
    for tune_id, entry in bank.by_tune.items():
        if tune_id not in song_z:
            continue
        for qi in entry["query"]:
            if len(query_z) >= max_queries:
                break
            z, _ = _embed_item(model, bank.items[qi].features)
            query_z.append(z)
            truths.append(tune_id)
            kinds.append(bank.items[qi].kind)
    ranks = song_ranks_by_min_distance(query_z, truths, song_z)
    all_z = np.concatenate(list(song_z.values())) if song_z else np.zeros((0, cfg.encoder.embedding_dim))
    metrics: dict[str, float] = {
        "val_mrr": mrr(ranks),
        "val_top1": top_k(ranks, 1),
        "val_top10": top_k(ranks, 10),
        "val_queries": float(len(ranks)),
        "val_songs": float(len(song_z)),
    }
    for kind in sorted(set(kinds)):  # per query kind: a fine-tune that favours one kind must show the others
        mine = [r for r, k in zip(ranks, kinds, strict=True) if k == kind]
        metrics[f"val_mrr_{kind}"] = mrr(mine)
        metrics[f"val_top10_{kind}"] = top_k(mine, 10)
    if len(all_z) > 10:
        metrics.update({f"prior_{k}": v for k, v in gaussianity(all_z, max_points=600).items()})
    if dec_total:
        metrics["decoder_pitch_acc"] = dec_correct / dec_total
    return metrics
