"""Sampling training batches from the feature bank.

A batch holds ``tunes_per_batch`` tunes x ``spans_per_tune`` spans. For each span: a 4 s window of a
synthetic query (the anchor), the recording window centred on the same beat (its positive), and a
second recording window that is either the next window of the same recording (adjacent) or a
window from elsewhere (not adjacent). Other spans of the same tune are hard negatives, and half
the batches draw all tunes from one collection (harder in-batch negatives). Queries are augmented
in feature space: a random shift along the pitch axis (a transposition) and a random time stretch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from music_models.features.time_scale import stretch
from music_models.space.config import MusicSpaceConfig
from music_models.space.targets import window_targets
from music_models.training.bank import BankItem, FeatureBank
from music_models.types import Tune

__all__ = ["BatchConfig", "BatchSampler", "crop", "shift_pitch", "stretch"]


@dataclass(frozen=True)
class BatchConfig:
    tunes_per_batch: int = 24
    spans_per_tune: int = 2
    max_shift_semitones: int = 6
    stretch_range: tuple[float, float] = (0.8, 1.25)
    same_collection_prob: float = 0.5
    positive_beat_tolerance: float = 1.0


def crop(features: np.ndarray, start: int, length: int) -> np.ndarray:
    """Frames ``[start, start+length)``, padded with the clip's minimum where it runs out."""
    out = np.full((features.shape[0], length), float(features.min(initial=0.0)), dtype=np.float32)
    start = max(0, start)
    piece = features[:, start : start + length]
    out[:, : piece.shape[1]] = piece
    return out


def shift_pitch(features: np.ndarray, *, bins: int) -> np.ndarray:
    """Shift along the pitch axis (a transposition for log-frequency features), padding the edge."""
    if bins == 0:
        return features
    out = np.full_like(features, float(features.min(initial=0.0)))
    if bins > 0:
        out[bins:] = features[:-bins]
    else:
        out[:bins] = features[-bins:]
    return out


class BatchSampler:
    def __init__(
        self,
        bank: FeatureBank,
        tunes: dict[str, Tune],
        *,
        model_config: MusicSpaceConfig,
        config: BatchConfig = BatchConfig(),
        seed: int = 0,
    ) -> None:
        self.bank = bank
        self.tunes = tunes
        self.mc = model_config
        self.config = config
        self.rng = np.random.default_rng(seed)
        self.tune_ids = [t for t in bank.tunes_with_pairs() if t in tunes]
        if not self.tune_ids:
            raise ValueError("the feature bank has no tune with both a recording and a query")
        by_coll: dict[str, list[str]] = {}
        for t in self.tune_ids:
            by_coll.setdefault(tunes[t].collection, []).append(t)
        self.by_collection = {c: ts for c, ts in by_coll.items() if len(ts) >= config.tunes_per_batch}
        self.win = model_config.window_frames

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            yield self.sample()

    def _pick_tunes(self) -> list[str]:
        c = self.config
        pool = self.tune_ids
        if self.by_collection and self.rng.random() < c.same_collection_prob:
            coll = list(self.by_collection)[self.rng.integers(len(self.by_collection))]
            pool = self.by_collection[coll]
        n = min(c.tunes_per_batch, len(pool))
        return [pool[i] for i in self.rng.choice(len(pool), size=n, replace=False)]

    def _recording_window_at_beat(self, rec: BankItem, beat: float) -> int:
        """Start frame of the recording window whose centre plays ``beat``."""
        valid = np.nan_to_num(rec.beat_at_frame, nan=-1e9)
        centre = int(np.argmin(np.abs(valid - beat)))
        return int(np.clip(centre - self.win // 2, 0, max(0, rec.n_frames - self.win)))

    def _query_window(self, q: BankItem) -> tuple[np.ndarray, float]:
        c = self.config
        factor = float(np.exp(self.rng.uniform(np.log(c.stretch_range[0]), np.log(c.stretch_range[1]))))
        src_len = int(round(self.win / factor))
        start = int(self.rng.integers(0, max(1, q.n_frames - src_len + 1)))
        piece = q.features[:, start : start + src_len].astype(np.float32)
        beats = q.beat_at_frame[start : start + src_len]
        centre_beat = float(np.nanmedian(beats)) if np.isfinite(beats).any() else float("nan")
        piece = crop(stretch(piece, factor=factor), 0, self.win)
        shift = int(self.rng.integers(-c.max_shift_semitones, c.max_shift_semitones + 1))
        return shift_pitch(piece, bins=int(round(shift * self.mc.features.bins_per_semitone))), centre_beat

    def sample(self) -> dict[str, Any]:
        import torch

        queries, keys, others, adjacent, owners, centres = [], [], [], [], [], []
        pitch, onset, chord = [], [], []
        for tune_id in self._pick_tunes():
            entry = self.bank.by_tune[tune_id]
            for _ in range(self.config.spans_per_tune):
                q = self.bank.items[entry["query"][self.rng.integers(len(entry["query"]))]]
                rec = self.bank.items[entry["recording"][self.rng.integers(len(entry["recording"]))]]
                qwin, beat = self._query_window(q)
                if not np.isfinite(beat):
                    continue
                start = self._recording_window_at_beat(rec, beat)
                key = crop(rec.features.astype(np.float32), start, self.win)
                if self.rng.random() < 0.5 and start + 2 * self.win <= rec.n_frames:
                    other, adj = crop(rec.features.astype(np.float32), start + self.win, self.win), 1
                else:
                    other, adj = self._far_window(tune_id, rec, start), 0
                b = rec.beat_at_frame[start : start + self.win]
                b0 = float(np.nanmin(b)) if np.isfinite(b).any() else 0.0
                b1 = float(np.nanmax(b)) if np.isfinite(b).any() else 1.0
                t = window_targets(self.tunes[tune_id], start_beat=b0, end_beat=max(b1, b0 + 1e-3),
                                   config=self.mc.decoder)
                queries.append(qwin)
                keys.append(key)
                others.append(other)
                adjacent.append(adj)
                owners.append(tune_id)
                centres.append(beat)
                pitch.append(t["pitch"])
                onset.append(t["onset"])
                chord.append(t["chord"])
        owner_arr = np.array(owners)
        centre_arr = np.array(centres)
        positives = (owner_arr[:, None] == owner_arr[None, :]) & (
            np.abs(centre_arr[:, None] - centre_arr[None, :]) <= self.config.positive_beat_tolerance
        )
        return {
            "query": torch.from_numpy(np.stack(queries)),
            "key": torch.from_numpy(np.stack(keys)),
            "other": torch.from_numpy(np.stack(others)),
            "adjacent": torch.tensor(adjacent),
            "positives": torch.from_numpy(positives),
            "targets": {
                "pitch": torch.from_numpy(np.stack(pitch)),
                "onset": torch.from_numpy(np.stack(onset)),
                "chord": torch.from_numpy(np.stack(chord)),
            },
            "tune_ids": owners,
        }

    def _far_window(self, tune_id: str, rec: BankItem, start: int) -> np.ndarray:
        if self.rng.random() < 0.5 and rec.n_frames > 3 * self.win:
            # same recording, at least two windows away: related in style, not adjacent
            choices = [s for s in range(0, rec.n_frames - self.win, self.win // 2) if abs(s - start) >= 2 * self.win]
            if choices:
                return crop(rec.features.astype(np.float32), choices[self.rng.integers(len(choices))], self.win)
        other_id = self.tune_ids[self.rng.integers(len(self.tune_ids))]
        other_rec = self.bank.items[self.bank.by_tune[other_id]["recording"][0]]
        s = int(self.rng.integers(0, max(1, other_rec.n_frames - self.win + 1)))
        return crop(other_rec.features.astype(np.float32), s, self.win)
