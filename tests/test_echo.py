"""Echo cancellation (SpeexDSP through ctypes): the assistant's own music taken out of the microphone.

Real SpeexDSP on generated, seeded signals: a harmonic "tune" as the reference, a room-like echo path
(delay + decaying reflections) to the microphone, a voice-like burst on top."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.audio.chunk import AudioChunk, chunks_from_array
from assistant.audio.echo import EchoConfig, EchoReference, SpeexEchoCanceller, cancel_echo, load_speexdsp
from assistant.audio.errors import SpeechEngineError

SR = 16000

try:
    load_speexdsp()
except SpeechEngineError as exc:  # the package is in the Makefile's Debian list; say what is missing
    pytest.skip(f"SpeexDSP is not installed ({exc}): run 'make setup'", allow_module_level=True)


def _tune(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    step = SR // 4
    t = np.arange(step) / SR
    out = np.zeros(n)
    for i in range(0, n, step):
        f0 = 196.0 * 2 ** (rng.integers(0, 12) / 12)
        note = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6)) * np.exp(-t / 0.5)
        out[i:i + step] = note[: n - i]
    return (0.2 * out / np.sqrt(np.mean(out**2))).astype(np.float32)


def _echo(reference: np.ndarray, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ir = np.zeros(int(0.12 * SR))
    ir[int(0.02 * SR)] = 0.8  # 20 ms of playback latency and the direct path
    tail = np.arange(int(0.025 * SR), len(ir))
    ir[tail] = rng.normal(0, 0.08, len(tail)) * np.exp(-(tail - tail[0]) / (0.03 * SR))
    return np.convolve(reference, ir)[: len(reference)].astype(np.float32)


def _power_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-12))


def test_the_canceller_removes_a_known_echo_and_keeps_the_voice() -> None:
    ref = _tune(8.0)
    echo = _echo(ref)
    rng = np.random.default_rng(2)
    voice = np.zeros_like(ref)
    burst = slice(6 * SR, int(6.8 * SR))
    voice[burst] = 0.1 * np.sin(2 * np.pi * 150 * np.arange(burst.stop - burst.start) / SR) * np.hanning(
        burst.stop - burst.start)
    mic = (echo + voice + rng.normal(0, 0.001, len(ref))).astype(np.float32)
    ec = SpeexEchoCanceller(EchoConfig(filter_s=0.15))  # the path is 0.12 s long
    out = np.concatenate([ec.process(mic[k:k + 1600], ref[k:k + 1600]) for k in range(0, len(mic), 1600)])
    ec.close()
    late = slice(4 * SR, 6 * SR)  # echo only, after the filter has adapted (a few seconds on a tune)
    assert _power_db(mic[late]) - _power_db(out[late]) > 12.0
    kept = _power_db(out[burst]) - _power_db(voice[burst])
    assert kept > -6.0, kept  # the voice is not cancelled with the echo


def test_blocks_of_any_length_and_mismatched_lengths() -> None:
    ec = SpeexEchoCanceller()
    assert len(ec.process(np.zeros(1234, np.float32), np.zeros(1234, np.float32))) == 1234
    with pytest.raises(SpeechEngineError, match="reference samples"):
        ec.process(np.zeros(160, np.float32), np.zeros(320, np.float32))
    ec.close()
    with pytest.raises(SpeechEngineError, match="closed"):
        ec.process(np.zeros(160, np.float32), np.zeros(160, np.float32))


def test_reference_returns_what_was_played_by_time_and_silence_elsewhere() -> None:
    ref = EchoReference(SR, keep_s=2.0)
    block = np.arange(1, 1601, dtype=np.float32) / 2000.0
    ref.played(block, at=100.0)
    got = ref.take(99.95, 1600)  # starts 800 samples before the block
    assert np.all(got[:800] == 0) and np.allclose(got[800:], block[:800])
    assert ref.active(99.9, 100.01) and not ref.active(90.0, 99.0)
    ref.played(block, at=110.0)  # the first block is now older than keep_s
    assert not ref.active(99.0, 100.2)


def test_cancel_echo_touches_chunks_only_while_music_plays() -> None:
    tune = _tune(10.0, seed=3)
    echo = _echo(tune, seed=4)
    mic = np.concatenate([np.random.default_rng(5).normal(0, 0.01, 2 * SR), echo]).astype(np.float32)
    reference = EchoReference(SR)
    reference.played(tune, at=1002.0)  # the tune starts 2 s into the microphone stream
    chunks = list(chunks_from_array(mic, chunk_s=0.1))
    out = list(cancel_echo(iter(chunks), reference, capture_time=lambda c: 1000.0 + c.start_s))
    assert [c.start_s for c in out] == [c.start_s for c in chunks]
    quiet = [c for c in out if c.end_s <= 1.8]
    assert all(np.array_equal(a.samples, b.samples) for a, b in zip(quiet, chunks, strict=False))
    tail_in = np.concatenate([c.float32() for c in chunks if c.start_s >= 8.0])  # 6 s into the tune
    tail_out = np.concatenate([c.float32() for c in out if c.start_s >= 8.0])
    assert _power_db(tail_in) - _power_db(tail_out) > 10.0


def test_capture_time_follows_the_microphones_latest_block() -> None:
    from assistant.audio.devices import MicrophoneSource

    mic = MicrophoneSource()
    mic._anchor = (10.0, 500.0)
    assert mic.capture_time(AudioChunk(np.zeros(1600, np.int16), SR, 10.3)) == pytest.approx(500.3)


def test_the_music_player_records_what_it_plays_for_the_canceller(monkeypatch: pytest.MonkeyPatch) -> None:
    """DeviceOutput's player thread writes each chunk to the speaker and to the echo reference, back to
    back in time (a fake speaker stands in for PortAudio here)."""
    import assistant.conversation.output as output_mod
    from assistant.audio.chunk import AudioClip

    written: list[int] = []

    class Speaker:
        latency_s = 0.1

        def __init__(self, *_: object) -> None:
            pass

        def write(self, chunk: AudioChunk) -> None:
            written.append(len(chunk.samples))

        def close(self) -> None:
            pass

    monkeypatch.setattr(output_mod, "SoundDeviceSink", Speaker)
    reference = EchoReference(SR, keep_s=10.0)
    out = output_mod.DeviceOutput(echo_reference=reference)
    tune = _tune(1.0, seed=6)
    out.play(AudioClip(tune), name="t", now_s=0.0)
    assert out._thread is not None
    out._thread.join(timeout=5.0)
    assert sum(written) == len(tune)
    blocks = list(reference._blocks)
    assert len(blocks) == len(written)
    starts = [t for t, _ in blocks]
    assert np.allclose(np.diff(starts), 0.1, atol=1e-6)  # contiguous: each chunk right after the last
    assert np.allclose(reference.take(starts[0], len(tune)), tune, atol=1e-6)


def test_listen_puts_the_canceller_between_microphone_and_engine_unless_told_not_to() -> None:
    from assistant.audio.devices import MicrophoneSource
    from assistant.cli.listen_cmd import _microphone
    from assistant.conversation import AssistantConfig

    cfg = AssistantConfig()
    chunks, reference = _microphone(cfg, echo_cancel=True)
    assert isinstance(reference, EchoReference) and not isinstance(chunks, MicrophoneSource)
    chunks, reference = _microphone(cfg, echo_cancel=False)
    assert isinstance(chunks, MicrophoneSource) and reference is None
