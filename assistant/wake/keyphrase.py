"""Wake phrase spotting ("hey humdinger") in two stages: a permissive PocketSphinx keyphrase search proposes
candidates from a ring buffer of the chunk stream, and :mod:`assistant.wake.verify` accepts or rejects each."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.asr.phrases import normalize_text
from assistant.asr.pronounce import load_cmudict, pronounce_all
from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, as_float32, to_pcm16_bytes
from assistant.audio.errors import SpeechEngineError, SpeechInputError
from assistant.wake.base import WakeEvent
from assistant.wake.verify import PhraseVerifier, VerifierConfig, judge_phrase

__all__ = ["KeyphraseWakeWord", "WakeCandidate", "WakeWordConfig"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WakeWordConfig:
    """The phrase; the first stage's keyphrase threshold (smaller = more sensitive) and phone-loop probability
    (smaller = a weaker competitor, more sensitive), both set permissive because the second stage
    (``verifier``, :class:`~assistant.wake.verify.VerifierConfig`) decides; a wide beam (PocketSphinx's
    default 1e-48 prunes the phrase away on many voices); and how long to ignore the stream after a wake.

    Default (``humdinger listen --wake-word``; push-to-talk is the default mode): the first stage at
    1e-10 / 1e-15 and the verifier at -2.2 nats/frame with its duration gates. Chosen on real voices
    (``bench/bench_wake_real.py``, ``bench/results/wake_real.json``: the phrase set to "computer", 60 people
    saying it, 112 other real recordings): all 60 detected, 2 of the 112 accepted (-2.0 accepts the same 2
    and detects 58; -2.4 accepts 7) -- where the first stage
    alone at 1e-1 (the previous default) accepted 19 of them. On espeak-ng voices (``bench/bench_wake.py``,
    test set) the same setting misses 57% of "hey humdinger" and fires 19.6 times/h, nearly all on music:
    far from the <= 1/h target, which is why push-to-talk stays the default."""

    phrase: str = "hey humdinger"
    kws_threshold: float = 1e-10
    kws_plp: float = 1e-15
    beam: float = 1e-100
    refractory_s: float = 1.0
    restart_every_s: float = 30.0
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    verifier: VerifierConfig = field(default_factory=lambda: VerifierConfig(min_llr_nats_per_frame=-2.2))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WakeWordConfig:
        kw = dict(d)
        if isinstance(kw.get("verifier"), dict):
            kw["verifier"] = VerifierConfig.from_dict(kw["verifier"])
        return cls(**kw)


@dataclass(frozen=True, eq=False)
class WakeCandidate:
    """The first stage fired at ``time_s`` (stream time); ``samples`` is the audio kept for the second stage,
    starting at ``window_start_s``."""

    time_s: float
    window_start_s: float
    samples: np.ndarray
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ

    @property
    def window_end_s(self) -> float:
        return self.window_start_s + len(self.samples) / float(self.sample_rate_hz)


class KeyphraseWakeWord:
    """A :class:`~assistant.wake.base.WakeSource` that spots ``config.phrase`` anywhere in the stream: a
    permissive keyphrase search proposes candidates, :class:`~assistant.wake.verify.PhraseVerifier` accepts them."""

    def __init__(self, config: WakeWordConfig | None = None) -> None:
        self.config = cfg = config or WakeWordConfig()
        self.phrase = normalize_text(cfg.phrase)
        if not self.phrase:
            raise SpeechInputError("the wake phrase is empty; set WakeWordConfig.phrase (e.g. 'hey humdinger')")
        if not 0.0 < cfg.kws_threshold < 1.0:
            raise SpeechInputError(f"kws_threshold must be in (0, 1), got {cfg.kws_threshold}")
        import pocketsphinx
        from pocketsphinx import Decoder

        base = Path(pocketsphinx.get_model_path()) / "en-us"
        dict_path = base / "cmudict-en-us.dict"
        extra, dropped = pronounce_all(self.phrase.split(), cmudict=load_cmudict(dict_path))
        if dropped:
            raise SpeechInputError(f"no pronunciation for {', '.join(dropped)} in the wake phrase; choose other "
                                   "words or install espeak-ng")
        try:
            self._decoder = Decoder(hmm=str(base / "en-us"), dict=str(dict_path), lm=None, loglevel="FATAL",
                                    samprate=cfg.sample_rate_hz, kws_threshold=cfg.kws_threshold,
                                    kws_plp=cfg.kws_plp, beam=cfg.beam)
            for w, ph in extra.items():
                self._decoder.add_word(w, ph, True)
            self._decoder.add_keyphrase("wake", self.phrase)
            self._decoder.activate_search("wake")
        except (RuntimeError, ValueError) as exc:
            raise SpeechEngineError(f"PocketSphinx keyphrase search failed to start ({exc})") from exc
        self.verifier = (PhraseVerifier(tuple(self.phrase.split()), extra_pronunciations=extra,
                                        sample_rate_hz=cfg.sample_rate_hz) if cfg.verifier.enabled else None)
        self._in_utt = False
        self._skip_until = -math.inf

    def reset(self) -> None:
        if self._in_utt:
            self._decoder.end_utt()
        self._in_utt = False

    def candidates(self, chunks: Iterable[AudioChunk]) -> Iterator[WakeCandidate]:
        """First stage only: every keyphrase detection with the audio around it (``config.verifier``'s
        window), yielded once ``tail_s`` more audio has arrived (or the stream ended)."""
        cfg, vcfg = self.config, self.config.verifier
        recent: deque[AudioChunk] = deque()
        pending: list[tuple[float, float]] = []  # (detection time, window start)
        utt_start = 0.0
        self._skip_until = -math.inf
        for chunk in chunks:
            if chunk.sample_rate_hz != cfg.sample_rate_hz:
                raise SpeechInputError(f"wake word expects {cfg.sample_rate_hz} Hz audio, got {chunk.sample_rate_hz}")
            if chunk.start_s < self._skip_until:
                pending.clear()
                self.reset()
                continue
            recent.append(chunk)
            while recent and chunk.end_s - recent[0].end_s > vcfg.max_window_s + 0.5:
                recent.popleft()
            if self._in_utt and chunk.start_s - utt_start >= cfg.restart_every_s:
                self.reset()  # bound the search's memory on an endless stream
            if not self._in_utt:
                self._decoder.start_utt()
                self._in_utt = True
                utt_start = chunk.start_s
            self._decoder.process_raw(to_pcm16_bytes(chunk.samples), False, False)
            if self._decoder.hyp() is not None:
                seg = next(iter(self._decoder.seg()), None)
                self.reset()
                det = chunk.end_s
                start = utt_start + seg.start_frame / 100.0 if seg is not None else det - vcfg.max_window_s
                pending.append((det, max(start - vcfg.lead_s, det + vcfg.tail_s - vcfg.max_window_s)))
            while pending and (chunk.end_s >= pending[0][0] + vcfg.tail_s or not vcfg.enabled):
                det, start = pending.pop(0)
                yield self._window(recent, det, start, det + vcfg.tail_s)
        for det, start in pending:
            yield self._window(recent, det, start, det + vcfg.tail_s)
        self.reset()

    def _window(self, recent: deque[AudioChunk], det: float, start_s: float, end_s: float) -> WakeCandidate:
        sr = self.config.sample_rate_hz
        parts = [c for c in recent if c.end_s > start_s and c.start_s < end_s]
        if not parts:
            return WakeCandidate(det, det, np.zeros(0, np.float32), sr)
        y = np.concatenate([as_float32(c.samples) for c in parts])
        i0 = max(0, round((start_s - parts[0].start_s) * sr))
        i1 = min(len(y), round((end_s - parts[0].start_s) * sr))
        return WakeCandidate(det, parts[0].start_s + i0 / sr, y[i0:i1], sr)

    def detect(self, chunks: Iterable[AudioChunk]) -> Iterator[WakeEvent]:
        cfg = self.config
        for cand in self.candidates(chunks):
            time_s = cand.time_s
            if self.verifier is not None:
                score = self.verifier.score(cand.samples, end_trims_s=cfg.verifier.end_trims_s)
                why = judge_phrase(score, config=cfg.verifier)
                if why:
                    log.debug("wake candidate at %.2f s rejected: %s", cand.time_s, why)
                    continue
                time_s = cand.window_start_s + score.phrase_end_s
            self._skip_until = max(cand.window_end_s, time_s + cfg.refractory_s)
            log.info("wake phrase at %.2f s", time_s)
            yield WakeEvent(time_s, "keyphrase", self.phrase)
