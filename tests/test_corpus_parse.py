"""ABC text handling and parsing of tiny inline tunes into Tunes; bad input is skipped and counted."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from music_models.corpus.abc_text import (
    content_hash,
    first_voice_only,
    header_fields,
    parse_abc_key,
    parse_abc_meter,
    parse_abc_tempo_qpm,
    split_abc_tunes,
)
from music_models.corpus.abc_tune import parse_abc_tune
from music_models.corpus.registry import COLLECTIONS, CollectionSpec
from music_models.corpus.tempo import classify_tune_type, default_tempo_qpm
from music_models.errors import ParseError
from music_models.types import Key, Meter

# A jig with a one-quaver pickup, a tie across the bar, a grace note, a chord and a rest.
JIG = """X:7
T:The Test Jig
R:jig
M:6/8
L:1/8
K:Ador
E|A2A {B}AGE|G2A- ABc|[ce]3 z2 d|e3- e2d|
cBA GED|E3 A3|]
"""

SPEC = CollectionSpec("tinyfolk", "abc", "tinyfolk", "test tunes", "file_x", "tune")


def _tune_text(text: str = JIG, source: str = "tiny.abc"):  # type: ignore[no-untyped-def]
    return split_abc_tunes(text=text, source=source)[0]


def test_split_multi_tune_file_prepends_file_header() -> None:
    text = "% a book\nL:1/16\n\nX:1\nT:One\nK:G\nGABc|\n\nX:2\nT:Two\nK:D\nDEFG|\n"
    tunes = split_abc_tunes(text=text, source="book.abc")
    assert [t.reference for t in tunes] == [1, 2]
    assert all("L:1/16" in t.text for t in tunes)
    assert "Two" in tunes[1].text and "One" not in tunes[1].text
    assert header_fields(text=tunes[1].text)["T"] == ["Two"]
    assert split_abc_tunes(text="no tunes here", source="x.abc") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G", Key(7, "major")), ("Gm", Key(7, "minor")), ("Ador", Key(9, "dorian")), ("Gmix", Key(7, "mixolydian")),
        ("F# Minor", Key(6, "minor")), ("Bb", Key(10, "major")), ("E phr", Key(4, "phrygian")),
        ("Amin", Key(9, "minor")), ("D Major", Key(2, "major")), ("Hp", Key(9, "mixolydian")), ("Es", Key(3, "major")),
        ("G clef=bass", Key(7, "major")), ("none", None), ("", None),
    ],
)
def test_parse_abc_key(text: str, expected: Key | None) -> None:
    assert parse_abc_key(text=text) == expected


def test_parse_meter_and_tempo() -> None:
    assert parse_abc_meter(text="C") == Meter(4, 4)
    assert parse_abc_meter(text="C|") == Meter(2, 2)
    assert parse_abc_meter(text=" 6/8") == Meter(6, 8)
    assert parse_abc_meter(text="none") is None
    assert parse_abc_meter(text="7/6") is None
    assert parse_abc_tempo_qpm(text="1/4=120") == 120.0
    assert parse_abc_tempo_qpm(text="3/8=120") == 180.0
    assert parse_abc_tempo_qpm(text='"Allegro" 1/2=100') == 200.0
    assert parse_abc_tempo_qpm(text="80") == 80.0
    assert parse_abc_tempo_qpm(text='"Slowly"') is None


def test_tune_type_and_default_tempo() -> None:
    assert classify_tune_type(rhythm="double jig") == "jig"
    assert classify_tune_type(rhythm="slipjig") == "slip jig"
    assert classify_tune_type(title="7th Regiment -- Reel") == "reel"
    assert classify_tune_type(title="Fair Maid", notes_text='"Slow"', default_type="air") == "slow"
    assert classify_tune_type(meter=Meter(9, 8)) == "slip jig"
    assert classify_tune_type(meter=Meter(6, 8), default_type="song") == "song"
    rates = {"reel": 7.0, "tune": 4.0}
    # the same reel in quavers (4/4) and in semiquavers (2/4) sounds at the same speed
    quavers = default_tempo_qpm(tune_type="reel", durations_beats=[0.5] * 16, notes_per_second=rates,
                                min_qpm=40, max_qpm=240)
    semis = default_tempo_qpm(tune_type="reel", durations_beats=[0.25] * 16, notes_per_second=rates,
                              min_qpm=40, max_qpm=240)
    assert quavers == 210.0 and semis == 105.0


def test_first_voice_only_keeps_voice_one() -> None:
    text = "X:1\nT:Duet\nM:4/4\nL:1/4\nV:1\nV:2\nK:C\nV:1\nCDEF|\nV:2\nC,D,E,F,|\nV:1\nGABc|\n"
    kept = first_voice_only(text=text)
    assert "CDEF" in kept and "GABc" in kept and "C,D,E,F," not in kept
    assert first_voice_only(text=JIG) == JIG


def test_parse_inline_jig() -> None:
    tune = parse_abc_tune(tune=_tune_text(), spec=SPEC)
    assert tune.meter == Meter(6, 8)
    assert tune.key == Key(9, "dorian")
    assert tune.anacrusis_beats == pytest.approx(0.5)
    assert tune.title == "The Test Jig" and tune.collection == "tinyfolk"
    notes = tune.notes
    # pickup E4, then A2 = one beat; the grace {B} is skipped
    assert (notes[0].pitch, notes[0].onset_beats, notes[0].duration_beats) == (64, 0.0, 0.5)
    assert (notes[1].pitch, notes[1].onset_beats, notes[1].duration_beats) == (69, 0.5, 1.0)
    assert 71 not in [n.pitch for n in notes[:6]]
    # A- | A is tied across the bar: one note of 1.0 beat starting at 4.5
    tied = [n for n in notes if n.onset_beats == pytest.approx(4.5)]
    assert tied and tied[0].pitch == 69 and tied[0].duration_beats == pytest.approx(1.0)
    assert not any(n.onset_beats == pytest.approx(5.0) for n in notes)
    # the chord [ce]3 gives its top note E5 for 1.5 beats; then a rest of 1 beat is a gap
    chord_note = next(n for n in notes if n.onset_beats == pytest.approx(6.5))
    assert (chord_note.pitch, chord_note.duration_beats) == (76, 1.5)
    assert not any(8.0 - 1e-6 < n.onset_beats < 9.0 - 1e-6 for n in notes)
    # e3- e2 merges into 2.5 beats; monophonic and ordered throughout
    assert any(n.pitch == 76 and n.duration_beats == pytest.approx(2.5) for n in notes)
    assert all(a.end_beats <= b.onset_beats + 1e-9 for a, b in pairwise(notes))
    assert tune.chord_source == "harmoniser" and tune.chords
    assert tune.extra["tune_type"] == "jig" and tune.extra["tempo_from"] == "default"
    assert tune.tempo_qpm > 100
    assert tune.tune_id == f"tinyfolk-tiny-0007-{content_hash(text=_tune_text().text)}"


def test_tune_id_is_stable_and_content_addressed() -> None:
    a = parse_abc_tune(tune=_tune_text(), spec=SPEC)
    b = parse_abc_tune(tune=_tune_text(), spec=SPEC)
    c = parse_abc_tune(tune=_tune_text(JIG.replace("cBA GED", "cBA GEG")), spec=SPEC)
    assert a.tune_id == b.tune_id
    assert c.tune_id != a.tune_id and c.tune_id.startswith("tinyfolk-tiny-0007-")


def test_tempo_from_q_field() -> None:
    tune = parse_abc_tune(tune=_tune_text(JIG.replace("M:6/8", "M:6/8\nQ:3/8=100")), spec=SPEC)
    assert tune.tempo_qpm == 150.0 and tune.extra["tempo_from"] == "Q"


@pytest.mark.parametrize(
    "bad",
    [
        "X:1\nT:No key line\nM:4/4\nL:1/8\nABcd|\n",
        "X:2\nT:No notes\nM:4/4\nL:1/8\nK:G\n|]]]\n",
        "X:3\nT:Two notes\nM:4/4\nL:1/8\nK:G\nAB|\n",
    ],
)
def test_bad_tunes_raise_parse_error_with_file_name(bad: str) -> None:
    with pytest.raises(ParseError, match=r"broken\.abc X:\d"):
        parse_abc_tune(tune=_tune_text(bad, source="/x/broken.abc"), spec=SPEC)


def test_corrupt_input_is_skipped_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    from music_models.corpus import build_corpus, load_corpus

    folder = tmp_path / "tinyfolk"
    folder.mkdir()
    (folder / "good.abc").write_text(JIG + "\n" + JIG.replace("X:7", "X:8").replace("cBA GED", "c2B AGF"))
    (folder / "broken.abc").write_text("X:1\nT:Broken\nM:4/4\nK:G\n|]]]\n\nX:2\nT:No key\nABcdefga|\n")
    (folder / "latin1.abc").write_bytes(JIG.replace("X:7", "X:9").replace("Test Jig", "Caf\xe9 Jig")
                                        .replace("E|A2A", "E|A2B").encode("latin-1"))
    (folder / "empty.abc").write_text("% nothing but a comment\n")
    monkeypatch.setitem(COLLECTIONS, "tinyfolk", CollectionSpec("tinyfolk", "abc", str(folder), "t", "file_x", "tune"))
    with caplog.at_level("WARNING"):
        stats = build_corpus(collections=["tinyfolk"], workers=1, progress=False)
    assert stats.parsed_by_collection["tinyfolk"] == 3
    assert stats.failures_by_collection["tinyfolk"] == 3  # two bad tunes and a file without tunes
    assert any("broken.abc X:1" in r.getMessage() for r in caplog.records)
    assert any("empty.abc" in r.getMessage() for r in caplog.records)
    tunes = load_corpus(collections=["tinyfolk"])
    assert "The Café Jig" in {t.title for t in tunes}  # Latin-1 file decoded
    assert len(tunes) == 2 and stats.duplicates_by_collection["tinyfolk"] == 1  # X:8 only differs late on
