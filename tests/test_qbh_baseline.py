"""The pYIN + subsequence-DTW baseline finds hummed tunes among tiny inline tunes, in any key and tempo."""

from __future__ import annotations

import numpy as np
import pytest

from music_models.errors import AudioInputError, LibraryError
from music_models.qbh_baseline import (
    QbhBaselineConfig,
    QbhIndex,
    QbhResult,
    melody_contour,
    pitch_track,
    query_contour,
)
from music_models.types import Key, Meter, Note, Tune

SR = 16000


def _tiny_tunes(n: int = 20, seed: int = 7) -> list[Tune]:
    """Random-walk melodies on a major scale with mixed rhythms, 24-40 notes each, ~100-140 qpm."""
    rng = np.random.default_rng(seed)
    scale = np.array([0, 2, 4, 5, 7, 9, 11])
    tunes = []
    for k in range(n):
        degree = int(rng.integers(0, 7))
        onset = 0.0
        notes = []
        for _ in range(int(rng.integers(24, 41))):
            degree = int(np.clip(degree + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3, -3]), -3, 10))
            pitch = 60 + 12 * (degree // 7) + int(scale[degree % 7])
            dur = float(rng.choice([0.5, 0.5, 1.0, 1.0, 1.5, 2.0]))
            notes.append(Note(pitch, onset, dur))
            onset += dur
        tunes.append(Tune(f"tiny-{k:02d}", f"Tiny {k}", "tiny", Meter(4, 4), Key(0), float(rng.uniform(100, 140)),
                          tuple(notes)))
    return tunes


def _hum(tune: Tune, *, start_note: int, seconds: float, transpose: float, tempo_ratio: float,
         seed: int) -> np.ndarray:
    """A voice-like hum: glottal-tilted harmonics, vibrato, intonation error, breath noise, note envelopes."""
    rng = np.random.default_rng(seed)
    spb = 60.0 / (tune.tempo_qpm * tempo_ratio)
    notes = tune.notes[start_note:]
    t0 = notes[0].onset_beats
    n = int(seconds * SR)
    f0 = np.zeros(n)
    amp = np.zeros(n)
    for note in notes:
        a = int(((note.onset_beats - t0) * spb + 0.2) * SR)
        b = min(int(a + note.duration_beats * spb * 0.9 * SR), n)
        if a >= n:
            break
        cents = rng.normal(0, 12)
        f0[a:b] = 440.0 * 2 ** ((note.pitch + transpose - 69 + cents / 100) / 12)
        env = np.minimum(1.0, np.minimum(np.arange(b - a), np.arange(b - a)[::-1]) / (0.03 * SR))
        amp[a:b] = env
    t = np.arange(n) / SR
    f0v = f0 * 2 ** (0.3 * np.sin(2 * np.pi * 5.5 * t) / 12)
    phase = 2 * np.pi * np.cumsum(f0v) / SR
    y = sum((1.0 / h**1.5) * np.sin(h * phase) * (h * f0v < 4000) for h in range(1, 12))
    y = y * amp + 0.01 * rng.standard_normal(n)
    return (0.3 * y / np.max(np.abs(y))).astype(np.float32)


@pytest.fixture(scope="module")
def tunes() -> list[Tune]:
    return _tiny_tunes()


@pytest.fixture(scope="module")
def index(tunes: list[Tune]) -> QbhIndex:
    return QbhIndex.from_tunes(tunes)


def test_melody_contour_holds_rests_and_averages_blocks() -> None:
    notes = (Note(60, 0.0, 1.0), Note(64, 2.0, 1.0))  # a rest from beat 1 to 2 holds the 60
    c = melody_contour(notes=notes, tempo_qpm=60.0, contour_rate_hz=2.0, render_rate_hz=100.0)
    np.testing.assert_allclose(c, [60, 60, 60, 60, 64, 64])


def test_pitch_track_follows_a_tone_and_drops_silence() -> None:
    cfg = QbhBaselineConfig()
    t = np.arange(2 * SR) / SR
    y = np.concatenate([0.3 * np.sin(2 * np.pi * 220.0 * t), np.zeros(SR)]).astype(np.float32)
    track = pitch_track(samples=y, sample_rate_hz=SR, target_rate_hz=SR, fmin_hz=cfg.fmin_hz, fmax_hz=cfg.fmax_hz,
                        frame_length=cfg.frame_length, hop_length=cfg.hop_length,
                        resolution_semitones=cfg.pyin_resolution_semitones,
                        voiced_probability_min=cfg.voiced_probability_min)
    assert 1.7 <= track.voiced_s <= 2.2
    c = query_contour(track=track, contour_rate_hz=10.0, median_filter_frames=5)
    np.testing.assert_allclose(c, 57.0, atol=0.2)  # A3


@pytest.mark.parametrize(
    ("target", "start_note", "transpose", "tempo_ratio"),
    [(3, 4, 0.0, 1.0), (11, 0, 0.0, 1.0), (3, 4, 5.0, 1.0), (16, 6, -7.0, 1.0), (11, 2, 5.0, 1.3), (5, 3, 0, 0.77)],
)
def test_finds_the_hummed_tune(index: QbhIndex, tunes: list[Tune], target: int, start_note: int,
                               transpose: float, tempo_ratio: float) -> None:
    y = _hum(tunes[target], start_note=start_note, seconds=10.0, transpose=transpose, tempo_ratio=tempo_ratio,
             seed=target)
    result = index.identify(y, SR, top_k=5)
    assert result.verdict != "no_melody"
    assert result.results[0].song_id == tunes[target].tune_id, result.to_dict()
    assert abs(result.results[0].transposition_semitones + transpose) <= 1.0
    assert QbhResult.from_dict(result.to_dict()).results[0] == result.results[0]


def test_stereo_and_other_rates_are_accepted(index: QbhIndex, tunes: list[Tune]) -> None:
    import librosa

    y = _hum(tunes[8], start_note=2, seconds=8.0, transpose=2.0, tempo_ratio=1.1, seed=1)
    y44 = librosa.resample(y, orig_sr=SR, target_sr=44100)
    result = index.identify(np.stack([y44, y44]), 44100)
    assert result.results[0].song_id == tunes[8].tune_id


def test_silence_and_noise_are_no_melody(index: QbhIndex) -> None:
    rng = np.random.default_rng(0)
    assert index.identify(np.zeros(5 * SR, dtype=np.float32), SR).verdict == "no_melody"
    noise = (0.1 * rng.standard_normal(5 * SR)).astype(np.float32)
    result = index.identify(noise, SR)
    assert result.verdict == "no_melody" and result.results == ()


def test_bad_input_raises_clear_errors(index: QbhIndex, tunes: list[Tune]) -> None:
    with pytest.raises(AudioInputError, match="empty"):
        index.identify(np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(AudioInputError, match="NaN"):
        index.identify(np.full(SR, np.nan, dtype=np.float32), SR)
    with pytest.raises(LibraryError, match="top_k"):
        index.identify(np.zeros(SR, dtype=np.float32), SR, top_k=0)
    with pytest.raises(LibraryError, match="repeat"):
        QbhIndex.from_tunes([tunes[0], tunes[0]])
    with pytest.raises(LibraryError, match="no tune"):
        QbhIndex.from_tunes([])


def test_steady_fraction_matches_its_definition() -> None:
    """The incremental-median run finder gives exactly what re-taking the median at every frame gives."""
    from music_models.qbh_baseline.contour import PitchTrack, steady_fraction

    def by_definition(m: np.ndarray, tol: float, min_frames: int) -> float:
        voiced = np.isfinite(m)
        if not voiced.any():
            return 0.0
        steady, start = np.zeros(m.size, dtype=bool), 0
        for i in range(1, m.size + 1):
            if (i == m.size or not voiced[i] or not voiced[start]
                    or abs(m[i] - np.median(m[start:i])) > tol):
                if voiced[start] and i - start >= min_frames:
                    steady[start:i] = True
                start = i
        return float(steady.sum() / voiced.sum())

    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(1, 200))
        m = 60 + np.cumsum(rng.normal(0, rng.uniform(0.05, 1.0), n))
        m[rng.random(n) < rng.uniform(0, 0.5)] = np.nan
        if rng.random() < 0.3:
            m = np.round(m * 2) / 2  # ties: even-length medians
        tol, min_frames = float(rng.choice([0.25, 0.5, 1.0])), int(rng.integers(1, 6))
        got = steady_fraction(track=PitchTrack(25.0, m, np.ones(n)), tolerance_semitones=tol, min_frames=min_frames)
        assert got == by_definition(m, tol, min_frames)


def test_pyin_speedup_changes_no_number() -> None:
    """The closed-form Boltzmann prior equals scipy's bit for bit; with every speed-up installed, pYIN gives
    the same pitch track and voicing and YIN the same estimate as librosa's own, and pYIN's voiced
    probabilities agree to rounding (its per-trough dot products are summed in blocks of other sizes)."""
    import librosa
    import scipy.stats

    from music_models.qbh_baseline.pyin_speedup import boltzmann_pmf, install, librosa_as_shipped

    rng = np.random.default_rng(5)
    for _ in range(100):
        n = rng.integers(0, 12, size=100)
        k = rng.integers(-1, 12, size=(int(rng.integers(1, 15)), 100))
        for kk in (k, k.astype(float), k + 0.5):
            want, got = scipy.stats.boltzmann.pmf(kk, 2, n), boltzmann_pmf(kk, 2, n)
            assert np.array_equal(want, got, equal_nan=True)
    sr = 16000
    t = np.arange(sr * 4) / sr
    tune = (0.3 * np.sin(2 * np.pi * np.cumsum(220 * 2 ** (np.round(3 * np.sin(t)) / 12)) / sr)
            + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
    noise = (0.1 * rng.standard_normal(sr * 2)).astype(np.float32)
    silence = np.zeros(sr, np.float32)
    gate = {"fmin": 60, "fmax": 3300, "sr": sr, "frame_length": 1024, "hop_length": 640}
    fine = {"fmin": 65, "fmax": 2100, "sr": sr, "frame_length": 1024, "hop_length": 320}
    assert install()
    for y in (tune, noise, silence):
        for kw, resolution in ((gate, 1.0), (fine, 0.25)):
            with librosa_as_shipped():
                plain, plain_yin = librosa.pyin(y, resolution=resolution, **kw), librosa.yin(y, **kw)
            fast, fast_yin = librosa.pyin(y, resolution=resolution, **kw), librosa.yin(y, **kw)
            assert np.array_equal(plain[0], fast[0], equal_nan=True) and np.array_equal(plain[1], fast[1])
            assert np.allclose(plain[2], fast[2], rtol=0, atol=1e-12)
            assert np.array_equal(plain_yin, fast_yin, equal_nan=True)


@pytest.mark.parametrize("seed", range(6))
def test_sparse_viterbi_decodes_what_librosa_decodes(seed: int) -> None:
    """pYIN-shaped (banded, voiced/unvoiced) and random sparse transitions, observation probabilities with
    many zeros and many ties: the same states and log probability as librosa's dense search."""
    import functools

    import librosa

    from music_models.qbh_baseline.sparse_viterbi import viterbi

    rng = np.random.default_rng(seed)
    n_bins = int(rng.integers(3, 40))
    local = librosa.sequence.transition_local(n_bins, int(rng.integers(1, n_bins + 1)), window="triangle", wrap=False)
    banded = np.kron(librosa.sequence.transition_loop(2, 1 - 0.01), local)
    scattered = rng.random((2 * n_bins, 2 * n_bins)) * (rng.random((2 * n_bins, 2 * n_bins)) < 0.2)
    scattered[np.arange(2 * n_bins), rng.integers(0, 2 * n_bins, 2 * n_bins)] += 1.0  # no empty row
    scattered /= scattered.sum(axis=1, keepdims=True)
    ours = functools.partial(viterbi, dense=librosa.sequence.viterbi)
    for transition in (banded, scattered, np.full((2 * n_bins,) * 2, 1 / (2 * n_bins))):
        steps = int(rng.integers(1, 60))
        prob = rng.random((2 * n_bins, steps)) * (rng.random((2 * n_bins, steps)) < 0.3)
        prob[:, rng.random(steps) < 0.2] = 0.5  # whole frames of ties
        for p in (prob, prob[None], np.stack([prob, prob[::-1]])):
            want = librosa.sequence.viterbi(p, transition, return_logp=True)
            got = ours(p, transition, return_logp=True)
            assert np.array_equal(want[0], got[0]) and want[0].dtype == got[0].dtype
            assert np.array_equal(want[1], got[1]) and want[1].shape == got[1].shape
        p_init = rng.random(2 * n_bins)
        p_init /= p_init.sum()
        assert np.array_equal(librosa.sequence.viterbi(prob, transition, p_init=p_init),
                              ours(prob, transition, p_init=p_init))


def test_subsequence_dtw_in_pieces_is_the_same_search() -> None:
    """Cut at tune starts and searched on several threads, the first pass gives every frame the same cost
    and start frame as one search of the whole reference; without cuts it stays one search."""
    from music_models.qbh_baseline.dtw import concatenate_references, subsequence_dtw

    rng = np.random.default_rng(3)
    contours = [np.cumsum(rng.normal(0, 1.5, int(rng.integers(1, 80)))) for _ in range(40)]
    ref, starts, _ = concatenate_references(contours=contours)
    for m in (1, 2, 7, 60):
        q = np.cumsum(rng.normal(0, 1.5, m))
        whole = subsequence_dtw(query=q, reference=ref, clip=4.0)
        for workers in (2, 3, 8, 100):
            split = subsequence_dtw(query=q, reference=ref, clip=4.0, cuts=starts, workers=workers)
            assert np.array_equal(whole[0], split[0]) and np.array_equal(whole[1], split[1])
        assert np.array_equal(whole[0], subsequence_dtw(query=q, reference=ref, clip=4.0, workers=4)[0])
    assert np.isfinite(whole[0]).any() and (whole[1] > starts[1]).any()  # later tunes' starts are absolute
