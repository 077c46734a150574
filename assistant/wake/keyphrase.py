"""Wake phrase spotting ("hey humdinger") with PocketSphinx keyphrase search."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.asr.phrases import normalize_text
from assistant.asr.pronounce import load_cmudict, pronounce_all
from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, to_pcm16_bytes
from assistant.audio.errors import SpeechEngineError, SpeechInputError
from assistant.wake.base import WakeEvent

__all__ = ["KeyphraseWakeWord", "WakeWordConfig"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WakeWordConfig:
    """The phrase, the detection threshold (smaller = more sensitive) and the phone-loop probability
    (smaller = a weaker competitor, more sensitive), both tuned by bench/bench_wake.py; a wide beam
    (PocketSphinx's default 1e-48 prunes the phrase away on many voices); and how long to ignore the
    stream after a wake (so one utterance wakes once).

    Measured (bench/results/wake.json, ``bench/bench_wake.py --speakers 8 --negative-minutes 10
    --thresholds 1e-1,1e-5,1e-10 --plps 1e-5,1e-10,1e-15``: 8 espeak speakers x 6 conditions, 0.13 h of
    real speech, espeak speech, rendered music and chat over music). No setting reaches <= 1 false wake
    per hour with a usable miss rate: plp 1e-5 misses 77-92% at 7-37 false wakes/h; plp 1e-10 misses
    29-42% at 82-193/h; plp 1e-15 misses 8-19% at 208-298/h (most on music and chat over music); the
    former default 1e-20 / 1e-30 ~900/h. Default: threshold 1e-1 / plp 1e-15 (19% misses, ~210/h), so
    that the phrase is heard; where false wakes matter use push-to-talk until a second-stage check exists."""

    phrase: str = "hey humdinger"
    kws_threshold: float = 1e-1
    kws_plp: float = 1e-15
    beam: float = 1e-100
    refractory_s: float = 1.0
    restart_every_s: float = 30.0
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WakeWordConfig:
        return cls(**d)


class KeyphraseWakeWord:
    """A :class:`~assistant.wake.base.WakeSource` that spots ``config.phrase`` anywhere in the stream."""

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
        self._in_utt = False

    def reset(self) -> None:
        if self._in_utt:
            self._decoder.end_utt()
        self._in_utt = False

    def detect(self, chunks: Iterable[AudioChunk]) -> Iterator[WakeEvent]:
        cfg = self.config
        skip_until = -1.0
        utt_start = 0.0
        for chunk in chunks:
            if chunk.sample_rate_hz != cfg.sample_rate_hz:
                raise SpeechInputError(f"wake word expects {cfg.sample_rate_hz} Hz audio, got {chunk.sample_rate_hz}")
            if chunk.start_s < skip_until:
                continue
            if self._in_utt and chunk.start_s - utt_start >= cfg.restart_every_s:
                self.reset()  # bound the search's memory on an endless stream
            if not self._in_utt:
                self._decoder.start_utt()
                self._in_utt = True
                utt_start = chunk.start_s
            self._decoder.process_raw(to_pcm16_bytes(chunk.samples), False, False)
            if self._decoder.hyp() is not None:
                self._decoder.end_utt()
                self._in_utt = False
                skip_until = chunk.end_s + cfg.refractory_s
                log.info("wake phrase at %.2f s", chunk.end_s)
                yield WakeEvent(chunk.end_s, "keyphrase", self.phrase)
        self.reset()
