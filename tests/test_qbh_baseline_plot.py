"""The match figure: DTW alignment path and a written PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_qbh_baseline import SR, _hum, _tiny_tunes

from music_models.qbh_baseline import QbhIndex
from music_models.qbh_baseline.plot import alignment_path, plot_match


def test_alignment_path_is_monotonic_and_finds_the_span() -> None:
    ref = np.array([60, 60, 62, 64, 65, 67, 67, 65, 64, 62, 60], dtype=float)
    query = np.array([64, 64, 65, 65, 67, 67, 67])  # ref[3:7] at half speed
    wp = alignment_path(query=query, reference=ref, clip=3.0)
    assert wp[0, 0] == 0 and wp[-1, 0] == query.size - 1
    assert np.all(np.diff(wp, axis=0) >= 0)
    assert wp[0, 1] == 3 and wp[-1, 1] in (5, 6)


def test_plot_match_writes_a_png(tmp_path: Path) -> None:
    tunes = _tiny_tunes(5, seed=2)
    index = QbhIndex.from_tunes(tunes)
    y = _hum(tunes[1], start_note=3, seconds=8.0, transpose=4.0, tempo_ratio=1.2, seed=0)
    track = index.analyse(samples=y, sample_rate_hz=SR)
    match = index.identify(y, SR).results[0]
    out = plot_match(tune=tunes[1], track=track, match=match, path=tmp_path / "fig" / "m.png", title="test")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
