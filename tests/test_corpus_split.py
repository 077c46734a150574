"""Dedupe and the deterministic split; the cache (warm reuse, rebuild on new parameters); bad names."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from music_models.corpus.config import CorpusConfig
from music_models.corpus.dedupe import SPLITS, dedupe_tunes, melody_signature, split_of
from music_models.corpus.registry import COLLECTIONS, CollectionSpec, resolve_collections
from music_models.errors import CorpusError, UnknownCollectionError
from music_models.types import Key, Meter, Note, Tune


def _tune(tune_id: str, pitches: list[int], collection: str = "a") -> Tune:
    notes = tuple(Note(p, float(i), 1.0) for i, p in enumerate(pitches))
    return Tune(tune_id, tune_id, collection, Meter(4, 4), Key(0), 120.0, notes)


def test_split_is_deterministic_and_close_to_80_10_10() -> None:
    # golden values: the split of a tune must never change between versions or machines
    assert split_of("oneills1850-0001-639bf34e") == "train"
    assert split_of("bachChorales-bwv269-12345678") == "val"
    assert split_of("b") == "test"
    rng = random.Random(7)
    ids = [f"c-{rng.getrandbits(48):012x}" for _ in range(20000)]
    counts = Counter(split_of(i) for i in ids)
    assert abs(counts["train"] / 20000 - 0.8) < 0.015
    assert abs(counts["val"] / 20000 - 0.1) < 0.01
    assert [split_of(i) for i in ids[:100]] == [split_of(i) for i in ids[:100]]
    even = CorpusConfig(train_fraction=0.5, val_fraction=0.25)
    assert abs(Counter(split_of(i, config=even) for i in ids)["train"] / 20000 - 0.5) < 0.02


def test_melody_signature_is_key_independent() -> None:
    line = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 62, 64, 65, 67, 69]
    assert melody_signature(pitches=line) == melody_signature(pitches=[p + 5 for p in line])
    # only the first 16 intervals count
    assert melody_signature(pitches=line) == melody_signature(pitches=line[:17] + [40, 90])
    assert melody_signature(pitches=line) != melody_signature(pitches=[line[0] + 1] + line[1:])
    assert melody_signature(pitches=line[:5]) != melody_signature(pitches=line[:6])


def test_dedupe_keeps_one_per_melody_independent_of_order() -> None:
    line = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 62, 64, 65]
    tunes = [
        _tune("b-0002", [p + 2 for p in line], "b"),  # same melody in D, other collection
        _tune("a-0009", line, "a"),
        _tune("a-0003", [p - 3 for p in line], "a"),  # same melody again, smaller id
        _tune("a-0005", list(reversed(line)), "a"),  # different melody
    ]
    for order in (tunes, list(reversed(tunes))):
        result = dedupe_tunes(tunes=order, collection_order=["a", "b"])
        assert [t.tune_id for t in result.kept] == ["a-0003", "a-0005"]
        assert sorted(result.dropped) == [("a-0009", "a-0003"), ("b-0002", "a-0003")]
    # collection priority beats id order
    result = dedupe_tunes(tunes=tunes, collection_order=["b", "a"])
    assert "b-0002" in [t.tune_id for t in result.kept]


def test_resolve_collections_and_unknown_names() -> None:
    assert resolve_collections(None) == list(COLLECTIONS)
    assert resolve_collections(["bachChorales", "oneills1850"]) == ["oneills1850", "bachChorales"]
    with pytest.raises(UnknownCollectionError) as info:
        resolve_collections(["oneills1850", "beatles"])
    assert "beatles" in str(info.value) and "essenFolksong" in str(info.value)
    with pytest.raises(CorpusError):
        resolve_collections([" "])


def test_load_and_build_reject_bad_names() -> None:
    from music_models.corpus import build_corpus, load_corpus

    with pytest.raises(UnknownCollectionError, match="valid names"):
        build_corpus(collections=["nope"], progress=False)
    with pytest.raises(CorpusError, match="valid splits"):
        load_corpus(collections=["oneills1850"], split="holdout", progress=False)


def test_cli_unknown_collection_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.main import main

    assert main(["data", "corpus", "--collections", "oneills1850,nope"]) == 1
    err = capsys.readouterr().err
    assert "unknown collection 'nope'" in err and "oneills1850" in err


_TUNE = """X:{x}
T:Tune {x}
M:4/4
L:1/8
K:{key}
{body}|]
"""


def _random_body(rng: random.Random) -> str:
    letters = "CDEFGABcdefgab"
    bars = ["".join(rng.choice(letters) for _ in range(8)) for _ in range(8)]
    return "|".join(bars)


@pytest.fixture()
def tiny_collection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    rng = random.Random(3)
    folder = tmp_path / "tinyset"
    folder.mkdir()
    bodies = [_random_body(rng) for _ in range(12)]
    text = "\n".join(_TUNE.format(x=i + 1, key="G", body=b) for i, b in enumerate(bodies))
    # tune 13 repeats tune 1 a fifth higher (same intervals: a duplicate under another number)
    up_a_fifth = dict(zip("CDEFGABcdefgab", ["G", "A", "B", "c", "d", "e", "f", "g", "a", "b", "c'", "d'", "e'", "f'"]))
    shifted = bodies[0].translate(str.maketrans(up_a_fifth))
    (folder / "book.abc").write_text(text + "\n" + _TUNE.format(x=13, key="D", body=shifted))
    monkeypatch.setitem(COLLECTIONS, "tinyset", CollectionSpec("tinyset", "abc", str(folder), "t", "x", "tune"))
    return "tinyset"


def test_tiny_build_dedupes_splits_and_reuses_cache(tiny_collection: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from music_models.corpus import build, build_corpus, load_corpus
    from music_models.corpus.cache import meta_path

    stats = build_corpus(collections=[tiny_collection], workers=1, progress=False)
    assert stats.parsed_now == (tiny_collection,)
    assert stats.parsed_by_collection[tiny_collection] == 13 and stats.failures_total == 0
    assert stats.duplicates_dropped >= 1 and stats.tunes_total == 13 - stats.duplicates_dropped
    assert sum(stats.splits.values()) == stats.tunes_total
    assert stats.chord_tone_ratio is not None and 0.0 < stats.chord_tone_ratio <= 1.0
    meta = json.loads(meta_path().read_text())
    assert meta["collections"][tiny_collection]["params_hash"] and meta["music21_version"]

    everything = load_corpus(collections=[tiny_collection], progress=False)
    parts = {s: load_corpus(collections=[tiny_collection], split=s, progress=False) for s in SPLITS}
    ids = {s: {t.tune_id for t in ts} for s, ts in parts.items()}
    assert set().union(*ids.values()) == {t.tune_id for t in everything}
    assert sum(len(v) for v in ids.values()) == len(everything)
    assert all(split_of(i) == s for s, v in ids.items() for i in v)
    assert "tinyset-0013" not in {t.tune_id[:12] for t in everything}  # the later duplicate is dropped

    # warm cache: nothing is parsed again, even in a fresh process state
    build._TUNES_MEMO.clear()

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the warm cache must not be parsed again")

    monkeypatch.setattr(build, "_parse_collections", no_parsing)
    again = build_corpus(collections=[tiny_collection], workers=1, progress=False)
    assert again.parsed_now == () and again.tunes_total == stats.tunes_total
    assert [t.tune_id for t in load_corpus(collections=[tiny_collection], progress=False)] == \
        [t.tune_id for t in everything]
    monkeypatch.undo()


def test_new_parameters_or_rebuild_parse_again(tiny_collection: str) -> None:
    from music_models.corpus import build_corpus

    first = build_corpus(collections=[tiny_collection], workers=1, progress=False)
    assert build_corpus(collections=[tiny_collection], workers=1, progress=False).parsed_now == ()
    assert build_corpus(collections=[tiny_collection], workers=1, progress=False,
                        rebuild=True).parsed_now == (tiny_collection,)
    other = build_corpus(collections=[tiny_collection], workers=1, progress=False,
                         config=CorpusConfig(dedupe_intervals=4))
    assert other.parsed_now == (tiny_collection,) and other.params_hash != first.params_hash


def test_corrupt_cache_file_says_how_to_fix(tiny_collection: str) -> None:
    from music_models.corpus import build, build_corpus, load_corpus
    from music_models.corpus.cache import collection_path

    build_corpus(collections=[tiny_collection], workers=1, progress=False)
    collection_path(tiny_collection).write_bytes(b"\x1f\x8bnot really gzip")
    build._TUNES_MEMO.clear()
    with pytest.raises(CorpusError, match="--rebuild"):
        load_corpus(collections=[tiny_collection], progress=False)


@pytest.mark.slow
def test_full_corpus_build() -> None:
    """The whole catalog (minutes on 2 cores): >= 4 collections, >= 10,000 tunes, ratio in range."""
    from music_models.corpus import build_corpus, load_corpus

    stats = build_corpus(progress=False)
    assert len([c for c, n in stats.tunes_by_collection.items() if n > 0]) >= 4
    assert stats.tunes_total >= 10000
    assert stats.chord_tone_ratio is not None and 0.70 <= stats.chord_tone_ratio <= 0.85
    test = load_corpus(split="test", progress=False)
    train_sigs = {t.extra["dedupe_key"] for t in load_corpus(split="train", progress=False)}
    assert not any(t.extra["dedupe_key"] in train_sigs for t in test)
