"""Generate the ``song_title`` lookup table (and its synonyms) of the Rasa project from a list of titles.

The table is what lets Rasa's RegexEntityExtractor find "play greensleeves" -> song_title=Greensleeves.
Titles come from the library's corpus (``music_models.corpus.load_corpus``) when that exists, otherwise
from :data:`SEED_TITLES`, a list of well-known public-domain tunes. Each title gets the spellings an ASR
system or a person produces (lower case, no leading article, no punctuation, ASCII letters) as lookup
entries, and a synonym entry mapping them back to the canonical title.

    python -m assistant.nlu.lookups            # or: humdinger nlu --update-lookups
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from music_models.errors import ConfigError

__all__ = [
    "SEED_TITLES",
    "TITLE_STOPLIST",
    "clean_titles",
    "load_titles",
    "render_song_title_yaml",
    "title_variants",
    "write_song_title_lookup",
]

log = logging.getLogger(__name__)

#: Well-known public-domain tunes: the lookup's content until the library's corpus is available.
SEED_TITLES: tuple[str, ...] = (
    "Greensleeves", "The Irish Washerwoman", "Scarborough Fair", "Danny Boy", "Londonderry Air",
    "Amazing Grace", "Auld Lang Syne", "The Water Is Wide", "Shenandoah", "Drunken Sailor", "Molly Malone",
    "The Parting Glass", "The Swallowtail Jig", "The Kesh", "Drowsy Maggie", "The Butterfly",
    "Morrison's Jig", "Cooley's Reel", "The Silver Spear", "The Salley Gardens",
    "The Wind That Shakes the Barley", "Oh Susanna", "Yankee Doodle", "Home on the Range",
    "Red River Valley", "Camptown Races", "Simple Gifts", "Skip to My Lou", "Twinkle Twinkle Little Star",
    "Frère Jacques", "Ode to Joy", "Jesu, Joy of Man's Desiring", "Silent Night", "O Tannenbaum",
    "Brahms' Lullaby", "Turkey in the Straw", "The Rakes of Mallow", "Soldier's Joy", "Whiskey in the Jar",
    "The Minstrel Boy", "Star of the County Down", "The Foggy Dew", "The Sailor's Hornpipe",
    "Fisher's Hornpipe", "The Lark in the Morning", "Old Joe Clark", "Cripple Creek", "Arkansas Traveler",
    "She'll Be Coming Round the Mountain", "My Bonnie Lies over the Ocean", "Loch Lomond",
    "The Skye Boat Song", "Haste to the Wedding", "The Blackbird", "The Connaughtman's Rambles",
    "Kerry Polka", "Little Brown Jug", "The Kid on the Mountain", "The Maid Behind the Bar",
    "The Merry Blacksmith", "The Sligo Maid", "The Harvest Home", "The Boys of Bluehill",
    "Ein feste Burg ist unser Gott", "Wachet auf", "Nun danket alle Gott", "O Haupt voll Blut und Wunden",
    "Ach du lieber Augustin", "Kommt ein Vogel geflogen", "Hänschen klein", "Alle meine Entchen",
    "Muss i denn", "Sur le pont d'Avignon", "Au clair de la lune", "Early One Morning",
    "The British Grenadiers", "Barbara Allen", "Oh My Darling Clementine", "When the Saints Go Marching In",
)

#: Titles equal to these (after normalisation) would fire on ordinary commands, so they are left out.
TITLE_STOPLIST: frozenset[str] = frozenset({
    "play", "stop", "pause", "resume", "repeat", "again", "help", "yes", "no", "hello", "goodbye", "song",
    "tune", "music", "jig", "jigs", "reel", "reels", "hornpipe", "hornpipes", "polka", "waltz", "march",
    "air", "chorale", "slow", "fast", "calm", "happy", "sad", "something", "anything", "this", "that",
    "untitled", "unknown", "title", "no title", "the", "a", "an", "more", "next",
})

_ARTICLES = ("the ", "a ", "an ")
_MIN_TITLE_CHARS = 4


def _ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def title_variants(*, title: str) -> list[str]:
    """Lower-case spellings of ``title`` that speech recognisers and people produce, canonical first."""
    base = _squash(title).lower()
    out: list[str] = []
    candidates = [base, _ascii_fold(base)]
    for c in list(candidates):
        candidates.append(c.replace("&", "and"))
        candidates.append(_squash(re.sub(r"[^\w\s']", " ", c)))           # no punctuation, keep apostrophes
        candidates.append(_squash(re.sub(r"[^\w\s]", "", c)))              # no punctuation at all
    for c in list(candidates):
        for article in _ARTICLES:
            if c.startswith(article) and len(c) - len(article) >= _MIN_TITLE_CHARS:
                candidates.append(c[len(article):])
    for c in candidates:
        if c and c not in out and c not in TITLE_STOPLIST and len(c) >= _MIN_TITLE_CHARS:
            out.append(c)
    return out


def clean_titles(*, titles: Iterable[str]) -> list[str]:
    """Unique, stripped, usable titles (first spelling wins), sorted case-insensitively."""
    seen: dict[str, str] = {}
    for t in titles:
        if not isinstance(t, str):
            continue
        t = _squash(t.replace("\n", " ")).strip(" .,;:-")
        key = t.lower()
        if len(key) < _MIN_TITLE_CHARS or key in TITLE_STOPLIST or key in seen or not title_variants(title=t):
            continue
        seen[key] = t
    return sorted(seen.values(), key=str.lower)


def load_titles() -> list[str]:
    """Titles of the library's corpus when ``music_models.corpus.load_corpus`` exists, else the seed list."""
    try:
        from music_models.corpus import load_corpus
    except ImportError:
        log.info("music_models.corpus.load_corpus not available; using the %d seed titles", len(SEED_TITLES))
        return clean_titles(titles=SEED_TITLES)
    tunes = load_corpus()
    titles = clean_titles(titles=list(SEED_TITLES) + [getattr(t, "title", "") for t in tunes])
    log.info("%d titles from the corpus and the seed list", len(titles))
    return titles


def _yaml_str(text: str) -> str:
    # Double-quoted YAML scalar: safe for apostrophes, colons, '#' and non-ASCII letters.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_song_title_yaml(*, titles: Iterable[str]) -> str:
    """The Rasa NLU YAML text: a ``song_title`` lookup and one synonym entry per title."""
    cleaned = clean_titles(titles=titles)
    if not cleaned:
        raise ConfigError("no usable song titles given: pass at least one title of 4 or more characters")
    entries: list[str] = []
    owner: dict[str, str] = {}
    synonyms: list[tuple[str, list[str]]] = []
    for title in cleaned:
        variants = [v for v in title_variants(title=title) if v not in owner]
        for v in variants:
            owner[v] = title
            entries.append(v)
        spoken = [v for v in variants if v != title]
        if spoken:
            synonyms.append((title, spoken))
    lines = [
        "# GENERATED by assistant/nlu/lookups.py (humdinger nlu --update-lookups); do not edit by hand.",
        'version: "3.1"',
        "nlu:",
        "- lookup: song_title",
        "  examples: |",
    ]
    lines += [f"    - {e}" for e in entries]
    for title, spoken in synonyms:
        lines.append(f"- synonym: {_yaml_str(title)}")
        lines.append("  examples: |")
        lines += [f"    - {v}" for v in spoken]
    return "\n".join(lines) + "\n"


def write_song_title_lookup(*, titles: Iterable[str], path: Path) -> int:
    """Write the lookup file at ``path`` (atomically); returns the number of titles written."""
    cleaned = clean_titles(titles=titles)
    text = render_song_title_yaml(titles=cleaned)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    log.info("wrote %s (%d titles)", path, len(cleaned))
    return len(cleaned)


if __name__ == "__main__":  # pragma: no cover
    from assistant.nlu.config import NluConfig

    cfg = NluConfig()
    count = write_song_title_lookup(titles=load_titles(), path=cfg.song_title_lookup_path)
    print(f"wrote {count} titles to {cfg.song_title_lookup_path}")
