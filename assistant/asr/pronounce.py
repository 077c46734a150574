"""Pronunciations for the recogniser's dictionary: CMUdict first, then espeak-ng's phonemes mapped to
ARPAbet, then a split into two dictionary words; a word with none of these is dropped with a warning."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

__all__ = ["accent_variants", "cmudict_path", "espeak_phonemes", "espeak_to_arpabet", "load_cmudict",
           "load_cmudict_variants", "pronounce", "pronounce_all"]

log = logging.getLogger(__name__)

# espeak-ng's ASCII phoneme mnemonics (``espeak-ng -x``) for English, to CMU ARPAbet. Longest match first.
_ESPEAK_TO_ARPA: dict[str, str] = {
    "aI@": "AY ER", "aI3": "AY ER", "aU@": "AW ER", "i@3": "IH R", "e@": "EH R", "i@": "IH R", "U@": "UH R",
    "A@": "AA R", "O@": "AO R", "o@": "AO R", "aI": "AY", "aU": "AW", "eI": "EY", "OI": "OY", "oU": "OW",
    "i:": "IY", "u:": "UW", "A:": "AA", "O:": "AO", "3:": "ER", "@L": "AH L", "@2": "AH", "@5": "AH",
    "a#": "AH", "I#": "IH", "I2": "IH", "E2": "EH", "a2": "AH", "A#": "AE", "tS": "CH", "dZ": "JH",
    "t#": "T", "n-": "N", "l-": "L", "r-": "R",
    "a": "AE", "A": "AA", "E": "EH", "e": "EH", "i": "IY", "I": "IH", "O": "AA", "0": "AA", "o": "OW",
    "u": "UW", "U": "UH", "V": "AH", "@": "AH", "3": "ER",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V", "T": "TH", "D": "DH",
    "s": "S", "z": "Z", "S": "SH", "Z": "ZH", "h": "HH", "m": "M", "n": "N", "N": "NG", "l": "L", "r": "R",
    "R": "R", "j": "Y", "w": "W", "x": "K", "?": "T",
}
#: Non-rhotic readings (England, the Caribbean, ...): a vowel before a written r is not r-coloured.
#: A rhotic accent's espeak-ng output spells the r out ("st'A@rt"), so it still gets its R.
_NON_RHOTIC: dict[str, str] = {
    "aI@": "AY AH", "aI3": "AY AH", "aU@": "AW AH", "i@3": "IH AH", "A@": "AA", "O@": "AO", "o@": "AO",
    "e@": "EH", "i@": "IH AH", "U@": "UH AH", "3": "AH",
}
_IGNORED = set("'," + "%=_:|;!^-#[")
_MAX_KEY = max(len(k) for k in _ESPEAK_TO_ARPA)


def cmudict_path() -> Path:
    """PocketSphinx's bundled US English dictionary."""
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


@functools.lru_cache(maxsize=4)
def load_cmudict(path: Path | None = None) -> dict[str, str]:
    """Word -> first pronunciation (space-separated ARPAbet) of a CMU-format dictionary."""
    out: dict[str, str] = {}
    with open(path or cmudict_path(), encoding="utf-8", errors="replace") as fh:
        for line in fh:
            word, _, phones = line.strip().partition(" ")
            if word and phones and "(" not in word:
                out.setdefault(word, phones.strip())
    return out


@functools.lru_cache(maxsize=4)
def load_cmudict_variants(path: Path | None = None) -> dict[str, frozenset[str]]:
    """Word -> every pronunciation a CMU-format dictionary lists for it (``word(2)`` lines included)."""
    out: dict[str, set[str]] = {}
    with open(path or cmudict_path(), encoding="utf-8", errors="replace") as fh:
        for line in fh:
            word, _, phones = line.strip().partition(" ")
            if word and phones:
                out.setdefault(word.split("(", 1)[0], set()).add(" ".join(phones.split()))
    return {w: frozenset(v) for w, v in out.items()}


def _espeak_words(words: list[str], *, voice: str, timeout_s: float = 30.0) -> list[str] | None:
    """espeak-ng's phonemes for each word (one process, one word per clause); None when espeak-ng is
    missing or its answer does not line up with the words."""
    exe = shutil.which("espeak-ng")
    if exe is None or not words:
        return None
    try:
        res = subprocess.run([exe, "-q", "-x", "-v", voice, "--stdin"], input="".join(f"{w}.\n" for w in words),
                             capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("espeak-ng failed for voice %s: %s", voice, exc)
        return None
    lines = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
    if res.returncode != 0 or len(lines) != len(words):
        log.warning("espeak-ng (%s) gave %d phoneme lines for %d words; no accent variants from it",
                    voice, len(lines), len(words))
        return None
    return lines


def accent_variants(words: Iterable[str], *, voices: Iterable[str], known: dict[str, frozenset[str]]
                    ) -> dict[str, list[str]]:
    """Extra pronunciations of ``words`` as espeak-ng's accents (``voices``, e.g. "en-gb", "en-029") say
    them, read non-rhotically unless the accent spells its r: ``{word: [phones, ...]}``, only those not
    already in ``known`` (the dictionary's own pronunciations), in voice order."""
    ws = sorted({w for w in words if w and w.replace("'", "").isalpha()})
    out: dict[str, list[str]] = {}
    for voice in voices:
        for w, ph in zip(ws, _espeak_words(ws, voice=voice) or []):
            arpa = espeak_to_arpabet(ph, rhotic=False)
            if arpa and arpa not in known.get(w, ()) and arpa not in out.get(w, []):
                out.setdefault(w, []).append(arpa)
    return out


def espeak_phonemes(word: str, *, voice: str = "en-us", timeout_s: float = 5.0) -> str | None:
    """espeak-ng's phoneme mnemonics for ``word`` or None when espeak-ng is missing or fails."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "-q", "-x", "-v", voice, "--stdin"], input=word, capture_output=True,
                             text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("espeak-ng failed on %r: %s", word, exc)
        return None
    return res.stdout.strip() or None if res.returncode == 0 else None


def espeak_to_arpabet(phonemes: str, *, rhotic: bool = True) -> str | None:
    """Map espeak-ng mnemonics to ARPAbet (``rhotic=False``: a vowel before a written r stays a plain
    vowel, as in southern British English); None if a symbol is unknown."""
    table = _ESPEAK_TO_ARPA if rhotic else {**_ESPEAK_TO_ARPA, **_NON_RHOTIC}
    out: list[str] = []
    i = 0
    s = phonemes.strip()
    while i < len(s):
        c = s[i]
        if c in _IGNORED or c.isspace():
            i += 1
            continue
        for n in range(min(_MAX_KEY, len(s) - i), 0, -1):
            arpa = table.get(s[i : i + n])
            if arpa is not None:
                out.extend(arpa.split())
                i += n
                break
        else:
            log.debug("unknown espeak phoneme %r in %r", c, phonemes)
            return None
    dedup = [p for i, p in enumerate(out) if not (p == "R" and i > 0 and out[i - 1] == "R")]
    return " ".join(dedup) or None


def _split_compound(word: str, cmudict: dict[str, str]) -> str | None:
    for k in range(len(word) - 3, 2, -1):
        a, b = word[:k], word[k:]
        if a in cmudict and b in cmudict:
            return f"{cmudict[a]} {cmudict[b]}"
    return None


def pronounce(word: str, *, cmudict: dict[str, str], use_espeak: bool = True) -> str | None:
    """An ARPAbet pronunciation for a lower-case word, or None."""
    if word in cmudict:
        return cmudict[word]
    if use_espeak:
        ph = espeak_phonemes(word)
        arpa = espeak_to_arpabet(ph) if ph else None
        if arpa:
            return arpa
    return _split_compound(word.replace("'", ""), cmudict)


def pronounce_all(words: Iterable[str], *, cmudict: dict[str, str], use_espeak: bool = True
                  ) -> tuple[dict[str, str], list[str]]:
    """Pronunciations for the words missing from ``cmudict`` (``{word: phones}``) and the words with none."""
    extra: dict[str, str] = {}
    dropped: list[str] = []
    for w in sorted(set(words)):
        if w in cmudict:
            continue
        p = pronounce(w, cmudict=cmudict, use_espeak=use_espeak)
        if p:
            extra[w] = p
        else:
            dropped.append(w)
    if dropped:
        log.warning("no pronunciation for %d word(s), phrases using them are dropped: %s",
                    len(dropped), ", ".join(dropped[:20]))
    return extra, dropped
