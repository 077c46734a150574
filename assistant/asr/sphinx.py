"""PocketSphinx back-end (the default): in-process, the en-US model from the PyPI wheel.

``mode='grammar'`` restricts recognition to the assistant's language (a JSGF grammar built from the
Rasa project and the library's song titles); ``mode='domain_lm'`` uses a trigram model trained on the
same phrases (:mod:`assistant.asr.domain_lm`: unseen phrasings over the domain's words stay possible);
``mode='lm'`` uses the stock en-US trigram model.

Measured by ``bench/bench_asr.py --limit 70`` (bench/results/asr.json; 70 held-out commands not in nlu_data,
espeak-ng voices en-us/en-gb/en-gb-scotland/en-gb-x-rp/en-029/+f2/+m3/+f3 at 130-200 wpm, pitch 30-70,
clean | with rendered music + pink noise at 10 dB SNR; 2-core x86_64 under load avg ~6):

=========  ====================  ====================  ==================  ===================
mode       words clean | 10 dB   slots clean | 10 dB   RTF CPU med (p90)   real commands words
=========  ====================  ====================  ==================  ===================
grammar    0.25 | 0.05           0.00 | 0.00 (n=8)     0.28 (0.31)         0.975
domain_lm  0.61 | 0.27           0.63 | 0.38 (n=8)     0.06 (0.07)         0.975
lm         0.38 | 0.02           0.00 | 0.00 (n=8)     0.23 (0.32)         0.925
=========  ====================  ====================  ==================  ===================

The grammar forces out-of-template phrasings onto the nearest template or nothing (19-31% empty); the open
model misreads espeak voices and slows down in noise (CPU RTF 0.71). On real people (cards, "go forward
ten meters", a digit string, with a grammar of that task) grammar and domain LM both get 97.5% of words;
the open model 92.5%, 70% on read LibriVox sentences and 42% of slot values of spoken coffee orders.
``domain_lm`` is the default: best on words and slots and 4x faster. Wall-clock RTF on the loaded machine
was 0.33 median for it (grammar 1.09, lm 0.70)."""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.asr.domain_lm import DomainLmConfig, domain_lm_arpa
from assistant.asr.phrases import PhraseSet, to_jsgf
from assistant.asr.pronounce import accent_variants, load_cmudict, load_cmudict_variants, pronounce_all
from assistant.asr.types import Alternative, Transcript, Word
from assistant.audio.chunk import SPEECH_SAMPLE_RATE_HZ, AudioChunk, to_pcm16_bytes
from assistant.audio.errors import SpeechEngineError, SpeechInputError, SpeechModelError

__all__ = ["SPHINX_MODES", "PocketSphinxConfig", "PocketSphinxRecognizer", "restrict_to_pronounceable",
           "score_nats"]

log = logging.getLogger(__name__)

SPHINX_MODES: tuple[str, ...] = ("grammar", "domain_lm", "lm")
_SPHINX_LOG_BASE = 1.0001  # PocketSphinx logmath base
_FILLERS = re.compile(r"^(<s>|</s>|<sil>|\(NULL\)|\[.*\]|\+\+.*\+\+)$")


@dataclass(frozen=True)
class PocketSphinxConfig:
    """Model files (None = the wheel's en-US model) and the search mode."""

    mode: str = "domain_lm"
    model_dir: str | None = None
    dict_path: str | None = None
    lm_path: str | None = None
    optional_prefix: str = "hey humdinger"
    domain_lm: DomainLmConfig = field(default_factory=DomainLmConfig)
    use_espeak_pronunciations: bool = True
    #: espeak-ng accents whose pronunciations of the domain's words are added as alternatives
    #: (``word(2)`` ...): the dictionary is American, people are not
    accent_voices: tuple[str, ...] = ()
    sample_rate_hz: int = SPEECH_SAMPLE_RATE_HZ
    #: Feature frames per second (PocketSphinx's ``-frate``; the model was trained at 100). Fewer frames
    #: per second make speech sound faster to the model, more make it slower. Neither helped espeak-ng
    #: speakers (bench/tune_asr.py, asr_tuning.json, frate_* rows: clean word accuracy 0.648 / 0.648 /
    #: 0.656 / 0.564 at 90 / 110 / 120 / 130 against 0.664 at 100; at 90 fewer words inserted at 10 dB,
    #: -0.32 against -0.44); held-out intents at 90 (bench_intent_e2e.py, intent_e2e_frate90.json):
    #: 0.732 clean / 0.529 at 10 dB against 0.721 / 0.564 at 100, n = 280 each.
    frame_rate_hz: int = 100
    #: Lattice posteriors give word/utterance confidences but cost ~3x the time in grammar mode.
    bestpath: bool | None = None
    partial_every_s: float = 0.5
    #: Template words must be dictionary words (NLU examples also hold ASR-error spellings like "stopp");
    #: slot values (song titles) get pronunciations from espeak-ng when missing.
    template_words_from_dict_only: bool = True
    #: PocketSphinx's live CMN starts from generic values, so a fresh decoder misreads its first
    #: utterance; decode that one again from the kept audio once the CMN has adapted.
    redecode_first_utterance: bool = True
    #: Decode every utterance a second time from its kept audio with whole-utterance CMN once the
    #: endpointer has closed it (the streaming pass still gives partials). Costs one more decode (RTF ~0.05).
    redecode_every_utterance: bool = True
    #: White noise (RMS, full scale = 1) added to the audio before recognition. Digitally silent stretches
    #: (synthetic speech, mics with noise gates) wreck the en-US model's energy and cepstral normalisation:
    #: espeak-ng's "what's this song" came out as "what's the sorry" without it; bench/tune_asr.py measures
    #: it (clean word accuracy 0.588 -> 0.617 on left-out templates). ~-54 dBFS: below any room's noise floor.
    comfort_noise_rms: float = 0.002
    #: Decode each utterance once more with a free phone loop and report how much better the recognised
    #: words fit than it (:attr:`Transcript.acoustic_fit`): speech in another language or babble forced
    #: onto the domain's words fits worse, but not separably: at a threshold that turns away half of 14 foreign
    #: requests, 7% of clean English ones and most at 10 dB SNR go too (bench/tune_asr.py). Off by default:
    #: a diagnostic (it doubles the decoding time), not a gate.
    phone_loop_check: bool = False
    #: Before the whole-utterance decode, cut the utterance to the part within this many dB of its own
    #: loud level (padded; :func:`~assistant.audio.vad.loud_span`): background before and after the
    #: command is not transcribed. None = decode all of it. On left-out templates (bench/tune_asr.py) 18 dB
    #: kept clean word accuracy (0.617 -> 0.625) and cut insertions at 10 dB SNR a little (-0.575 -> -0.50).
    trim_below_peak_db: float | None = 18.0
    #: Before the whole-utterance decode, take a noise floor off the utterance's spectrum (each bin's
    #: ``denoise_percentile``-th magnitude over time, times 1.5) when its loud frames stand less than this
    #: many dB above its quiet ones: a command over steady background. None = never (the default: at 20 dB
    #: it moved held-out intents at 10 dB SNR from 0.561 to 0.561 with espeak-ng voices and 0.371 to 0.400
    #: with flite's, clean 0.721 -> 0.725 and 0.907 -> 0.918, n = 280 each: within one standard error;
    #: bench/results/intent_e2e_denoise.json, intent_e2e_flite_denoise.json).
    denoise_below_snr_db: float | None = None
    denoise_percentile: float = 20.0
    #: PocketSphinx's ``-lw`` (None = its default 6.5) and ``-wip`` / ``-pip`` (None = defaults).
    language_weight: float | None = None
    word_insertion_penalty: float | None = None
    phone_insertion_penalty: float | None = None
    #: PocketSphinx's search beams ``-beam`` / ``-wbeam`` / ``-pbeam`` (None = its defaults 1e-48 / 7e-29 /
    #: 1e-48); smaller values prune less and search wider. A wider search did not find better words for
    #: espeak-ng speakers (bench/tune_asr.py, asr_tuning.json, beams_* rows: clean word accuracy 0.644 at
    #: 1e-60 / 1e-40 / 1e-60 and 0.640 at 1e-80 / 1e-50 / 1e-80 against 0.664, ~20-50% slower; a narrower
    #: one, 1e-40 / 1e-20 / 1e-40, 0.572): the acoustic model, not the search, is what mishears them.
    beam: float | None = None
    word_beam: float | None = None
    phone_beam: float | None = None
    #: Vocal-tract length normalisation: PocketSphinx's ``-warp_type inverse_linear -warp_params A`` (the
    #: filterbank's frequencies are divided by A before the acoustic model sees them). None = no warp.
    #: A fixed warp did not help espeak-ng speakers: bench/tune_asr.py (asr_tuning.json, warp_* rows) gave
    #: clean word accuracy 0.616-0.636 for A in 0.90-1.15 against 0.640 unwarped. Kept for other voices.
    frequency_warp: float | None = None
    #: PocketSphinx's second, flat-lexicon search pass (``-fwdflat``; None = its default, on). Off: on the
    #: held-out commands (bench/bench_intent_e2e.py) intent accuracy 0.693 clean / 0.589 at 10 dB against
    #: 0.707 / 0.568 with it (within one standard error either way) and ASR RTF 0.102 against 0.134; on
    #: left-out templates (bench/tune_asr.py) the same clean word accuracy and ~75 ms less per utterance.
    fwdflat: bool | None = False
    #: When the conversation's endpointer hears the speaker stop (:meth:`PocketSphinxRecognizer.speculate`,
    #: after ``ConversationConfig.speculate_after_s`` of quiet), start the whole-utterance decode in a
    #: worker thread instead of after the endpointer's full trailing silence: the same words, sooner.
    background_redecode: bool = True
    #: Read this many distinct word sequences off the final decode's lattice into
    #: :attr:`Transcript.alternatives` (0 = none; reading them takes well under a millisecond).
    nbest: int = 0

    @property
    def use_bestpath(self) -> bool:
        return self.mode != "grammar" if self.bestpath is None else self.bestpath

    def __post_init__(self) -> None:
        object.__setattr__(self, "accent_voices", tuple(self.accent_voices))  # a list from JSON/YAML
        if self.mode not in SPHINX_MODES:
            raise SpeechInputError(f"PocketSphinx mode must be one of {SPHINX_MODES}, got {self.mode!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PocketSphinxConfig:
        return cls(**{**d, "domain_lm": DomainLmConfig.from_dict(d["domain_lm"])}) if "domain_lm" in d else cls(**d)


def restrict_to_pronounceable(phrases: PhraseSet, dropped: set[str]) -> PhraseSet:
    """Remove templates and slot values that contain a word without a pronunciation."""
    if not dropped:
        return phrases

    def ok(text: str) -> bool:
        return not any(w in dropped for w in text.split())

    return PhraseSet(tuple(t for t in phrases.templates if ok(t)),
                     {k: tuple(v for v in vals if ok(v)) for k, vals in phrases.slots.items()})


def _model_paths(cfg: PocketSphinxConfig) -> tuple[str, str, str]:
    try:
        import pocketsphinx
    except ImportError as exc:
        raise SpeechEngineError("PocketSphinx is not installed; run make setup (pip install pocketsphinx==5.1.1)") \
            from exc
    base = Path(pocketsphinx.get_model_path()) / "en-us"
    hmm = cfg.model_dir or str(base / "en-us")
    dic = cfg.dict_path or str(base / "cmudict-en-us.dict")
    lm = cfg.lm_path or str(base / "en-us.lm.bin")
    for what, p in (("acoustic model", hmm), ("dictionary", dic)):
        if not Path(p).exists():
            raise SpeechModelError(f"PocketSphinx {what} not found at {p}; reinstall pocketsphinx==5.1.1 "
                                   "(its wheel ships the en-US model) or fix PocketSphinxConfig")
    return hmm, dic, lm


@dataclass(frozen=True)
class _Decoded:
    """One decode as read off the decoder that made it: ``segments`` are (word, start frame, end frame,
    log probability, acoustic score) as PocketSphinx reports them."""

    hypstr: str = ""
    segments: tuple[tuple[str, int, int, int, float], ...] = ()
    prob: float = 0.0
    nbest: tuple[tuple[str, float], ...] = ()  # (words, natural log of the path score), best first


def _words_only(hypstr: str) -> str:
    """A hypothesis without fillers and pronunciation-variant marks: what :class:`Transcript` shows."""
    words = (re.sub(r"\(\d+\)$", "", w) for w in hypstr.split())
    return " ".join(w for w in words if not _FILLERS.match(w))


def read_nbest(hypotheses: Any, *, n: int, max_read: int = 0) -> tuple[tuple[str, float], ...]:
    """The ``n`` best distinct word sequences among PocketSphinx's N-best ``hypotheses`` (objects with
    ``hypstr`` and ``score``, the path score through logmath, so ``log(score)`` is in nats of its scaled
    scores), best first. Paths that differ only in fillers or pronunciations are one sequence with the
    best path's score. Reads at most ``max_read`` paths (default ``8 n``): the lattice can hold many."""
    best: dict[str, float] = {}
    for i, h in enumerate(hypotheses):
        if i >= (max_read or 8 * n):
            break
        text = _words_only(h.hypstr or "")
        if not text:
            continue
        score = math.log(h.score) if h.score > 0 else -math.inf
        if text not in best or score > best[text]:
            best[text] = score
    return tuple(sorted(best.items(), key=lambda kv: -kv[1])[:n])


def _read_decoder(decoder: Any, nbest: int = 0) -> _Decoded:
    hyp = decoder.hyp()
    if hyp is None or not hyp.hypstr:
        return _Decoded()
    segs = tuple((s.word, int(s.start_frame), int(s.end_frame), int(s.prob), float(s.ascore)) for s in decoder.seg())
    alternatives = read_nbest(decoder.nbest(), n=nbest) if nbest > 0 else ()
    return _Decoded(hyp.hypstr, segs, float(decoder.get_prob()), alternatives)


def _timed_decode(decoder: Any, pcm: bytes, nbest: int = 0) -> tuple[_Decoded, float]:
    t0 = time.perf_counter()
    decoded = _decode_whole(decoder, pcm, nbest)
    return decoded, time.perf_counter() - t0


def _decode_whole(decoder: Any, pcm: bytes, nbest: int = 0) -> _Decoded:
    """Decode one whole utterance (whole-utterance CMN) on ``decoder`` and read the result off it."""
    decoder.start_utt()
    decoder.process_raw(pcm, False, True)
    decoder.end_utt()
    return _read_decoder(decoder, nbest)


def score_nats(ascore: float, logmath: Any) -> float:
    """PocketSphinx reports scores through its logmath (``base ** score``); back to natural logs."""
    return -math.inf if ascore <= 0.0 else float(logmath.log(ascore)) * math.log(_SPHINX_LOG_BASE)


class PocketSphinxRecognizer:
    """A :class:`~assistant.asr.types.Recognizer` over one ``pocketsphinx.Decoder`` built once and reused."""

    backend = "pocketsphinx"

    def __init__(self, phrases: PhraseSet | None = None, *, config: PocketSphinxConfig | None = None) -> None:
        self.config = cfg = config or PocketSphinxConfig()
        from pocketsphinx import Decoder

        hmm, dic, lm = _model_paths(cfg)
        if cfg.mode != "lm" and phrases is None:
            raise SpeechInputError(f"{cfg.mode} mode needs a phrase set; build one with build_phrase_set()")
        kwargs: dict[str, Any] = {"hmm": hmm, "dict": dic, "loglevel": "FATAL", "bestpath": cfg.use_bestpath,
                                  "samprate": cfg.sample_rate_hz}
        kwargs["lm"] = lm if cfg.mode == "lm" else None
        for key, value in (("lw", cfg.language_weight), ("wip", cfg.word_insertion_penalty),
                           ("pip", cfg.phone_insertion_penalty), ("beam", cfg.beam), ("wbeam", cfg.word_beam),
                           ("pbeam", cfg.phone_beam)):
            if value is not None:
                kwargs[key] = value
        if cfg.fwdflat is not None:
            kwargs["fwdflat"] = cfg.fwdflat
        if cfg.frequency_warp is not None:
            kwargs |= {"warp_type": "inverse_linear", "warp_params": f"{cfg.frequency_warp:g}"}
        if cfg.frame_rate_hz != 100:
            kwargs["frate"] = cfg.frame_rate_hz
        if cfg.mode == "lm" and not Path(lm).exists():
            raise SpeechModelError(f"PocketSphinx language model not found at {lm}; reinstall pocketsphinx==5.1.1")
        t0 = time.perf_counter()
        try:
            self._decoder = Decoder(**kwargs)
        except Exception as exc:  # the C library reports failures as RuntimeError/ValueError
            raise SpeechEngineError(f"PocketSphinx failed to start ({exc}); check the model paths") from exc
        self.phrases = self._install_phrases(phrases, dic) if phrases is not None else None
        self._search = self._decoder.current_search()
        if cfg.phone_loop_check:
            try:
                self._decoder.add_allphone_file("phones", None)
            except (RuntimeError, ValueError) as exc:
                raise SpeechEngineError(f"PocketSphinx could not build its phone loop ({exc})") from exc
            self._decoder.activate_search(self._search)
        #: The decode point (:meth:`speculate`): the utterance's audio and its decode (a ``Future`` of
        #: ``(result, seconds)``).
        self._speculation: tuple[bytes, Any] | None = None
        self.speculation_hits = 0
        self._worker: Any = None
        if cfg.background_redecode:
            from concurrent.futures import ThreadPoolExecutor

            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sphinx-redecode")
        log.info("PocketSphinx (%s) ready in %.2f s", cfg.mode, time.perf_counter() - t0)
        self._started = False
        self._samples = 0
        self._elapsed = 0.0
        self._partial = ""
        self._next_partial = 0
        self._utterances = 0
        self._pcm: list[bytes] = []
        self._noise = np.random.default_rng(0)

    @staticmethod
    def _add_search(decoder: Any, kind: str, text: str) -> None:
        """Install and activate the command grammar (``jsgf``) or the domain language model (``lm``)."""
        import tempfile

        if kind == "jsgf":
            try:
                decoder.add_jsgf_string("commands", text)
            except ValueError as exc:
                raise SpeechEngineError(f"PocketSphinx rejected the command grammar ({exc}); check the NLU "
                                        "examples for unusual words") from exc
            decoder.activate_search("commands")
            return
        with tempfile.TemporaryDirectory(prefix="humdinger-lm-") as tmp:
            path = Path(tmp) / "domain.lm"  # the ARPA text is read into memory; the file can go
            path.write_text(text, encoding="utf-8")
            try:
                decoder.add_lm_file("domain", str(path))
            except RuntimeError as exc:
                raise SpeechEngineError(f"PocketSphinx rejected the domain language model ({exc}); check the "
                                        "NLU examples for unusual words") from exc
        decoder.activate_search("domain")

    def _install_phrases(self, phrases: PhraseSet, dict_path: str) -> PhraseSet:
        cfg = self.config
        cmu = load_cmudict(Path(dict_path))
        if cfg.template_words_from_dict_only:
            kept = tuple(t for t in phrases.templates
                         if all(w.startswith("<") or w in cmu for w in t.split()))
            if len(kept) < len(phrases.templates):
                log.info("grammar: %d template(s) with non-dictionary words left out: %s",
                         len(phrases.templates) - len(kept),
                         "; ".join(sorted(set(phrases.templates) - set(kept))[:10]))
            phrases = PhraseSet(kept, phrases.slots)
        words = phrases.vocabulary() | set(cfg.optional_prefix.split())
        extra, dropped = pronounce_all(words, cmudict=cmu, use_espeak=cfg.use_espeak_pronunciations)
        items = sorted(extra.items())
        for i, (w, ph) in enumerate(items):
            try:
                self._decoder.add_word(w, ph, i == len(items) - 1)
            except RuntimeError as exc:
                log.warning("could not add %r (%s) to the dictionary: %s", w, ph, exc)
                dropped.append(w)
        if cfg.accent_voices:
            self._add_accent_variants(words - set(dropped), extra=extra, dict_path=dict_path)
        usable = restrict_to_pronounceable(phrases, set(dropped))
        if cfg.mode == "grammar":
            prefix = cfg.optional_prefix if not set(cfg.optional_prefix.split()) & set(dropped) else ""
            self._add_search(self._decoder, "jsgf", to_jsgf(usable, optional_prefix=prefix))
        elif cfg.mode == "domain_lm":
            prefix = cfg.optional_prefix if not set(cfg.optional_prefix.split()) & set(dropped) else ""
            self._add_search(self._decoder, "lm", domain_lm_arpa(usable, config=cfg.domain_lm, optional_prefix=prefix))
        return usable

    def _add_accent_variants(self, words: set[str], *, extra: dict[str, str], dict_path: str) -> None:
        known = dict(load_cmudict_variants(Path(dict_path)))
        known.update({w: frozenset([ph]) for w, ph in extra.items()})
        variants = accent_variants(words, voices=self.config.accent_voices, known=known)
        added = 0
        items = [(w, ph, len(known.get(w, ())) + j + 1) for w, phs in sorted(variants.items())
                 for j, ph in enumerate(phs)]
        for i, (w, ph, k) in enumerate(items):
            try:
                self._decoder.add_word(f"{w}({k})", ph, i == len(items) - 1)
                added += 1
            except RuntimeError as exc:
                log.debug("could not add the variant %s(%d) %s: %s", w, k, ph, exc)
        log.info("accent variants (%s): %d pronunciation(s) of %d word(s)", ",".join(self.config.accent_voices),
                 added, len(variants))

    def start(self) -> None:
        self._decoder.start_utt()
        self._noise = np.random.default_rng(0)  # the same audio decodes the same way
        self._started = True
        self._samples = 0
        self._elapsed = 0.0
        self._partial = ""
        self._next_partial = int(self.config.partial_every_s * self.config.sample_rate_hz)

    def accept(self, chunk: AudioChunk) -> str:
        if not self._started:
            self.start()
        if chunk.sample_rate_hz != self.config.sample_rate_hz:
            raise SpeechInputError(f"PocketSphinx expects {self.config.sample_rate_hz} Hz audio, got "
                                   f"{chunk.sample_rate_hz} Hz; resample at the source")
        t0 = time.perf_counter()
        samples = chunk.samples
        if self.config.comfort_noise_rms > 0:
            samples = samples + (self.config.comfort_noise_rms
                                 * self._noise.standard_normal(len(samples))).astype(samples.dtype)
        pcm = to_pcm16_bytes(samples)
        if self._keeps_audio():
            self._pcm.append(pcm)
        self._samples += len(chunk.samples)
        if self._speculation is not None:  # past the decode point: kept (the speaker may go on), not decoded
            self._elapsed += time.perf_counter() - t0
            return self._partial
        self._decoder.process_raw(pcm, False, False)
        if self._samples >= self._next_partial:  # a partial backtrace is not free: only now and then
            hyp = self._decoder.hyp()
            self._partial = hyp.hypstr if hyp is not None else ""
            self._next_partial += int(self.config.partial_every_s * self.config.sample_rate_hz)
        self._elapsed += time.perf_counter() - t0
        return self._partial

    def _keeps_audio(self) -> bool:
        c = self.config
        return c.redecode_every_utterance or c.phone_loop_check or (self._utterances == 0 and c.redecode_first_utterance)

    def _phone_loop_fit(self, pcm: bytes, segments: tuple[tuple[str, int, int, int, float], ...]) -> float | None:
        """(words' acoustic score - phone loop's) / frames, over the whole utterance."""
        lm = self._decoder.get_logmath()
        words = sum(score_nats(ascore, lm) for *_, ascore in segments)
        n_frames = sum(end - start + 1 for _, start, end, _, _ in segments)
        try:
            self._decoder.activate_search("phones")
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, False, True)
            self._decoder.end_utt()
            loop = sum(score_nats(s.ascore, lm) for s in self._decoder.seg())
        finally:
            self._decoder.activate_search(self._search)
        fit = (words - loop) / max(1, n_frames)
        return fit if math.isfinite(fit) else None

    def _trimmed(self, pcm: bytes) -> bytes:
        """The utterance's audio as it is re-decoded: cut to its loud part (``trim_below_peak_db``) and, when
        noisy, its noise floor taken off (``denoise_below_snr_db``)."""
        cfg = self.config
        if not pcm or (cfg.trim_below_peak_db is None and cfg.denoise_below_snr_db is None):
            return pcm
        x = np.frombuffer(pcm, dtype="<i2")
        if cfg.trim_below_peak_db is not None:
            from assistant.audio.vad import loud_span

            a, b = loud_span(x, sample_rate_hz=cfg.sample_rate_hz, below_peak_db=cfg.trim_below_peak_db)
            x = x[a:b]
        return self._denoised(x).tobytes()

    def _denoised(self, x: np.ndarray) -> np.ndarray:
        """``x`` (int16) with the noise floor subtracted when the utterance is noisy (``denoise_below_snr_db``)."""
        cfg = self.config
        n = cfg.sample_rate_hz // 50
        if cfg.denoise_below_snr_db is None or len(x) < 10 * n:
            return x
        y = x.astype(np.float32) / 32768.0
        frames = y[: len(y) // n * n].reshape(-1, n)
        e = 10.0 * np.log10((frames * frames).mean(axis=1) + 1e-10)
        if float(np.percentile(e, 95) - np.percentile(e, 10)) >= cfg.denoise_below_snr_db:
            return x
        from music_models.library.denoise import subtract_noise_floor

        z = subtract_noise_floor(y, percentile=cfg.denoise_percentile)
        return np.clip(z * 32768.0, -32768, 32767).astype("<i2")

    def speculate(self) -> bool:
        """The caller's endpointer says the speaker seems to have stopped: this is the decode point. The
        streaming pass ends here; the audio so far, cut to its loud part, is the utterance, and with
        ``background_redecode`` its whole-utterance decode runs in a worker thread while the endpointer
        waits for the rest of the silence (without, it runs here and now); chunks that come meanwhile are
        kept, not decoded. :meth:`finish` returns that decode; :meth:`cancel_speculation` (the speaker
        went on) resumes the streaming pass. The words do not depend on ``background_redecode``, only
        when they are ready. True when a decode point was taken."""
        if not self._started or self._speculation is not None or not self._pcm or not self._redecodes():
            return False
        pcm = self._trimmed(b"".join(self._pcm))
        if not pcm:
            return False
        self._decoder.end_utt()
        if self._worker is not None:
            job = self._worker.submit(_timed_decode, self._decoder, pcm, self.config.nbest)
        else:  # the same decode, now, in this thread
            from concurrent.futures import Future

            job = Future()
            job.set_result(_timed_decode(self._decoder, pcm, self.config.nbest))
        self._speculation = (pcm, job)
        return True

    def cancel_speculation(self) -> None:
        """The speaker went on after :meth:`speculate`: wait for the decode in flight (if any), then feed
        the decoder everything so far again, chunk by chunk as it came, so the streaming pass goes on where
        it was. (All of it in one ``process_raw`` call crashed PocketSphinx 5.1.1 with a segmentation fault
        on some audio: tests/data/sphinx_refeed_crash.wav, seconds of music the endpointer took for speech.)"""
        if self._speculation is None:
            return
        _, job = self._speculation
        self._speculation = None
        t0 = time.perf_counter()
        self._elapsed += job.result()[1]  # the decoder must be free; its time was spent all the same
        self._decoder.start_utt()
        for piece in self._pcm:
            self._decoder.process_raw(piece, False, False)
        self._elapsed += time.perf_counter() - t0

    def close(self) -> None:
        """Stop the background decoding thread (after a decode in flight). The recogniser stays usable:
        without it the decode point's audio is decoded at the decode point, in the caller's thread."""
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            self._worker = None

    def _redecodes(self) -> bool:
        return self.config.redecode_every_utterance or (self._utterances == 0 and self.config.redecode_first_utterance)

    def finish(self) -> Transcript:
        if not self._started:
            self.start()
        t0 = time.perf_counter()
        waited = 0.0
        spec, self._speculation = self._speculation, None
        if spec is not None:  # the decode point's audio; its streaming pass has ended already
            pcm, job = spec
            t = time.perf_counter()
            decoded, seconds = job.result()
            waited = time.perf_counter() - t
            self._elapsed += seconds  # the recogniser's own time, wherever it ran
            self.speculation_hits += 1
        else:
            self._decoder.end_utt()
            pcm = self._trimmed(b"".join(self._pcm))
            nbest = self.config.nbest
            decoded = (_decode_whole(self._decoder, pcm, nbest) if pcm and self._redecodes()
                       else _read_decoder(self._decoder, nbest))
        self._started = False
        self._pcm = []
        self._utterances += 1
        words: list[Word] = []
        text, confidence = "", 0.0
        fit: float | None = None
        if decoded.hypstr:
            lm = self._decoder.get_logmath()
            fr = float(self.config.frame_rate_hz)
            for word, start, end, prob, _ in decoded.segments:
                w = re.sub(r"\(\d+\)$", "", word)
                if _FILLERS.match(w):
                    continue
                conf = min(1.0, max(0.0, lm.exp(prob))) if prob <= 0 else 1.0
                words.append(Word(w, start / fr, (end + 1) / fr, conf))
            text = " ".join(w.text for w in words) or decoded.hypstr
            confidence = min(1.0, max(0.0, decoded.prob))
            if math.isnan(confidence):
                confidence = 0.0
            if self.config.phone_loop_check and pcm:
                fit = self._phone_loop_fit(pcm, decoded.segments)
        self._elapsed += time.perf_counter() - t0 - waited
        alternatives = tuple(Alternative(t, score) for t, score in decoded.nbest) if text else ()
        return Transcript(text, confidence, tuple(words), self._samples / self.config.sample_rate_hz,
                          self._elapsed, f"{self.backend}-{self.config.mode}", fit, alternatives)
