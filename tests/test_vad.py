"""VAD and endpointing on generated signals: speech-like bursts, a hum, noise, silence."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.audio import (
    HUM_ENDPOINTER_CONFIG,
    Endpointer,
    EndpointerConfig,
    chunks_from_array,
    take_utterance,
)
from assistant.audio.vad import VadConfig, classify_segment, frame_features, track_noise_floor

SR = 16000


def _speechlike(rng: np.random.Generator, dur_s: float) -> np.ndarray:
    """Syllables: 150-250 ms voiced bursts with a moving formant-ish pitch, unvoiced hiss, short gaps."""
    out = []
    while sum(len(x) for x in out) < dur_s * SR:
        n = int(rng.uniform(0.12, 0.22) * SR)
        t = np.arange(n) / SR
        f0 = rng.uniform(100, 180) * (1 + 0.2 * t)
        ph = 2 * np.pi * np.cumsum(f0) / SR
        env = np.sin(np.pi * np.arange(n) / n)
        out.append(env * sum(np.sin(k * ph) * rng.uniform(0.2, 1) / k for k in range(1, 12)) * 0.15)
        out.append(rng.normal(0, 0.03, int(0.06 * SR)))  # fricative
        out.append(np.zeros(int(rng.uniform(0.02, 0.08) * SR)))
    return np.concatenate(out).astype(np.float32)


def _hum(dur_s: float) -> np.ndarray:
    t = np.arange(int(dur_s * SR)) / SR
    notes = np.repeat([220, 247, 262, 294, 262, 247], int(np.ceil(len(t) / 6)))[: len(t)]
    ph = 2 * np.pi * np.cumsum(notes * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))) / SR
    return (0.2 * sum(np.sin(k * ph) / k for k in range(1, 6))).astype(np.float32)


def _with_silence(rng: np.random.Generator, y: np.ndarray, lead_s: float, tail_s: float) -> np.ndarray:
    parts = [np.zeros(int(lead_s * SR)), y, np.zeros(int(tail_s * SR))]
    z = np.concatenate(parts)
    return (z + rng.normal(0, 0.002, len(z))).astype(np.float32)


def _run(y: np.ndarray, config: EndpointerConfig | None = None) -> list:
    ep = Endpointer(config)
    events = []
    for c in chunks_from_array(y, chunk_s=0.1):
        events += ep.accept(c)
    return events + ep.finish()


def test_endpoints_speech_between_silences() -> None:
    rng = np.random.default_rng(1)
    y = _with_silence(rng, _speechlike(rng, 2.0), 1.0, 2.0)
    ev = _run(y)
    assert [e.kind for e in ev] == ["start", "end"]
    assert ev[0].time_s == pytest.approx(1.0, abs=0.15)
    assert ev[1].reason == "silence"
    assert 2.8 < ev[1].time_s < 3.3


def test_silence_times_out_and_max_length() -> None:
    rng = np.random.default_rng(2)
    assert [(e.kind, e.reason) for e in _run(rng.normal(0, 0.002, 10 * SR).astype(np.float32))] == [
        ("end", "timeout")]
    long = _with_silence(rng, _speechlike(rng, 6.0), 0.5, 0.5)
    ev = _run(long, EndpointerConfig(max_utterance_s=3.0))
    assert ev[-1].reason == "max_length" and ev[-1].time_s - ev[0].time_s == pytest.approx(3.0, abs=0.1)


def test_stationary_noise_is_not_speech() -> None:
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.05, 4 * SR).astype(np.float32)
    y = np.concatenate([rng.normal(0, 0.002, SR), noise]).astype(np.float32)
    assert all(e.reason == "timeout" or e.kind != "start" for e in _run(y, EndpointerConfig(start_timeout_s=4.5)))


def test_take_utterance_has_preroll() -> None:
    rng = np.random.default_rng(4)
    y = _with_silence(rng, _speechlike(rng, 1.5), 1.0, 3.0)
    got = list(take_utterance(chunks_from_array(y, chunk_s=0.1)))
    assert got[0].start_s <= 0.8 and 2.3 < got[-1].end_s < 3.5


def test_hum_is_melody_and_speech_is_not() -> None:
    rng = np.random.default_rng(5)
    cfg = VadConfig()
    kinds = {}
    for name, y in [("hum", _hum(3.0)), ("speech", _speechlike(rng, 3.0)), ("noise", rng.normal(0, 0.1, 2 * SR))]:
        y = _with_silence(rng, np.asarray(y, np.float32), 0.5, 0.0)
        f = frame_features(y, sample_rate_hz=SR)
        floor = track_noise_floor(f.energy_db, hop_s=f.hop_s, rise_db_per_s=0.0, initial_db=-40.0)
        kinds[name] = classify_segment(f, noise_floor_db=floor, config=cfg)
    assert kinds == {"hum": "melody", "speech": "speech", "noise": "noise"}


def test_melody_endpointer_on_hum() -> None:
    rng = np.random.default_rng(6)
    y = _with_silence(rng, _hum(4.0), 1.0, 3.0)
    ev = _run(y, HUM_ENDPOINTER_CONFIG)
    assert [e.kind for e in ev] == ["start", "end"]
    assert ev[0].time_s == pytest.approx(1.0, abs=0.2) and ev[1].time_s == pytest.approx(5.0, abs=0.3)


def _pink(rng: np.random.Generator, n: int, rms: float) -> np.ndarray:
    spec = np.fft.rfft(rng.normal(0, 1, n))
    spec /= np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0))
    y = np.fft.irfft(spec, n)
    return (y * rms / np.sqrt(np.mean(y**2))).astype(np.float32)


def _loud_rms(y: np.ndarray) -> float:
    fr = y[: len(y) // 160 * 160].reshape(-1, 160)
    e = (fr**2).mean(axis=1)
    return float(np.sqrt(e[e > 0.1 * e.max()].mean()))


@pytest.mark.parametrize("snr_db", [30.0, 20.0, 15.0])
def test_steady_background_from_the_start_is_not_an_utterance(snr_db: float) -> None:
    """A fan or pink noise that is there before the stream starts: the command in it still starts and
    ends where it does (before, the floor began at -60 dB, the background started an "utterance" at once
    and, the floor frozen, it ran to max_length)."""
    rng = np.random.default_rng(7)
    speech = _speechlike(rng, 1.5)
    y = np.concatenate([np.zeros(3 * SR), speech, np.zeros(3 * SR)]).astype(np.float32)
    y = y + _pink(rng, len(y), _loud_rms(speech) * 10 ** (-snr_db / 20))
    ev = _run(y)
    assert [(e.kind, e.reason) for e in ev] == [("start", ""), ("end", "silence")]
    assert ev[0].time_s == pytest.approx(3.0, abs=0.3)
    assert ev[1].time_s == pytest.approx(3.0 + len(speech) / SR, abs=0.4)


def test_old_floor_behaviour_is_kept_behind_the_switches() -> None:
    rng = np.random.default_rng(7)
    speech = _speechlike(rng, 1.5)
    y = np.concatenate([np.zeros(3 * SR), speech, np.zeros(3 * SR)]).astype(np.float32)
    y = y + _pink(rng, len(y), _loud_rms(speech) * 10 ** (-15 / 20))
    old = EndpointerConfig(floor_from_stream=False, min_threshold_db=0.0, stale_floor_s=0.0, floor_percentile=0.0,
                           energy_smoothing_s=0.0)
    ev = _run(y, old)
    assert ev[0].time_s < 0.5 and ev[-1].reason == "stream_end"


def test_a_stale_floor_moves_up_so_the_utterance_ends() -> None:
    """Loud steady noise that starts with the speech and goes on after it: without the stale-floor rule the
    utterance only ends at max_length; with it, the floor moves up and the end comes by silence."""
    rng = np.random.default_rng(8)
    speech = _speechlike(rng, 1.0)
    quiet = rng.normal(0, 0.002, SR).astype(np.float32)
    loud = _pink(rng, 8 * SR, 0.05)
    loud[: len(speech)] += speech
    y = np.concatenate([quiet, loud]).astype(np.float32)
    ep = Endpointer()
    events = []
    for c in chunks_from_array(y, chunk_s=0.1):
        events += ep.accept(c)
    assert [e.kind for e in events] == ["start", "end"] and events[-1].reason == "silence"
    assert events[-1].time_s < 5.0 and ep.floor_resets >= 1
    stuck = _run(y, EndpointerConfig(stale_floor_s=0.0, max_utterance_s=6.0))
    assert stuck[-1].reason == "max_length"


def _room_music(rng: np.random.Generator, n: int, rms: float) -> np.ndarray:
    """Music in the room: a melodic line of harmonic notes that change every 0.4 s, each decaying a little."""
    step = int(0.4 * SR)
    out = np.zeros(n)
    t = np.arange(step) / SR
    for i in range(0, n, step):
        f0 = 196.0 * 2 ** (rng.integers(0, 12) / 12)
        note = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6))
        out[i: i + step] = (note * np.exp(-t / rng.uniform(0.5, 1.5)))[: n - i]
    return (out * rms / np.sqrt(np.mean(out**2))).astype(np.float32)


def _command_then_hum_in_music(seed: int, snr_db: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(the command's stream, the melody's stream, where the hum ends in it): one room, music throughout."""
    rng = np.random.default_rng(seed)
    speech, melody = _speechlike(rng, 1.5), _hum(4.0)
    cmd = np.concatenate([np.zeros(2 * SR), speech * (_loud_rms(melody) / _loud_rms(speech)), np.zeros(2 * SR)])
    mel = np.concatenate([np.zeros(SR // 2), melody, np.zeros(5 * SR)])
    room = _room_music(rng, len(cmd) + len(mel), _loud_rms(melody) * 10 ** (-snr_db / 20))
    room += rng.normal(0, 0.002, len(room)).astype(np.float32)
    return (cmd + room[: len(cmd)]).astype(np.float32), (mel + room[len(cmd):]).astype(np.float32), 4.5


def test_background_is_none_before_the_floor_is_known() -> None:
    ep = Endpointer()
    assert ep.background() is None
    ep.accept(next(iter(chunks_from_array(np.zeros(SR // 2, np.float32), chunk_s=0.5))))
    assert ep.background() is None  # still inside the floor's look-ahead


def test_a_hum_over_room_music_ends_when_the_melody_starts_from_the_commands_room() -> None:
    """Music in the room is pitched, so the melody endpointer, starting from its -60 dB floor, took it for
    the hum and ran to the 15 s limit. Started from the room the command's endpointer heard, and with
    frames far below the melody's own level not counting, it ends by silence where the hum ends."""
    cmd, mel, hum_end = _command_then_hum_in_music(9, 20.0)
    first = Endpointer()
    for c in chunks_from_array(cmd, chunk_s=0.1):
        first.accept(c)
    room = first.background()
    assert room is not None and len(room.energies_db) >= 30
    got = []
    ep = Endpointer(HUM_ENDPOINTER_CONFIG, background=room)
    for c in chunks_from_array(mel, chunk_s=0.1):
        got += ep.accept(c)
        if ep.done:
            break
    assert [(e.kind, e.reason) for e in got] == [("start", ""), ("end", "silence")]
    assert got[0].time_s == pytest.approx(0.5, abs=0.3) and got[1].time_s == pytest.approx(hum_end, abs=0.5)
    old = EndpointerConfig(**{**HUM_ENDPOINTER_CONFIG.to_dict(), "vad": VadConfig(), "relative_floor_db": 0.0})
    stuck = _run(mel, old)
    assert stuck[-1].reason in ("max_length", "stream_end")


def test_relative_floor_must_not_be_negative() -> None:
    with pytest.raises(Exception, match="relative_floor_db"):
        EndpointerConfig(relative_floor_db=-1.0)
