"""A picture of queries: log-frequency spectrograms with the performed notes drawn over them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from music_models.queries.synth import SyntheticQuery

__all__ = ["plot_query_spectrograms"]


def plot_query_spectrograms(
    *, queries: Sequence[SyntheticQuery], titles: Sequence[str], path: Path, columns: int = 2
) -> Path:
    """Save a grid of spectrograms (0-8 kHz, dB) with each query's performed notes as white ticks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = int(np.ceil(len(queries) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(7 * columns, 2.8 * rows), squeeze=False)
    for ax, q, title in zip(axes.ravel(), queries, titles, strict=False):
        sr = q.sample_rate_hz
        n_fft, hop = 1024, 160
        x = q.samples.astype(float)
        win = np.hanning(n_fft)
        n_frames = max(1 + (len(x) - n_fft) // hop, 1)
        frames = np.lib.stride_tricks.sliding_window_view(np.pad(x, (0, n_fft)), n_fft)[::hop][:n_frames]
        spec = 20 * np.log10(np.abs(np.fft.rfft(frames * win, axis=1)).T + 1e-6)
        spec -= spec.max()
        ax.imshow(spec, origin="lower", aspect="auto", vmin=-80, vmax=0, cmap="magma",
                  extent=(0, len(x) / sr, 0, sr / 2))
        for nt in q.truth.notes:
            f = 440.0 * 2 ** ((nt.pitch - 69) / 12)
            ax.plot([nt.onset_s, nt.end_s], [f, f], color="cyan", lw=0.8, alpha=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("Hz")
        ax.set_ylim(0, sr / 2)
    for ax in axes.ravel()[len(queries):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("s")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
