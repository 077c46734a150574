"""Pronunciations for the recogniser's dictionary: CMUdict first, then espeak-ng's phonemes mapped to
ARPAbet, then a split into two dictionary words; a word with none of these is dropped with a warning."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

__all__ = ["cmudict_path", "espeak_phonemes", "espeak_to_arpabet", "load_cmudict", "pronounce", "pronounce_all"]

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
_IGNORED = set("'," + "%=_:|;!^-#")
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


def espeak_to_arpabet(phonemes: str) -> str | None:
    """Map espeak-ng mnemonics to ARPAbet; None if a symbol is unknown."""
    out: list[str] = []
    i = 0
    s = phonemes.strip()
    while i < len(s):
        c = s[i]
        if c in _IGNORED or c.isspace():
            i += 1
            continue
        for n in range(min(_MAX_KEY, len(s) - i), 0, -1):
            arpa = _ESPEAK_TO_ARPA.get(s[i : i + n])
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
