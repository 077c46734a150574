"""Per-frame amplitude envelopes of performed notes (attacks, releases, articulation dips, swells)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from music_models.queries.truth import PerformedNote

__all__ = ["note_envelope"]


def note_envelope(
    *,
    f0_hz: np.ndarray,
    notes: Sequence[PerformedNote],
    frame_rate_hz: float,
    attack_s: float,
    release_s: float,
    dip: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Amplitude (0..~1) per frame: 0 where ``f0_hz`` is 0, attack/release ramps at the edges of each voiced
    run, a dip to ``dip`` at the onset of each note joined to the previous one, per-note accents (+-2 dB) and
    a gentle decay over long notes."""
    n = len(f0_hz)
    t = np.arange(n) / frame_rate_hz
    voiced = f0_hz > 0
    env = voiced.astype(float)
    # per-note accent and decay
    for nt in notes:
        m = (t >= nt.onset_s) & (t < nt.end_s)
        accent = 10 ** (rng.normal(0.0, 2.0) / 20.0)
        decay = 10 ** (-rng.uniform(1.0, 4.0) * (t[m] - nt.onset_s) / max(nt.duration_s, 0.3) / 20.0)
        env[m] *= accent * decay
    # edges of voiced runs
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]])))
    a = max(int(round(attack_s * frame_rate_hz)), 1)
    r = max(int(round(release_s * frame_rate_hz)), 1)
    for s, e in zip(edges[::2], edges[1::2], strict=False):
        ka = min(a, e - s)
        env[s:s + ka] *= np.linspace(1.0 / (ka + 1), 1.0, ka) ** 1.5
        kr = min(r, e - s)
        env[e - kr:e] *= np.linspace(1.0, 1.0 / (kr + 1), kr) ** 1.5
    # articulation dips where a note starts inside a voiced run
    if dip < 1.0:
        width = max(int(0.04 * frame_rate_hz), 1)
        for nt in notes:
            k = int(round(nt.onset_s * frame_rate_hz))
            if 0 < k < n and voiced[k - 1] and voiced[k]:
                lo, hi = max(k - width, 0), min(k + width, n)
                shape = 1.0 - (1.0 - dip) * np.hanning(hi - lo + 2)[1:-1]
                env[lo:hi] *= shape
    # slow swells (breath support)
    if n > 1:
        swell = np.cumsum(rng.normal(0.0, 1.0, n))
        swell = np.convolve(swell - swell.mean(), np.ones(40) / 40, mode="same")
        peak = float(np.max(np.abs(swell))) or 1.0
        env *= 10 ** (1.5 * swell / peak / 20.0)
    return env
