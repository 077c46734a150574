"""Spoken test audio for the speech benchmarks: espeak-ng voices/rates/pitches, and backgrounds
(noise, babble of other voices, rendered music) mixed in at an SNR.

    >>> from speech_corpus import spoken_variants, background_pool, mix_at_snr
    >>> variants = spoken_variants("play some jigs", n=3, seed=0)   # [(16 kHz float32, VoiceSpec), ...]
    >>> pool = background_pool(seed=0)                              # babble voices + rendered music
    >>> noisy = mix_at_snr(variants[0][0], make_background("music+noise", len(variants[0][0]), pool=pool,
    ...                    seed=1), snr_db=10.0, seed=1)

The noise, babble and music generators and the SNR arithmetic are :mod:`music_models.queries.degrade`'s;
this module adds the spoken side and the backgrounds a voice assistant hears.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = [
    "BACKGROUND_KINDS",
    "SpeechCorpusConfig",
    "VoiceSpec",
    "background_pool",
    "draw_voices",
    "make_background",
    "mix_at_snr",
    "pad_with_noise",
    "render_music",
    "spoken_variants",
]

log = logging.getLogger(__name__)

#: What can be behind the speaker. ``music+noise`` is music and pink noise at equal power.
BACKGROUND_KINDS: tuple[str, ...] = ("pink", "babble", "music", "music+noise")
SAMPLE_RATE_HZ = 16000


@dataclass(frozen=True)
class VoiceSpec:
    """One espeak-ng speaker: voice (with an optional ``+variant``), speed and pitch."""

    voice: str
    rate_wpm: int
    pitch: int

    @property
    def name(self) -> str:
        return f"{self.voice}/{self.rate_wpm}wpm/p{self.pitch}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VoiceSpec:
        return cls(str(d["voice"]), int(d["rate_wpm"]), int(d["pitch"]))


@dataclass(frozen=True)
class SpeechCorpusConfig:
    """Ranges the speakers are drawn from, padding around each utterance, and the background sources."""

    voices: tuple[str, ...] = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us+f2",
                               "en-us+m3", "en-gb+f3")
    rate_wpm_range: tuple[int, int] = (130, 200)
    pitch_range: tuple[int, int] = (30, 70)
    lead_s: float = 0.5
    tail_s: float = 0.6
    floor_rms: float = 0.002  # a quiet room, never digital silence (recognisers adapt to the floor)
    speech_rms_dbfs: float = -20.0
    babble_sentences: tuple[str, ...] = (
        "I think we should leave before the traffic gets bad", "did you see the game last night",
        "the kettle has boiled would you like some tea", "my sister is coming over on sunday",
        "can you pass me the salt please", "we are out of milk again", "the meeting moved to three o'clock",
        "I can't find my keys anywhere", "it looks like it is going to rain", "what time does the shop close",
    )
    music_tunes: int = 6
    music_max_s: float = 40.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeechCorpusConfig:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def draw_voices(*, n: int, seed: int, config: SpeechCorpusConfig | None = None) -> list[VoiceSpec]:
    """``n`` speakers: voices cycled (so any n >= len(voices) uses them all), rate and pitch drawn uniformly."""
    cfg = config or SpeechCorpusConfig()
    rng = np.random.default_rng(seed)
    first = int(rng.integers(len(cfg.voices)))
    return [VoiceSpec(cfg.voices[(first + i) % len(cfg.voices)],
                      int(rng.integers(cfg.rate_wpm_range[0], cfg.rate_wpm_range[1] + 1)),
                      int(rng.integers(cfg.pitch_range[0], cfg.pitch_range[1] + 1))) for i in range(n)]


def pad_with_noise(samples: np.ndarray, *, lead_s: float, tail_s: float, floor_rms: float,
                   seed: int) -> np.ndarray:
    """``samples`` with a quiet-room floor before, under and after it."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.zeros(int(lead_s * SAMPLE_RATE_HZ)), samples, np.zeros(int(tail_s * SAMPLE_RATE_HZ))])
    return (y + rng.normal(0.0, floor_rms, len(y))).astype(np.float32)


def spoken_variants(text: str, *, n: int, seed: int, config: SpeechCorpusConfig | None = None,
                    tts: Any = None) -> list[tuple[np.ndarray, VoiceSpec]]:
    """``text`` spoken by ``n`` drawn speakers: (16 kHz mono float32 at ``speech_rms_dbfs``, padded, the speaker)."""
    from assistant.tts import EspeakTTS
    from music_models.queries.degrade import set_rms_dbfs

    cfg = config or SpeechCorpusConfig()
    engine = tts or EspeakTTS()
    out = []
    for i, spec in enumerate(draw_voices(n=n, seed=seed, config=cfg)):
        y = engine.speak(text, voice=spec.voice, rate_wpm=spec.rate_wpm, pitch=spec.pitch).samples
        y = set_rms_dbfs(signal=y.astype(np.float64), rms_dbfs=cfg.speech_rms_dbfs)
        out.append((pad_with_noise(y, lead_s=cfg.lead_s, tail_s=cfg.tail_s, floor_rms=cfg.floor_rms,
                                   seed=seed * 1000 + i), spec))
    return out


def render_music(*, n_tunes: int, seed: int, max_s: float) -> list[np.ndarray]:
    """``n_tunes`` test-split corpus tunes arranged and rendered with FluidSynth (16 kHz mono, <= ``max_s``)."""
    from music_models.arrange import arrange
    from music_models.corpus import load_corpus
    from music_models.render import FluidSynthRenderer
    from music_models.render.batch import select_evenly

    tunes = select_evenly(load_corpus(split="test", progress=False), limit=n_tunes)
    out = []
    with FluidSynthRenderer() as renderer:
        for i, tune in enumerate(tunes):
            audio = renderer.render_arrangement(arrange(tune, seed=seed + i))
            out.append(np.asarray(audio.samples[: int(max_s * audio.sample_rate_hz)], dtype=np.float32))
    return out


def background_pool(*, seed: int, config: SpeechCorpusConfig | None = None, music: bool = True) -> Any:
    """A :class:`music_models.queries.degrade.BackgroundPool`: the babble sentences spoken by drawn speakers,
    and (``music=True``) rendered corpus tunes. Without a corpus/FluidSynth, music falls back to pink noise."""
    from music_models.errors import HumdingerError
    from music_models.queries.degrade import BackgroundPool

    cfg = config or SpeechCorpusConfig()
    voices = [y for j, s in enumerate(cfg.babble_sentences)
              for y, _ in spoken_variants(s, n=1, seed=seed + j, config=cfg)]
    tracks: list[np.ndarray] = []
    if music:
        try:
            tracks = render_music(n_tunes=cfg.music_tunes, seed=seed, max_s=cfg.music_max_s)
        except HumdingerError as exc:
            log.warning("no rendered music for the background (%s); music falls back to pink noise", exc)
    return BackgroundPool(voices=tuple(voices), music=tuple(tracks))


def make_background(kind: str, n_samples: int, *, pool: Any, seed: int) -> np.ndarray:
    """``n_samples`` of one of :data:`BACKGROUND_KINDS` from ``pool`` (a random stretch of it)."""
    from music_models.queries.degrade import make_noise, power_db

    rng = np.random.default_rng(seed)
    if kind == "music+noise":
        _, m = make_noise(noise_type="music", n_samples=n_samples, pool=pool, rng=rng)
        _, p = make_noise(noise_type="pink", n_samples=n_samples, pool=pool, rng=rng)
        return (m + p * 10 ** ((power_db(m) - power_db(p)) / 20.0)).astype(np.float32)
    if kind not in BACKGROUND_KINDS:
        raise ValueError(f"unknown background {kind!r}; use one of {BACKGROUND_KINDS}")
    return make_noise(noise_type=kind, n_samples=n_samples, pool=pool, rng=rng)[1].astype(np.float32)


def loud_power(y: np.ndarray) -> float:
    """Mean power of the 10 ms frames above a tenth of the loudest frame's (of all of ``y`` when it is
    shorter than a frame): a signal's level without its padding or pauses, as every SNR here is set."""
    x = np.asarray(y, dtype=np.float64)
    frames = x[: len(x) // 160 * 160].reshape(-1, 160)
    if not len(frames):
        return float(np.mean(x**2))
    energy = (frames**2).mean(axis=1)
    return float(energy[energy > 0.1 * energy.max()].mean())


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, *, snr_db: float, seed: int) -> np.ndarray:
    """``speech`` with ``noise`` behind it at ``snr_db``, the speech power taken over its loud frames only
    (the padding does not dilute it). A noise shorter or longer than the speech is looped/cut from a
    random offset."""
    from music_models.queries.degrade import mix_at_snr as _mix
    from music_models.queries.degrade import power_db

    rng = np.random.default_rng(seed)
    s = np.asarray(speech, dtype=np.float64)
    nz = np.asarray(noise, dtype=np.float64)
    if len(nz) == 0:
        raise ValueError("the noise is empty")
    start = int(rng.integers(len(nz)))
    nz = np.tile(nz, int(np.ceil((len(s) + start) / len(nz))))[start:start + len(s)]
    # degrade.mix_at_snr measures the whole signal; shift the target so it holds over the loud part
    whole_minus_loud = power_db(s) - float(10.0 * np.log10(loud_power(s) + 1e-20))
    mixed, _ = _mix(signal=s, noise=nz, snr_db=snr_db + whole_minus_loud)
    peak = float(np.max(np.abs(mixed)))
    return (mixed * (0.99 / peak) if peak > 0.99 else mixed).astype(np.float32)
