"""Audio at the edge: file decoding/resampling, bad files, WAV sink, no-device errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assistant.audio import (
    AudioChunk,
    AudioClip,
    AudioInputError,
    FileSourceConfig,
    MicrophoneSource,
    NoAudioDeviceError,
    SoundDeviceSink,
    WavFileSink,
    chunks_from_array,
    concat_chunks,
    file_chunks,
    read_audio_file,
    write_wav,
)
from music_models.errors import HumdingerError


def _tone(freq_hz: float, dur_s: float, sr: int) -> np.ndarray:
    t = np.arange(int(dur_s * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def test_file_source_resamples_44k_stereo(tmp_path: Path) -> None:
    sr = 44100
    left, right = _tone(440, 1.0, sr), _tone(440, 1.0, sr)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), sr)
    clip = read_audio_file(path)
    assert clip.sample_rate_hz == 16000 and clip.samples.ndim == 1
    assert abs(clip.duration_s - 1.0) < 0.01
    spec = np.abs(np.fft.rfft(clip.samples))
    assert abs(np.argmax(spec) * 16000 / len(clip.samples) - 440) < 3
    chunks = list(file_chunks(path, config=FileSourceConfig(chunk_s=0.25)))
    assert len(chunks) == 4 and chunks[1].start_s == pytest.approx(0.25)


@pytest.mark.parametrize("fmt", ["FLAC", "OGG"])
def test_file_source_other_formats(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"a.{fmt.lower()}"
    sf.write(path, _tone(300, 0.5, 22050), 22050, format=fmt)
    assert abs(read_audio_file(path).duration_s - 0.5) < 0.02


def test_raw_pcm_file(tmp_path: Path) -> None:
    path = tmp_path / "a.raw"
    path.write_bytes((_tone(300, 0.5, 16000) * 32767).astype("<i2").tobytes())
    assert read_audio_file(path).duration_s == pytest.approx(0.5)


def test_bad_files_raise_audio_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 3)
    no_frames = tmp_path / "noframes.wav"
    sf.write(no_frames, np.zeros(0, dtype=np.float32), 16000)
    for path, word in [(empty, "empty"), (corrupt, "not a readable"), (no_frames, "no audio"),
                       (tmp_path / "missing.wav", "no such")]:
        with pytest.raises(AudioInputError, match=word):
            read_audio_file(path)
    huge = tmp_path / "long.wav"
    sf.write(huge, np.zeros(16000 * 5, dtype=np.float32), 16000)
    with pytest.raises(AudioInputError, match="longer than"):
        read_audio_file(huge, config=FileSourceConfig(max_duration_s=2.0))
    with pytest.raises(AudioInputError):  # the stream form fails when called, not mid-stream
        file_chunks(empty)


def test_wav_sink_roundtrip(tmp_path: Path) -> None:
    y = _tone(500, 0.3, 16000)
    path = tmp_path / "out" / "reply.wav"
    with WavFileSink(path) as sink:
        for chunk in chunks_from_array(y, chunk_s=0.1):
            sink.write(chunk)
    back, sr = sf.read(path, dtype="float32")
    assert sr == 16000 and np.max(np.abs(back - y)) < 1e-3
    write_wav(tmp_path / "clip.wav", AudioClip(y))
    assert sf.info(str(tmp_path / "clip.wav")).frames == len(y)


def test_chunk_dict_roundtrip_and_concat() -> None:
    y = _tone(200, 0.25, 16000)
    chunks = list(chunks_from_array(y, chunk_s=0.1, start_s=2.0))
    again = AudioChunk.from_dict(chunks[1].to_dict())
    assert again.start_s == pytest.approx(2.1) and np.max(np.abs(again.float32() - chunks[1].float32())) < 1e-4
    assert len(concat_chunks(chunks).samples) == len(y)


def test_no_device_from_query() -> None:
    mic = MicrophoneSource(query_devices=lambda: [{"name": "hdmi", "max_input_channels": 0,
                                                   "max_output_channels": 2}])
    with pytest.raises(NoAudioDeviceError, match="file modes"):
        next(iter(mic))
    assert issubclass(NoAudioDeviceError, HumdingerError)


def test_no_device_when_portaudio_fails() -> None:
    def broken() -> list[dict[str, object]]:
        raise OSError("PortAudio library not found")

    with pytest.raises(NoAudioDeviceError, match="PortAudio"):
        SoundDeviceSink(query_devices=broken).write(AudioChunk(np.zeros(160, dtype=np.float32)))


def test_no_device_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUMDINGER_AUDIO", "none")
    with pytest.raises(NoAudioDeviceError, match="HUMDINGER_AUDIO=none"):
        next(iter(MicrophoneSource()))
