"""A small trigram language model of the assistant's own language, for PocketSphinx's ``domain_lm`` mode.

A JSGF grammar only accepts the exact templates (an unseen phrasing comes out as the nearest template or
as nothing); the stock en-US model accepts anything and so misreads short commands. In between: a
trigram model trained on the NLU templates with their slots filled at random, with absolute
discounting and back-off, written as ARPA text. Unseen word orders over the domain vocabulary stay
possible, the domain's phrasings are strongly preferred."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assistant.asr.phrases import PhraseSet
from assistant.audio.errors import SpeechInputError

__all__ = ["DomainLmConfig", "domain_lm_arpa", "domain_sentences"]

log = logging.getLogger(__name__)

_BOS, _EOS = "<s>", "</s>"


@dataclass(frozen=True)
class DomainLmConfig:
    """Training text (fills per template, seed) and the absolute discount of every order."""

    fills_per_template: int = 12
    discount: float = 0.5
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DomainLmConfig:
        return cls(**d)


def domain_sentences(phrases: PhraseSet, *, fills_per_template: int, seed: int,
                     optional_prefix: str = "") -> list[list[str]]:
    """Templates with their slots filled at random (every slot value used at least once), each slot value
    alone, and some sentences with ``optional_prefix`` in front."""
    rng = np.random.default_rng(seed)
    out: list[list[str]] = []
    for t in phrases.templates:
        refs = re.findall(r"<(\w+)>", t)
        if any(not phrases.slots.get(r) for r in refs):
            continue
        for k in range(fills_per_template if refs else 1):
            s = t
            for r in refs:
                vals = phrases.slots[r]
                s = s.replace(f"<{r}>", vals[int(rng.integers(len(vals)))], 1)
            out.append(s.split())
            if optional_prefix and k == 0:
                out.append([*optional_prefix.split(), *s.split()])
    slot_templates = {r: [t for t in phrases.templates if f"<{r}>" in t and t.count("<") == 1]
                      for r in phrases.slots}
    for r, vals in phrases.slots.items():
        for v in vals:
            out.append(v.split())
            if slot_templates[r]:  # each value also in a carrier phrase, so its bigrams with it exist
                out.append(slot_templates[r][int(rng.integers(len(slot_templates[r])))].replace(f"<{r}>", v).split())
    if not out:
        raise SpeechInputError("the phrase set is empty; add NLU examples (nlu_data/data/nlu.yml) or song titles")
    return out


def domain_lm_arpa(phrases: PhraseSet, *, config: DomainLmConfig | None = None, optional_prefix: str = "") -> str:
    """A back-off trigram model of :func:`domain_sentences` as ARPA text (log10 probabilities)."""
    cfg = config or DomainLmConfig()
    if not 0.0 < cfg.discount < 1.0:
        raise SpeechInputError(f"DomainLmConfig.discount must be in (0, 1), got {cfg.discount}")
    counts: list[Counter[tuple[str, ...]]] = [Counter(), Counter(), Counter()]
    for words in domain_sentences(phrases, fills_per_template=cfg.fills_per_template, seed=cfg.seed,
                                  optional_prefix=optional_prefix):
        seq = [_BOS, *words, _EOS]
        for n in (1, 2, 3):
            for i in range(len(seq) - n + 1):
                counts[n - 1][tuple(seq[i:i + n])] += 1
    d = cfg.discount
    total = sum(c for g, c in counts[0].items() if g != (_BOS,))
    vocab = sorted(g[0] for g in counts[0])
    logp: dict[tuple[str, ...], float] = {}
    # unigrams: discounted, the freed mass spread evenly (so every word keeps a floor)
    spread = d * len(vocab) / total / len(vocab)
    for w in vocab:
        logp[(w,)] = -99.0 if w == _BOS else math.log10((counts[0][(w,)] - d) / total + spread)
    bow: dict[tuple[str, ...], float] = {}
    for n in (2, 3):
        ctx_total: Counter[tuple[str, ...]] = Counter()
        followers: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for g, c in counts[n - 1].items():
            ctx_total[g[:-1]] += c
            followers[g[:-1]].append(g)
        for h, grams in followers.items():
            ct = ctx_total[h]
            for g in grams:
                logp[g] = math.log10((counts[n - 1][g] - d) / ct)
            left = d * len(grams) / ct
            lower_seen = sum(10 ** _lower_logp(g[1:], logp, bow) for g in grams)
            bow[h] = math.log10(left / max(1e-12, 1.0 - lower_seen)) if lower_seen < 1.0 else -99.0
    lines = ["\\data\\"] + [f"ngram {n}={len(counts[n - 1])}" for n in (1, 2, 3)] + [""]
    for n in (1, 2, 3):
        lines.append(f"\\{n}-grams:")
        for g in sorted(counts[n - 1]):
            b = f"\t{bow.get(g, 0.0):.5f}" if n < 3 and (g in bow or n == 1) else ""
            lines.append(f"{logp[g]:.5f}\t{' '.join(g)}{b}")
        lines.append("")
    lines.append("\\end\\")
    log.debug("domain LM: %d words, %s n-grams", len(vocab), [len(c) for c in counts])
    return "\n".join(lines) + "\n"


def _lower_logp(g: tuple[str, ...], logp: dict[tuple[str, ...], float], bow: dict[tuple[str, ...], float]) -> float:
    """log10 P(g[-1] | g[:-1]) with back-off, over the orders already computed."""
    if g in logp:
        return logp[g]
    if len(g) == 1:
        return -99.0
    return bow.get(g[:-1], 0.0) + _lower_logp(g[1:], logp, bow)
