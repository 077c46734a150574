"""Live mode over an endless-looking chunk stream (a generator standing in for the microphone): wake,
command, the hum without a wake word, a follow-up without a wake word, then back to waiting."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from test_conversation_engine import (
    FakeLibrary,
    FakeNlu,
    FakeRecognizer,
    FakeTts,
    cat,
    hum,
    silence,
    speech_like,
)

from assistant.audio.chunk import AudioChunk, AudioClip
from assistant.audio.sinks import write_wav
from assistant.conversation import AssistantConfig, Conversation, FileOutput, build_assistant
from assistant.conversation.live import run_live
from assistant.wake.base import WakeEvent


class WakeAt:
    """Wakes once per listed stream time."""

    def __init__(self, *times_s: float) -> None:
        self.times = list(times_s)

    def detect(self, chunks: Iterable[AudioChunk]) -> Iterator[WakeEvent]:
        for chunk in chunks:
            if self.times and chunk.start_s >= self.times[0]:
                self.times.pop(0)
                yield WakeEvent(chunk.end_s, "keyphrase", "hey humdinger")


def test_live_loop_wake_command_hum_follow_up_and_back_to_waiting(tmp_path: Path) -> None:
    song = write_wav(tmp_path / "song.wav", AudioClip(hum(20.0, seed=9)))
    rec, lib = FakeRecognizer(), FakeLibrary(song)
    rec.texts = ["what's this song", "play it"]
    a = build_assistant(AssistantConfig(), recognizer=rec, nlu=FakeNlu(), library=lib, tts=FakeTts(), wake=None)
    conv = Conversation(a, FileOutput(tmp_path / "out"), skip_own_speech=True)
    stream = cat(silence(1.0), speech_like(1.0), silence(1.5), hum(6.0), silence(2.5), speech_like(0.6, seed=2),
                 silence(1.5), silence(12.0), speech_like(1.0, seed=7), silence(2.0))
    wake = WakeAt(0.9)  # the second command (at ~27 s) is not preceded by a wake: it must be ignored
    turns = run_live(conv, AudioClip(stream).chunks(), wake=wake)
    said = [[r.key for r in t.replies] for t in turns if t.replies]
    assert said == [["identify.prompt", "identify.match"], ["play.playing"]]
    assert turns[0].wake == "keyphrase" and turns[1].wake == "follow_up"
    assert lib.queries and 4.0 < lib.queries[0] < 8.5
    assert turns[1].replies[0].music_wav and Path(turns[1].replies[0].music_wav).is_file()
    assert conv.router.awaiting is None and rec.texts == []
