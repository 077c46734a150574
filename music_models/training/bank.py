"""The feature bank: log-spectrograms of rendered recordings and synthetic queries, with beat maps.

Each item maps every feature frame to a position in the tune (in beats), which is how a query
window finds the recording window that plays the same music, whatever the two tempi.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["BankItem", "FeatureBank"]


@dataclass
class BankItem:
    tune_id: str
    role: str  # "recording" or "query"
    kind: str  # arrangement program name, or query kind (hum/whistle/sing/instrument)
    features: np.ndarray  # float16 [bins, frames]
    beat_at_frame: np.ndarray  # float32 [frames]; NaN where the frame is outside the tune
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.features.shape[1])


class FeatureBank:
    """Items grouped by tune; saved as shards of ``.npz`` plus a JSONL index."""

    def __init__(self, items: list[BankItem] | None = None) -> None:
        self.items: list[BankItem] = []
        self.by_tune: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"recording": [], "query": []})
        for it in items or []:
            self.add(it)

    def add(self, item: BankItem) -> None:
        self.by_tune[item.tune_id][item.role].append(len(self.items))
        self.items.append(item)

    def tunes_with_pairs(self) -> list[str]:
        return sorted(t for t, d in self.by_tune.items() if d["recording"] and d["query"])

    def __len__(self) -> int:
        return len(self.items)

    # ---- persistence -------------------------------------------------------------------------
    @staticmethod
    def save_shard(path: Path, items: list[BankItem]) -> None:
        arrays: dict[str, np.ndarray] = {}
        index = []
        for i, it in enumerate(items):
            arrays[f"f{i}"] = it.features.astype(np.float16)
            arrays[f"b{i}"] = it.beat_at_frame.astype(np.float32)
            index.append({"tune_id": it.tune_id, "role": it.role, "kind": it.kind, "meta": it.meta})
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, index=np.array(json.dumps(index)), **arrays)
        tmp.replace(path)

    @staticmethod
    def load_shard(path: Path) -> list[BankItem]:
        with np.load(path) as z:
            index = json.loads(str(z["index"]))
            return [
                BankItem(d["tune_id"], d["role"], d["kind"], z[f"f{i}"], z[f"b{i}"], d.get("meta", {}))
                for i, d in enumerate(index)
            ]

    @classmethod
    def load(cls, directory: Path) -> FeatureBank:
        bank = cls()
        for shard in sorted(directory.glob("shard-*.npz")):
            for it in cls.load_shard(shard):
                bank.add(it)
        return bank
