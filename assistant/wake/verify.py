"""Second-stage check of a wake-phrase candidate: force-align the phrase to the audio around the first
stage's detection and compare it with a free phone-loop decode of the same audio.

The keyphrase search (first stage) is run permissively and fires often; each candidate window (from just
before the phrase start the search reports to a short tail after it fired) is decoded twice with PocketSphinx:

1. forced alignment of the phrase (``set_align_text``; silences allowed around and between the words).
   Audio that is not the phrase usually cannot be aligned at all, or only with implausible word durations;
2. a free phone loop (allphone search, uniform phone probabilities) - the garbage model.

The phrase's acoustic score minus the phone loop's over the frames the phrase covers, per frame
(:attr:`PhraseScore.llr_nats_per_frame`, <= 0 in practice; nearer 0 = more phrase-like), and the word and
pause durations are judged against :class:`VerifierConfig` by :func:`judge_phrase`, a pure function, so the
benchmark can sweep thresholds over stored scores.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.asr.sphinx import score_nats
from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, to_pcm16_bytes
from assistant.audio.errors import SpeechEngineError, SpeechInputError

__all__ = ["PhraseScore", "PhraseVerifier", "VerifierConfig", "judge_phrase"]

log = logging.getLogger(__name__)

_FRAME_RATE_HZ = 100
_VARIANT = re.compile(r"\(\d+\)$")


@dataclass(frozen=True)
class VerifierConfig:
    """The candidate window (``lead_s`` before the phrase start the first stage reports, ``tail_s`` after it
    fired, at most ``max_window_s``) and the acceptance thresholds. Defaults are tuned by
    bench/bench_wake.py; the measured figures are in :class:`~assistant.wake.keyphrase.WakeWordConfig`."""

    enabled: bool = True
    lead_s: float = 0.2
    tail_s: float = 0.3
    #: The window is also scored with this much cut from its end (a command said right after the phrase
    #: would otherwise have to be aligned as part of the last word); the best score counts.
    end_trims_s: tuple[float, ...] = (0.0, 0.2)
    max_window_s: float = 2.5
    min_llr_nats_per_frame: float = -3.0
    min_word_s: float = 0.1
    max_pause_s: float = 0.25
    min_phrase_s: float = 0.4
    max_phrase_s: float = 1.4

    def __post_init__(self) -> None:
        if self.lead_s < 0 or self.tail_s < 0 or self.max_window_s <= self.tail_s:
            raise SpeechInputError("VerifierConfig needs lead_s >= 0, tail_s >= 0 and max_window_s > tail_s, got "
                                   f"{self.lead_s}, {self.tail_s}, {self.max_window_s}")
        if not 0 <= self.min_phrase_s < self.max_phrase_s:
            raise SpeechInputError(f"VerifierConfig needs 0 <= min_phrase_s < max_phrase_s, got "
                                   f"{self.min_phrase_s}, {self.max_phrase_s}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VerifierConfig:
        return cls(**{**d, "end_trims_s": tuple(d.get("end_trims_s", cls.end_trims_s))})


@dataclass(frozen=True)
class PhraseScore:
    """How well a window matches the phrase. ``aligned`` is False when the phrase could not be aligned
    (then the other fields are zero). Times are seconds from the window's start."""

    aligned: bool
    llr_nats_per_frame: float = 0.0
    phrase_start_s: float = 0.0
    phrase_end_s: float = 0.0
    word_durations_s: tuple[float, ...] = ()
    longest_pause_s: float = 0.0

    @property
    def phrase_s(self) -> float:
        return self.phrase_end_s - self.phrase_start_s

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PhraseScore:
        return cls(**{**d, "word_durations_s": tuple(d.get("word_durations_s", ()))})


def judge_phrase(score: PhraseScore, *, config: VerifierConfig) -> str:
    """``""`` when ``score`` passes ``config``'s thresholds, else why not (for logs and the benchmark)."""
    if not score.aligned:
        return "not aligned"
    if not config.min_phrase_s <= score.phrase_s <= config.max_phrase_s:
        return f"phrase {score.phrase_s:.2f} s"
    if min(score.word_durations_s, default=0.0) < config.min_word_s:
        return f"word {min(score.word_durations_s):.2f} s"
    if score.longest_pause_s > config.max_pause_s:
        return f"pause {score.longest_pause_s:.2f} s"
    if score.llr_nats_per_frame < config.min_llr_nats_per_frame:
        return f"llr {score.llr_nats_per_frame:.2f}"
    return ""


class PhraseVerifier:
    """Scores candidate windows against one phrase with its own PocketSphinx decoder (built once)."""

    def __init__(self, phrase_words: tuple[str, ...], *, extra_pronunciations: dict[str, str],
                 sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ) -> None:
        if not phrase_words:
            raise SpeechInputError("the wake phrase is empty; set WakeWordConfig.phrase (e.g. 'hey humdinger')")
        import pocketsphinx
        from pocketsphinx import Decoder

        base = Path(pocketsphinx.get_model_path()) / "en-us"
        self.words = phrase_words
        self.sample_rate_hz = sample_rate_hz
        try:
            self._decoder = Decoder(hmm=str(base / "en-us"), dict=str(base / "cmudict-en-us.dict"), lm=None,
                                    loglevel="FATAL", samprate=sample_rate_hz)
            for w, ph in extra_pronunciations.items():
                self._decoder.add_word(w, ph, True)
            self._decoder.add_allphone_file("phones", None)
        except (RuntimeError, ValueError) as exc:
            raise SpeechEngineError(f"PocketSphinx verifier failed to start ({exc})") from exc
        self._logmath = self._decoder.get_logmath()

    def _decode(self, pcm: bytes) -> list[tuple[str, int, int, float]] | None:
        d = self._decoder
        d.start_utt()
        d.process_raw(pcm, False, True)
        d.end_utt()
        if d.hyp() is None:
            return None
        return [(_VARIANT.sub("", s.word), s.start_frame, s.end_frame, score_nats(s.ascore, self._logmath)) for s in d.seg()]


    def score(self, samples: np.ndarray, *, end_trims_s: tuple[float, ...] = (0.0,)) -> PhraseScore:
        """The best :meth:`score_window` of ``samples`` with each of ``end_trims_s`` cut from its end."""
        scores = [self.score_window(samples[: max(0, len(samples) - int(t * self.sample_rate_hz))])
                  for t in end_trims_s]
        return max(scores, key=lambda s: (s.aligned, s.llr_nats_per_frame))

    def score_window(self, samples: np.ndarray) -> PhraseScore:
        """Align the phrase to ``samples`` (16 kHz mono) and compare it with the phone loop."""
        if len(samples) < self.sample_rate_hz // 10:
            return PhraseScore(False)
        pcm = to_pcm16_bytes(samples)
        try:
            self._decoder.set_align_text(" ".join(self.words))
            aligned = self._decode(pcm)
            self._decoder.activate_search("phones")
            phones = self._decode(pcm) if aligned else None
        except RuntimeError as exc:  # PocketSphinx raises on windows it cannot align at all
            log.debug("verifier: %s", exc)
            return PhraseScore(False)
        if not aligned or not phones:
            return PhraseScore(False)
        words = [s for s in aligned if s[0] in self.words]
        if [w[0] for w in words] != list(self.words):
            return PhraseScore(False)  # a partial alignment (the search ended before the last word)
        f0, f1 = words[0][1], words[-1][2]
        inside = [s for s in aligned if f0 <= s[1] <= f1]
        phrase_nats = sum(s[3] for s in inside)
        loop_nats = 0.0
        for _, s0, s1, nats in phones:  # the phone loop's score over the same frames (pro rata at the edges)
            overlap = min(s1, f1) - max(s0, f0) + 1
            if overlap > 0:
                loop_nats += nats * overlap / (s1 - s0 + 1)
        n_frames = f1 - f0 + 1
        llr = (phrase_nats - loop_nats) / n_frames
        pauses = [(s[2] - s[1] + 1) / _FRAME_RATE_HZ for s in inside if s[0] not in self.words]
        return PhraseScore(True, llr if math.isfinite(llr) else -1e9, f0 / _FRAME_RATE_HZ,
                           (f1 + 1) / _FRAME_RATE_HZ, tuple((w[2] - w[1] + 1) / _FRAME_RATE_HZ for w in words),
                           max(pauses, default=0.0))
