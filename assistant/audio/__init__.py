"""Audio at the edge: 16 kHz mono chunk streams from files, microphones and generators; sinks to WAV
files and speakers; voice/melody activity detection and endpointing."""

from assistant.audio.chunk import (
    SPEECH_SAMPLE_RATE_HZ,
    AudioChunk,
    AudioClip,
    as_float32,
    as_int16,
    chunks_from_array,
    concat_chunks,
    to_pcm16_bytes,
)
from assistant.audio.devices import DeviceConfig, MicrophoneSource, SoundDeviceSink
from assistant.audio.endpoint import (
    HUM_ENDPOINTER_CONFIG,
    Background,
    Endpointer,
    EndpointerConfig,
    EndpointEvent,
    take_utterance,
)
from assistant.audio.errors import (
    AudioInputError,
    NoAudioDeviceError,
    SpeechEngineError,
    SpeechInputError,
    SpeechModelError,
)
from assistant.audio.file_source import FileSourceConfig, file_chunks, read_audio_file, resample
from assistant.audio.sinks import AudioSink, WavFileSink, play, write_wav
from assistant.audio.vad import VadConfig

__all__ = [
    "HUM_ENDPOINTER_CONFIG",
    "SPEECH_SAMPLE_RATE_HZ",
    "AudioChunk",
    "AudioClip",
    "AudioInputError",
    "AudioSink",
    "Background",
    "DeviceConfig",
    "EndpointEvent",
    "Endpointer",
    "EndpointerConfig",
    "FileSourceConfig",
    "MicrophoneSource",
    "NoAudioDeviceError",
    "SoundDeviceSink",
    "SpeechEngineError",
    "SpeechInputError",
    "SpeechModelError",
    "VadConfig",
    "WavFileSink",
    "as_float32",
    "as_int16",
    "chunks_from_array",
    "concat_chunks",
    "file_chunks",
    "play",
    "read_audio_file",
    "resample",
    "take_utterance",
    "to_pcm16_bytes",
    "write_wav",
]
