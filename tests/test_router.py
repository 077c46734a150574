"""Router and skills with a fake library injected at the MusicLibrary interface."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.replies import ReplyTemplates
from assistant.router import Router, load_skills
from skills.base import Utterance


@dataclass
class _Hit:
    song_id: str
    title: str
    confidence: float = 0.9
    collection: str = "tests"
    audio_path: str = "/tmp/x.wav"

    def to_dict(self) -> dict:
        return {"song_id": self.song_id, "title": self.title, "confidence": self.confidence}


@dataclass
class _Result:
    verdict: str
    results: list = field(default_factory=list)
    query_z: np.ndarray | None = None


class FakeLibrary:
    def __init__(self, verdict: str = "match") -> None:
        self.verdict = verdict
        self.songs = {"a": _Hit("a", "Greensleeves"), "b": _Hit("b", "The Butterfly"), "c": _Hit("c", "Drowsy Maggie")}

    def identify(self, samples, sample_rate_hz, top_k=5):  # type: ignore[no-untyped-def]
        hits = [] if self.verdict == "no_melody" else list(self.songs.values())[:top_k]
        return _Result(self.verdict, hits, np.zeros(4))

    def search_metadata(self, *, title=None, collection=None, mood=None, limit=5):  # type: ignore[no-untyped-def]
        return [s for s in self.songs.values() if title and title.lower() in s.title.lower()][:limit]

    def song(self, song_id):  # type: ignore[no-untyped-def]
        return self.songs[song_id]

    def similar_to(self, z, limit=5):  # type: ignore[no-untyped-def]
        return [self.songs["c"]]


class Clock:
    t = 0.0

    def __call__(self) -> float:
        return self.t


def _router(verdict: str = "match") -> tuple[Router, Clock]:
    clock = Clock()
    return Router(load_skills(plugins=False), ReplyTemplates.load(), FakeLibrary(verdict), clock=clock), clock


def test_identify_then_play_it_then_stop() -> None:
    r, _ = _router()
    out = r.route(Utterance("what's this song", "identify_song", 0.95))
    assert out.text == "Go ahead, hum it." and out.awaiting == "melody"
    out = r.deliver_audio(np.zeros(16000), 16000)
    assert out.text == "That's Greensleeves."
    out = r.route(Utterance("play it", "play_music", 0.9))
    assert out.action == "play" and out.text == "Playing Greensleeves."
    out = r.route(Utterance("stop", "stop", 0.99))
    assert out.action == "stop" and out.text == "Okay, stopped."


def test_wrong_answer_offers_next_candidate_within_follow_up_window() -> None:
    r, clock = _router()
    r.route(Utterance("name that tune", "identify_song", 0.9))
    r.deliver_audio(np.zeros(16000), 16000)
    assert r.route(Utterance("no that's wrong", "deny", 0.9)).text == "Then maybe it's The Butterfly."
    clock.t = 100.0  # the follow-up window has passed
    assert r.route(Utterance("no", "deny", 0.9)).text == "Okay."


def test_unsure_and_no_melody_are_said_plainly() -> None:
    r, _ = _router("unsure")
    r.route(Utterance("what's this", "identify_song", 0.9))
    assert r.deliver_audio(np.zeros(16000), 16000).text == "I'm not sure. Maybe Greensleeves or The Butterfly."
    r, _ = _router("no_melody")
    r.route(Utterance("what's this", "identify_song", 0.9))
    assert r.deliver_audio(np.zeros(16000), 16000).text == "I couldn't hear a melody. Try again?"


def test_fallback_uninstalled_and_repeat() -> None:
    r, _ = _router()
    assert "didn't understand" in r.route(Utterance("blorp", "play_music", 0.2)).text
    assert r.route(Utterance("repeat", "repeat", 0.9)).text == r.state.last_reply
    assert r.route(Utterance("jam with me", "play_along", 0.9)).text == "The play along skill isn't installed yet."
    assert r.route(Utterance("play greensleeves", "play_music", 0.9, {"song_title": "greensleeves"})).action == "play"
    assert "couldn't find" in r.route(Utterance("play x", "play_music", 0.9, {"song_title": "nope"})).text


def test_a_failing_library_gives_a_spoken_reason_and_the_router_keeps_going() -> None:
    from music_models.errors import LibraryError

    r, _ = _router()

    def broken(*a, **k):  # type: ignore[no-untyped-def]
        raise LibraryError("the library folder is missing; run humdinger library build")

    r.library.identify = broken  # type: ignore[union-attr,method-assign]
    r.route(Utterance("what's this", "identify_song", 0.9))
    out = r.deliver_audio(np.zeros(16000), 16000)
    assert "humdinger library build" in out.text
    assert r.route(Utterance("help", "help", 0.9)).text.startswith("You can ask")
