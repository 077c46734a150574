"""A small trigram language model of the assistant's own language, for PocketSphinx's ``domain_lm`` mode.

A JSGF grammar only accepts the exact templates (an unseen phrasing comes out as the nearest template or
as nothing); the stock en-US model accepts anything and so misreads short commands. In between: a
trigram model trained on the NLU templates with their slots filled at random, with absolute
discounting and back-off, written as ARPA text. Unseen word orders over the domain vocabulary stay
possible, the domain's phrasings are strongly preferred.

The unigram level is interpolated with a general-English unigram distribution (the most frequent
``general_words`` words of PocketSphinx's stock en-US model, weight ``general_weight``): a word the NLU
data never uses ("taxi", "sec") can still be heard through back-off instead of forcing the nearest
domain word, which matters most for out-of-scope requests and unseen phrasings."""

from __future__ import annotations

import functools
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.asr.phrases import PhraseSet
from assistant.audio.errors import SpeechInputError

__all__ = ["DomainLmConfig", "domain_lm_arpa", "domain_sentences", "general_unigrams"]

log = logging.getLogger(__name__)

_BOS, _EOS = "<s>", "</s>"
_PLAIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SPHINX_LOG_BASE = 1.0001  # NGramModel.prob() answers in PocketSphinx's logmath base


@dataclass(frozen=True)
class DomainLmConfig:
    """Training text (fills per template, seed), the absolute discount of every order, and the general-English
    unigram back-off (``general_weight`` = 0 turns it off; ``general_lm_path`` None = the wheel's en-US model)."""

    fills_per_template: int = 12
    discount: float = 0.5
    seed: int = 0
    general_weight: float = 0.05
    general_words: int = 5000
    general_lm_path: str | None = None
    #: Multiplies every log-probability and back-off weight: a language weight folded into the model
    #: (PocketSphinx's ``-lw`` is tuned for the open en-US model; a small domain model earns more trust).
    score_scale: float = 1.0

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


@functools.lru_cache(maxsize=4)
def _general_unigrams_cached(lm_path: str, n_words: int) -> tuple[tuple[str, float], ...]:
    import pocketsphinx

    base = Path(pocketsphinx.get_model_path()) / "en-us"
    path = Path(lm_path) if lm_path else base / "en-us.lm.bin"
    if not path.is_file():
        raise SpeechInputError(f"general-English language model not found at {path}; reinstall pocketsphinx==5.1.1 "
                               "or set DomainLmConfig.general_weight=0")
    try:
        model = pocketsphinx.NGramModel.readfile(str(path))
    except Exception as exc:  # the C library reports failures as RuntimeError/ValueError
        raise SpeechInputError(f"could not read the language model {path} ({exc}); fix DomainLmConfig.general_lm_path "
                               "or set general_weight=0") from exc
    words = _candidate_words(base / "cmudict-en-us.dict")
    unk = model.prob(["<unk>"])
    scored = [(w, lp) for w in words if (lp := model.prob([w])) > unk]
    scored.sort(key=lambda t: -t[1])
    top = [(w, _SPHINX_LOG_BASE ** lp) for w, lp in scored[:n_words]]
    total = sum(p for _, p in top)
    return tuple((w, p / total) for w, p in top)


def _candidate_words(dict_path: Path) -> list[str]:
    with open(dict_path, encoding="utf-8", errors="replace") as fh:
        return [w for w in dict.fromkeys(ln.split(" ", 1)[0] for ln in fh) if _PLAIN_WORD.fullmatch(w)]


def general_unigrams(*, n_words: int, lm_path: str | None = None) -> dict[str, float]:
    """The ``n_words`` most probable plain words of a PocketSphinx language model (default: the wheel's en-US
    model) as a normalised unigram distribution (cached per process; ~0.3 s the first time)."""
    if n_words < 1:
        raise SpeechInputError(f"DomainLmConfig.general_words must be >= 1, got {n_words}")
    return dict(_general_unigrams_cached(lm_path or "", n_words))


def domain_lm_arpa(phrases: PhraseSet, *, config: DomainLmConfig | None = None, optional_prefix: str = "",
                   general: Mapping[str, float] | None = None) -> str:
    """A back-off trigram model of :func:`domain_sentences` as ARPA text (log10 probabilities). The unigrams
    are interpolated with ``general`` (word -> probability; default :func:`general_unigrams` when
    ``config.general_weight`` > 0)."""
    cfg = config or DomainLmConfig()
    if not 0.0 < cfg.discount < 1.0:
        raise SpeechInputError(f"DomainLmConfig.discount must be in (0, 1), got {cfg.discount}")
    if not cfg.score_scale > 0.0:
        raise SpeechInputError(f"DomainLmConfig.score_scale must be > 0, got {cfg.score_scale}")
    if not 0.0 <= cfg.general_weight < 1.0:
        raise SpeechInputError(f"DomainLmConfig.general_weight must be in [0, 1), got {cfg.general_weight}")
    if general is None and cfg.general_weight > 0:
        general = general_unigrams(n_words=cfg.general_words, lm_path=cfg.general_lm_path)
    lam = cfg.general_weight if general else 0.0
    gen_total = sum(general.values()) if general else 1.0
    counts: list[Counter[tuple[str, ...]]] = [Counter(), Counter(), Counter()]
    for words in domain_sentences(phrases, fills_per_template=cfg.fills_per_template, seed=cfg.seed,
                                  optional_prefix=optional_prefix):
        seq = [_BOS, *words, _EOS]
        for n in (1, 2, 3):
            for i in range(len(seq) - n + 1):
                counts[n - 1][tuple(seq[i:i + n])] += 1
    d = cfg.discount
    total = sum(c for g, c in counts[0].items() if g != (_BOS,))
    domain_vocab = [g[0] for g in counts[0]]
    for w in (general or {}):
        counts[0].setdefault((w,), 0)  # general words join the vocabulary with no domain count
    vocab = sorted(g[0] for g in counts[0])
    logp: dict[tuple[str, ...], float] = {}
    # unigrams: discounted, the freed mass spread evenly over the domain words (so each keeps a floor),
    # then interpolated with the general-English distribution
    spread = d * len(domain_vocab) / total / len(domain_vocab)
    for w in vocab:
        dom = (counts[0][(w,)] - d) / total + spread if counts[0][(w,)] > 0 else 0.0
        gen = (general or {}).get(w, 0.0) / gen_total
        logp[(w,)] = -99.0 if w == _BOS else math.log10((1.0 - lam) * dom + lam * gen)
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
    k = cfg.score_scale
    lines = ["\\data\\"] + [f"ngram {n}={len(counts[n - 1])}" for n in (1, 2, 3)] + [""]
    for n in (1, 2, 3):
        lines.append(f"\\{n}-grams:")
        for g in sorted(counts[n - 1]):
            b = f"\t{_scaled(bow.get(g, 0.0), k):.7f}" if n < 3 and (g in bow or n == 1) else ""
            lines.append(f"{_scaled(logp[g], k):.7f}\t{' '.join(g)}{b}")
        lines.append("")
    lines.append("\\end\\")
    log.debug("domain LM: %d words, %s n-grams", len(vocab), [len(c) for c in counts])
    return "\n".join(lines) + "\n"


def _scaled(logp: float, k: float) -> float:
    return logp if logp <= -99.0 else logp * k


def _lower_logp(g: tuple[str, ...], logp: dict[tuple[str, ...], float], bow: dict[tuple[str, ...], float]) -> float:
    """log10 P(g[-1] | g[:-1]) with back-off, over the orders already computed."""
    if g in logp:
        return logp[g]
    if len(g) == 1:
        return -99.0
    return bow.get(g[:-1], 0.0) + _lower_logp(g[1:], logp, bow)
