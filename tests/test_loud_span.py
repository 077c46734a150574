"""loud_span: the command said over quieter background is kept, the background around it is cut."""

from __future__ import annotations

import numpy as np

from assistant.audio.vad import loud_span

SR = 16000


def test_loud_span_cuts_quiet_background_around_the_loud_part() -> None:
    rng = np.random.default_rng(0)
    background = 0.01 * rng.standard_normal(3 * SR)
    x = background.copy()
    x[SR: 2 * SR] += 0.3 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)  # 1 s of "speech", ~27 dB above
    a, b = loud_span(x, sample_rate_hz=SR, below_peak_db=18.0, pad_before_s=0.25, pad_after_s=0.35)
    assert abs(a - int(0.75 * SR)) < 0.05 * SR and abs(b - int(2.35 * SR)) < 0.05 * SR


def test_loud_span_keeps_everything_when_nothing_stands_out_or_too_short() -> None:
    rng = np.random.default_rng(1)
    x = 0.1 * rng.standard_normal(2 * SR)
    a, b = loud_span(x, sample_rate_hz=SR, below_peak_db=18.0)
    assert (a, b) == (0, len(x))
    assert loud_span(np.zeros(100), sample_rate_hz=SR, below_peak_db=18.0) == (0, 100)
