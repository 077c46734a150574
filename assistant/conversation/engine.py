"""The conversation engine: chunk streams in, spoken replies and music out.

One turn: endpointed command -> ASR (streamed while the user talks) -> NLU -> router -> reply template ->
espeak-ng -> output. When a continuous skill asks for a melody ("Go ahead, hum it.") the engine keeps the
microphone: the rest of the same stream is endpointed with the hum endpointer and handed to the skill; if
the stream ends first, the next turn's audio is the melody (a spoken "stop" or new request then still
works). Every failure becomes a spoken and recorded reason; the engine always continues.

Time is stream time: in file mode turns are laid end to end (plus the script's gaps), so follow-up
windows and barge-in ("stop" while a song is still playing) behave as they would live.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from assistant.asr.factory import transcribe
from assistant.asr.phrases import normalize_text
from assistant.audio.chunk import AudioChunk
from assistant.audio.endpoint import Background
from assistant.audio.file_source import read_audio_file
from assistant.conversation.capture import Captured, capture_utterance
from assistant.conversation.output import Output
from assistant.conversation.root import Assistant
from assistant.conversation.types import ReplyRecord, TurnRecord
from assistant.nlu.errors import NluError, NluUnavailableError
from assistant.nlu.vocabulary import outside_vocabulary
from assistant.router.router import RouteOutcome
from music_models.errors import HumdingerError
from skills.base import Reply, Utterance

__all__ = ["Conversation"]

log = logging.getLogger(__name__)


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 1)


class Conversation:
    """Drives turns over an :class:`Assistant` and an :class:`Output`. ``skip_own_speech`` (live mode)
    discards the microphone audio recorded while the assistant itself was talking."""

    def __init__(self, assistant: Assistant, output: Output, *, skip_own_speech: bool = False) -> None:
        self.a = assistant
        self.out = output
        self.cfg = assistant.config.conversation
        self.router = assistant.router
        self.router.clock = self.now
        self.skip_own_speech = skip_own_speech
        self.now_s = 0.0
        self.turns = 0
        self._base_s = 0.0
        self._skip_s = 0.0
        self._wake_words = tuple(normalize_text(assistant.config.wake.phrase).split()) or self.cfg.wake_phrase_words
        self._stop_words = {normalize_text(w) for w in self.cfg.stop_words}
        #: While awaiting a melody in a new turn: speech endpointing (a hum or "stop") with the hum's limits.
        self._answer_cfg = replace(self.cfg.hum, target="speech", min_speech_s=self.cfg.speech.min_speech_s)
        self._room: tuple[float, Background] | None = None  # (stream time, what the last command's endpointer heard)

    # ---- time ------------------------------------------------------------------------------------
    def now(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        """File mode: time passes between turns (the script's ``gap_s``)."""
        self.now_s += max(0.0, float(seconds))

    def _remember_room(self, cap: Captured) -> None:
        if cap.background is not None:
            self._room = (self.now_s, cap.background)

    def _recent_room(self) -> Background | None:
        """The room the last command was heard in, if recent enough to start a melody's endpointer from."""
        if self._room is None or self.now_s - self._room[0] > self.cfg.carry_background_s:
            return None
        return self._room[1]

    def expecting_input(self) -> bool:
        """A skill waits for a melody, or a follow-up needs no wake word now."""
        return self.router.awaiting is not None or self.router.in_follow_up()

    def _track(self, chunks: Iterator[AudioChunk], base_s: float) -> Iterator[AudioChunk]:
        for chunk in chunks:
            self.now_s = base_s + chunk.end_s
            if self._skip_s > 0.0:  # our own voice coming back through the microphone
                self._skip_s -= chunk.duration_s
                continue
            yield chunk

    # ---- turns -----------------------------------------------------------------------------------
    def _new_turn(self, info: dict[str, Any]) -> TurnRecord:
        self.turns += 1
        return TurnRecord(self.turns, info)

    def audio_turn(self, chunks: Iterable[AudioChunk], *, info: dict[str, Any] | None = None,
                   relative_time: bool = True, woken_by: str | None = "push_to_talk", drain: bool = True,
                   quiet_if_silent: bool = False) -> TurnRecord:
        """One turn from a chunk stream. ``relative_time``: chunk times start at 0 for this turn (a file);
        otherwise they are stream times (a microphone). ``woken_by=None`` means the wake phrase has to be
        in what was said unless a follow-up or a melody is expected. ``drain`` reads the rest of the
        stream and records it as ignored (files only). ``quiet_if_silent``: no reply when nothing was said
        (an unused follow-up window)."""
        rec = self._new_turn(info or {"kind": "audio"})
        rec.wake = woken_by
        it = self._track(iter(chunks), self.now_s if relative_time else 0.0)
        try:
            if self.router.awaiting is not None:
                self._answer_to_prompt(it, rec)
            else:
                self._command(it, rec, woken_by=woken_by, quiet_if_silent=quiet_if_silent)
        except HumdingerError as exc:  # a component failed mid-turn: say why, keep going
            log.warning("turn %d failed: %s", rec.index, exc)
            self._failed(rec, str(exc))
        except Exception as exc:  # a bug must not end the conversation; it is logged in full
            log.exception("turn %d crashed", rec.index)
            self._failed(rec, f"internal error ({type(exc).__name__}); see the log")
        if drain:
            rec.ignored_s = round(sum(c.duration_s for c in it), 3)
        return rec

    def _failed(self, rec: TurnRecord, reason: str) -> None:
        rec.error = reason
        self._reply(rec, "error", RouteOutcome("conversation", Reply("conversation.failed", {"reason": reason}), ""),
                    started=time.perf_counter())

    def text_turn(self, text: str, *, info: dict[str, Any] | None = None) -> TurnRecord:
        """A typed turn: no audio, no ASR."""
        rec = self._new_turn(info or {"kind": "text", "text": text})
        started = time.perf_counter()
        self._understand_and_route(rec, text, trigger="text", started=started, timings={})
        return rec

    def failed_input_turn(self, reason: str, *, info: dict[str, Any]) -> TurnRecord:
        """The turn's input could not be read (a corrupt or missing file): the reason is spoken."""
        rec = self._new_turn(info)
        rec.error = reason
        self._reply(rec, "error", RouteOutcome("conversation", Reply("conversation.bad_input", {"reason": reason}),
                                               ""), started=time.perf_counter())
        return rec

    # ---- stages ----------------------------------------------------------------------------------
    def _command(self, it: Iterator[AudioChunk], rec: TurnRecord, *, woken_by: str | None,
                 quiet_if_silent: bool) -> None:
        cap = capture_utterance(it, config=self.cfg.speech, recognizer=self.a.recognizer,
                                speculate_after_s=self.cfg.speculate_after_s)
        self._remember_room(cap)
        rec.segments.append(cap.segment("command"))
        if not cap.found:
            if cap.kind == "noise":
                self._say_key(rec, "conversation.noise", trigger="noise", cap=cap)
            elif not quiet_if_silent:
                self._reply(rec, "silence", self.router.timeout(), started=cap.detected_wall_s, cap=cap)
            return
        if cap.reason == "max_length":
            self._say_key(rec, "conversation.too_long", trigger="speech", cap=cap)
            return
        if cap.kind == "noise":
            self._say_key(rec, "conversation.noise", trigger="speech", cap=cap)
            return
        if cap.kind == "melody":
            self._say_key(rec, "conversation.melody_unasked", trigger="melody", cap=cap)
            return
        if self.a.recognizer is None:
            self._say_key(rec, "conversation.asr_down", {"reason": self.a.asr_problem or "no recogniser"},
                          trigger="speech", cap=cap)
            return
        text = self._record_asr(rec, cap)
        if woken_by is None and not self.expecting_input():
            if not self._has_wake_phrase(rec.asr["text"] if rec.asr else ""):
                rec.wake = None
                log.info("turn %d not addressed to the assistant (no wake phrase): %r", rec.index, text)
                return
            rec.wake = "keyphrase"
        outcome = self._understand_and_route(rec, text, trigger="speech", started=cap.detected_wall_s,
                                             timings=self._asr_timings(cap), cap=cap)
        if outcome is not None and outcome.awaiting == "melody":
            self._melody(it, rec, same_stream=True)

    def _answer_to_prompt(self, it: Iterator[AudioChunk], rec: TurnRecord) -> None:
        """A skill asked for a melody: a hum goes to it; speech ("stop", a new request) is understood."""
        cap = capture_utterance(it, config=self._answer_cfg, background=self._recent_room())
        rec.segments.append(cap.segment("answer"))
        if not cap.found:
            self._reply(rec, "silence", self.router.timeout(), started=cap.detected_wall_s, cap=cap)
            return
        if cap.kind == "speech" and self.a.recognizer is not None:
            result = transcribe(self.a.recognizer, cap.clip.chunks())
            spoken = self._strip_wake(normalize_text(result.text))
            rec.asr = {**result.to_dict(), "command_text": spoken}
            if spoken:
                nlu = self._parse(spoken)
                if isinstance(nlu, Utterance) and nlu.intent != "nlu_fallback" and \
                        nlu.confidence >= self.router.config.fallback_threshold:
                    self._route(rec, nlu, trigger="speech", started=cap.detected_wall_s, timings={}, cap=cap)
                    return
        self._deliver(rec, cap)

    def _melody(self, it: Iterator[AudioChunk], rec: TurnRecord, *, same_stream: bool) -> None:
        cap = capture_utterance(it, config=self.cfg.hum, background=self._recent_room())
        rec.segments.append(cap.segment("melody"))
        if not cap.found:
            if cap.reason == "none" and same_stream:
                return  # the stream (file) ended: the melody comes with the next turn
            self._reply(rec, "silence", self.router.timeout(), started=cap.detected_wall_s, cap=cap)
            return
        self._deliver(rec, cap)

    def _deliver(self, rec: TurnRecord, cap: Captured) -> None:
        t = time.perf_counter()
        outcome = self.router.deliver_audio(cap.clip.samples, cap.clip.sample_rate_hz)
        self._reply(rec, "melody", outcome, started=cap.detected_wall_s, cap=cap,
                    timings={"skill": _ms(time.perf_counter() - t)})

    # ---- understanding ---------------------------------------------------------------------------
    def _asr_timings(self, cap: Captured) -> dict[str, float]:
        return {"asr": _ms(cap.asr_finish_s), "asr_total": _ms(cap.asr_total_s)}

    def _record_asr(self, rec: TurnRecord, cap: Captured) -> str:
        tr = cap.transcript
        raw = normalize_text(tr.text) if tr is not None else ""
        text = self._strip_wake(raw)
        rec.asr = {**(tr.to_dict() if tr is not None else {"text": ""}), "command_text": text,
                   "real_time_factor": round(tr.real_time_factor, 4) if tr is not None else None}
        return text

    def _has_wake_phrase(self, text: str) -> bool:
        words = normalize_text(text).split()
        return words[: len(self._wake_words)] == list(self._wake_words)

    def _strip_wake(self, text: str) -> str:
        words = text.split()
        n = len(self._wake_words)
        return " ".join(words[n:]) if words[:n] == list(self._wake_words) else text

    def _parse(self, text: str) -> Utterance | str:
        """An :class:`Utterance`, or the reason the NLU could not answer ("stop" still works then)."""
        local_stop = Utterance(text, "stop", 1.0, {"source": "local"}) if text in self._stop_words else None
        if local_stop is None and self.cfg.vocabulary_gate and outside_vocabulary(text, self.a.vocabulary):
            log.info("no word of %r is in the assistant's vocabulary: answered as the fallback", text[:80])
            return Utterance(text, "nlu_fallback", 0.0)
        if self.a.nlu is None:
            return local_stop or (self.a.nlu_problem or "no language-understanding server")
        try:
            res = self.a.nlu.parse(text)
        except NluUnavailableError as exc:
            return local_stop or str(exc)
        except NluError as exc:  # e.g. text too long: not a command
            log.warning("NLU refused %r: %s", text[:80], exc)
            return Utterance(text, "nlu_fallback", 0.0)
        intent = "nlu_fallback" if res.intent in self.cfg.fallback_intents else res.intent
        return Utterance(text, intent, res.confidence, {e.entity: e.value for e in res.entities})

    def _understand_and_route(self, rec: TurnRecord, text: str, *, trigger: str, started: float,
                              timings: dict[str, float], cap: Captured | None = None) -> RouteOutcome | None:
        if not text:
            self._say_key(rec, "router.fallback", trigger=trigger, cap=cap, timings=timings, started=started)
            return None
        t = time.perf_counter()
        nlu = self._parse(text)
        timings = {**timings, "nlu": _ms(time.perf_counter() - t)}
        if isinstance(nlu, str):
            rec.error = nlu
            self._say_key(rec, "router.nlu_down", trigger=trigger, cap=cap, timings=timings, started=started, error=nlu)
            return None
        return self._route(rec, nlu, trigger=trigger, started=started, timings=timings, cap=cap)

    def _route(self, rec: TurnRecord, utt: Utterance, *, trigger: str, started: float, timings: dict[str, float],
               cap: Captured | None) -> RouteOutcome:
        rec.nlu = utt.to_dict()
        t = time.perf_counter()
        outcome = self.router.route(utt)
        timings = {**timings, "skill": _ms(time.perf_counter() - t)}
        self._reply(rec, trigger, outcome, started=started, cap=cap, timings=timings)
        return outcome

    # ---- replying --------------------------------------------------------------------------------
    def _say_key(self, rec: TurnRecord, key: str, slots: dict[str, str] | None = None, *, trigger: str,
                 cap: Captured | None = None, timings: dict[str, float] | None = None, started: float | None = None,
                 error: str | None = None) -> None:
        if started is None:
            started = cap.detected_wall_s if cap is not None else time.perf_counter()
        outcome = RouteOutcome("conversation", Reply(key, slots or {}), "")
        self._reply(rec, trigger, outcome, started=started, cap=cap, timings=timings or {}, error=error)

    def _reply(self, rec: TurnRecord, trigger: str, outcome: RouteOutcome, *, started: float,
               cap: Captured | None = None, timings: dict[str, float] | None = None, error: str | None = None) -> None:
        key, slots, text = outcome.reply.key, dict(outcome.reply.slots), outcome.text
        problem = self.a.library_problem
        if key.startswith("library.") and problem is not None:  # say the real reason, not the skill's guess
            key, slots, text = problem.key, {**slots, "reason": problem.reason}, ""
        text = text or self.a.templates.render(key, slots)
        r = ReplyRecord(trigger, outcome.skill, key, text, action=outcome.action, error=error,
                        timings_ms=dict(timings or {}))
        n = len(rec.replies)
        if outcome.action == "play" and outcome.reply.play_path:
            self._play(rec, r, outcome.reply.play_path, name=f"turn{rec.index:02d}_music{'' if n == 0 else n}")
        elif outcome.action == "stop":
            r.cancelled = self.out.stop(now_s=self.now_s)
        elif outcome.action == "pause":
            self.out.pause(now_s=self.now_s)
        elif outcome.action == "resume":
            self.out.resume(now_s=self.now_s)
        self._speak(rec, r, name=f"turn{rec.index:02d}_reply{'' if n == 0 else n}", started=started, cap=cap)
        rec.replies.append(r)
        log.info("turn %d [%s] %s -> %s", rec.index, trigger, r.skill, r.text)

    def _play(self, rec: TurnRecord, r: ReplyRecord, path: str, *, name: str) -> None:
        try:
            clip = read_audio_file(path, config=self.cfg.file_source)
            r.music_wav = self.out.play(clip, name=name, now_s=self.now_s) or path
        except HumdingerError as exc:
            r.error = f"could not play {path}: {exc}"
            r.action = None
            r.text = f"{r.text} {self.a.templates.render('router.skill_error', {'reason': str(exc)})}"
            self.router.playing = False

    def _speak(self, rec: TurnRecord, r: ReplyRecord, *, name: str, started: float, cap: Captured | None) -> None:
        if self.a.tts is None:
            r.error = r.error or f"not spoken: {self.a.tts_problem or 'no speech output'}"
            return
        t = time.perf_counter()
        try:
            clip = self.a.tts.speak(r.text)
        except HumdingerError as exc:  # espeak-ng missing or failed: the text is still printed
            r.error = r.error or f"not spoken: {exc}"
            return
        ready = time.perf_counter()
        r.timings_ms["tts"] = _ms(ready - t)
        r.timings_ms["processing"] = _ms(ready - started)
        wait = cap.endpoint_wait_s if cap is not None and cap.found else 0.0
        r.timings_ms["endpoint_wait"] = _ms(wait)
        r.timings_ms["end_of_speech_to_reply"] = _ms(wait + ready - started)
        try:
            r.speech_wav = self.out.say(clip, name=name)
        except HumdingerError as exc:
            r.error = r.error or f"not played: {exc}"
            return
        self.now_s += clip.duration_s  # the user hears the reply before saying anything else
        if self.skip_own_speech:
            self._skip_s += clip.duration_s + self.cfg.echo_guard_s
