"""Teach the intent classifier what the recogniser actually hears.

The NLU training examples are spoken (espeak-ng speakers, clean and with noise behind), decoded by the
assistant's own recogniser, and the decoded texts become extra examples of the same intent: Rasa then
learns the recogniser's systematic confusions ("stop right there" heard as "stop like there"). The result
is a generated Rasa file (:data:`assistant.asr.phrases.ASR_VARIANTS_FILE`) that the recogniser's own
language model leaves out (it holds recognition errors).

Selection (:func:`select_variants`) keeps a decoded text only when it is not empty, differs from every
existing example, is heard for one intent only, is not a forbidden (held-out) text, and still resembles
what was said (character similarity >= ``min_similarity``; below that it is noise, not a confusion).

    >>> heard = hear_examples(examples, speak=..., recognise=..., noisy=...)   # script: augment_nlu_with_asr.py
    >>> variants = select_variants(heard, existing=existing, config=AsrAugmentConfig())
    >>> text = render_variants_yaml(variants, command="...")
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.asr.phrases import ASR_VARIANTS_FILE, normalize_text
from assistant.nlu.errors import NluSetupError

__all__ = [
    "AsrAugmentConfig",
    "HeardExample",
    "hear_examples",
    "render_variants_yaml",
    "select_variants",
    "training_examples",
]

log = logging.getLogger(__name__)

_ANNOT = re.compile(r"\[([^\]]+)\]\s*(?:\([^)]*\)|\{[^}]*\})")

#: speak(text, seed) -> [(16 kHz float32 samples, speaker name), ...]
SpeakFn = Callable[[str, int], Sequence[tuple[np.ndarray, str]]]
#: recognise(samples) -> the recogniser's text (normalised or not)
RecogniseFn = Callable[[np.ndarray], str]
#: noisy(samples, seed) -> the same speech with a background mixed in
NoisyFn = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class AsrAugmentConfig:
    """How many speakers say each example, the noisy condition, and the selection thresholds."""

    voices_per_example: int = 2
    #: espeak-ng voices the examples are spoken with: none of them is among the intent benchmark's speakers
    #: (bench/speech_corpus.py SpeechCorpusConfig.voices), so the benchmark measures unseen voices as well
    #: as unseen phrasings.
    voices: tuple[str, ...] = ("en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", "en-us+f4", "en-gb+m7",
                               "en-us+klatt2", "en-gb-scotland+f5", "en-029+m1")
    noisy: bool = True
    snr_db: float = 10.0
    background: str = "music+noise"
    min_similarity: float = 0.6
    max_per_intent: int = 150
    seed: int = 1000  # far from the benchmark's seeds, so other speakers and noise stretches are drawn

    def __post_init__(self) -> None:
        if self.voices_per_example < 1:
            raise NluSetupError(f"AsrAugmentConfig.voices_per_example must be >= 1, got {self.voices_per_example}")
        if not 0.0 <= self.min_similarity <= 1.0:
            raise NluSetupError(f"AsrAugmentConfig.min_similarity must be in [0, 1], got {self.min_similarity}")
        if self.max_per_intent < 1:
            raise NluSetupError(f"AsrAugmentConfig.max_per_intent must be >= 1, got {self.max_per_intent}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AsrAugmentConfig:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


@dataclass(frozen=True)
class HeardExample:
    """One training example as one speaker said it and the recogniser heard it."""

    intent: str
    said_text: str
    heard_text: str
    voice: str
    condition: str  # "clean" or "snr<k>db"

    @property
    def similarity(self) -> float:
        return difflib.SequenceMatcher(None, normalize_text(self.said_text), self.heard_text).ratio()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HeardExample:
        return cls(str(d["intent"]), str(d["said_text"]), str(d["heard_text"]), str(d["voice"]), str(d["condition"]))


def training_examples(nlu_dir: Path, *, exclude: Iterable[str] = (ASR_VARIANTS_FILE,)) -> list[tuple[str, str]]:
    """(intent, plain text) of every NLU example under ``nlu_dir`` (entity annotations removed), skipping the
    files named in ``exclude`` (by default the generated variants themselves)."""
    import yaml

    if not nlu_dir.is_dir():
        raise NluSetupError(f"no NLU data at {nlu_dir}; run from a Humdinger checkout or pass --nlu-dir")
    skip = set(exclude)
    out: list[tuple[str, str]] = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        if path.name in skip:
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise NluSetupError(f"{path} is not valid YAML ({exc}); fix it before augmenting") from exc
        for item in doc.get("nlu", []) or []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            for line in str(item.get("examples", "") or "").splitlines():
                if line.strip().startswith("-"):
                    text = _ANNOT.sub(lambda m: m.group(1), line.strip()[1:].strip())
                    if text:
                        out.append((str(item["intent"]), text))
    if not out:
        raise NluSetupError(f"no intent examples found under {nlu_dir}")
    return out


def hear_examples(examples: Sequence[tuple[str, str]], *, speak: SpeakFn, recognise: RecogniseFn,
                  noisy: NoisyFn | None = None, noisy_name: str = "noisy", seed: int = 0, first_index: int = 0,
                  progress: bool = False) -> list[HeardExample]:
    """Every example spoken by ``speak``'s speakers and recognised, clean and (with ``noisy``) noisy. Example
    ``k`` of the list is drawn with seed ``seed + 100 * (first_index + k)``, so a list heard in batches gets
    the same speakers as heard at once."""
    from tqdm import tqdm

    out: list[HeardExample] = []
    for k, (intent, text) in enumerate(tqdm(examples, desc="speaking + recognising NLU examples", unit="ex",
                                            disable=not progress)):
        i = first_index + k
        for j, (samples, voice) in enumerate(speak(text, seed + 100 * i)):
            conditions = [("clean", samples)]
            if noisy is not None:
                conditions.append((noisy_name, noisy(samples, seed + 100 * i + j)))
            for cond, audio in conditions:
                out.append(HeardExample(intent, text, normalize_text(recognise(audio)), voice, cond))
    return out


def select_variants(heard: Sequence[HeardExample], *, existing: Iterable[str], config: AsrAugmentConfig,
                    forbidden: Iterable[str] = ()) -> dict[str, list[str]]:
    """Decoded texts worth adding, per intent (see the module doc); at most ``max_per_intent`` each, the ones
    closest to what was said first."""
    taken = {normalize_text(t) for t in existing}
    banned = {normalize_text(t) for t in forbidden}
    intents_of: dict[str, set[str]] = defaultdict(set)
    best: dict[tuple[str, str], float] = {}
    for h in heard:
        if not h.heard_text:
            continue
        intents_of[h.heard_text].add(h.intent)
        sim = h.similarity
        if sim >= config.min_similarity:
            best[(h.intent, h.heard_text)] = max(sim, best.get((h.intent, h.heard_text), 0.0))
    per_intent: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (intent, text), sim in best.items():
        if text in taken or text in banned or len(intents_of[text]) > 1:
            continue
        per_intent[intent].append((sim, text))
    out = {k: [t for _, t in sorted(v, key=lambda st: (-st[0], st[1]))[: config.max_per_intent]]
           for k, v in sorted(per_intent.items())}
    log.info("ASR variants: %d of %d decodes kept", sum(map(len, out.values())), len(heard))
    return out


def render_variants_yaml(variants: Mapping[str, Sequence[str]], *, command: str, notes: Sequence[str] = ()) -> str:
    """The Rasa NLU file of the variants, with a header that says how to regenerate it."""
    lines = ["# GENERATED by scripts/augment_nlu_with_asr.py; do not edit by hand. Regenerate with:",
             f"#   {command}",
             "# What the default recogniser heard when the other nlu_data examples were spoken by espeak-ng",
             "# speakers (clean and with a background): Rasa learns the recogniser's confusions from it. The",
             f"# recogniser's own language model leaves this file out (assistant/asr/phrases.py: {ASR_VARIANTS_FILE}).",
             *[f"# {n}" for n in notes],
             'version: "3.1"', "nlu:"]
    for intent, texts in variants.items():
        if not texts:
            continue
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {t}" for t in texts]
    return "\n".join(lines) + "\n"
