"""The Rasa project in nlu_data/: enough varied examples, entities that the lookups can find, a clean
held-out set, the song-title lookup generator, and the training cache's content hash. No Rasa needed."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.nlu.config import NluConfig
from assistant.nlu.errors import NluSetupError
from assistant.nlu.lookups import (
    SEED_TITLES,
    clean_titles,
    render_song_title_yaml,
    title_variants,
    write_song_title_lookup,
)
from assistant.nlu.training import model_path_for, project_hash
from music_models.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "nlu_data"
HELDOUT = REPO / "bench" / "data" / "heldout_commands.tsv"
REQUIRED_INTENTS = {"identify_song", "play_along", "compose_like", "play_music", "stop", "pause", "resume",
                    "repeat", "affirm", "deny", "help", "greet", "goodbye"}
ENTITIES = {"song_title", "genre", "instrument", "mood", "tempo"}
_ANNOT = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _nlu_items() -> list[dict]:
    items: list[dict] = []
    for path in sorted((PROJECT / "data").rglob("*.yml")):
        items += (yaml.safe_load(path.read_text()) or {}).get("nlu", []) or []
    return items


def _examples(block: str) -> list[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def _intent_examples() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in _nlu_items():
        if "intent" in item:
            out.setdefault(item["intent"], []).extend(_examples(item["examples"]))
    return out


def _lookups() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in _nlu_items():
        if "lookup" in item:
            out.setdefault(item["lookup"], set()).update(e.lower() for e in _examples(item["examples"]))
    return out


def _plain(example: str) -> str:
    return _ANNOT.sub(lambda m: m.group(1), example).strip().lower()


def test_every_intent_has_25_distinct_examples_and_domain_agrees() -> None:
    examples = _intent_examples()
    assert REQUIRED_INTENTS <= set(examples)
    for intent, exs in examples.items():
        assert len(set(exs)) >= 25, f"{intent} has only {len(set(exs))} examples"
    plain = [_plain(e) for exs in examples.values() for e in exs]
    duplicates = [t for t, n in Counter(plain).items() if n > 1]
    assert not duplicates, f"examples under two intents (or twice): {duplicates}"
    domain = yaml.safe_load((PROJECT / "domain.yml").read_text())
    assert set(domain["intents"]) == set(examples)
    assert set(domain["entities"]) == ENTITIES


def test_every_annotated_entity_is_found_by_its_lookup_table() -> None:
    lookups = _lookups()
    assert ENTITIES <= set(lookups)
    seen: set[str] = set()
    for exs in _intent_examples().values():
        for ex in exs:
            for value, entity in _ANNOT.findall(ex):
                seen.add(entity)
                assert entity in ENTITIES, f"unknown entity {entity!r} in {ex!r}"
                assert value.lower() in lookups[entity], f"{value!r} ({entity}) is not in lookups/{entity}.yml"
    assert seen == ENTITIES, f"entities never annotated (RegexEntityExtractor would ignore them): {ENTITIES - seen}"


def test_config_has_fallback_and_lookup_extractor() -> None:
    cfg = yaml.safe_load((PROJECT / "config.yml").read_text())
    names = [c["name"] for c in cfg["pipeline"]]
    assert names.index("RegexEntityExtractor") < names.index("EntitySynonymMapper")
    fallback = next(c for c in cfg["pipeline"] if c["name"] == "FallbackClassifier")
    assert 0.5 <= fallback["threshold"] <= 0.7


def test_heldout_commands_are_new_phrasings_with_known_labels() -> None:
    with HELDOUT.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    examples = _intent_examples()
    counts = Counter(r["intent"] for r in rows)
    assert set(counts) == set(examples) and min(counts.values()) >= 10
    trained = {_plain(e) for exs in examples.values() for e in exs}
    verbatim = [r["text"] for r in rows if r["text"].strip().lower() in trained]
    assert not verbatim, f"held-out texts that appear verbatim in nlu.yml: {verbatim}"
    lookups = _lookups()
    for r in rows:
        for pair in filter(None, (r["entities"] or "").split(";")):
            entity, value = pair.split("=", 1)
            assert entity in ENTITIES
            assert any(v in r["text"].lower() for v in lookups[entity]), f"no {entity} lookup entry in {r['text']!r}"
            del value


def test_title_variants_cover_spoken_forms() -> None:
    assert title_variants(title="The Irish Washerwoman") == ["the irish washerwoman", "irish washerwoman"]
    assert "frere jacques" in title_variants(title="Frère Jacques")
    assert "jesu joy of mans desiring" in title_variants(title="Jesu, Joy of Man's Desiring")
    assert title_variants(title="Jig") == []  # a command word, not a title


def test_clean_titles_drops_junk_and_duplicates() -> None:
    got = clean_titles(titles=["Greensleeves", "greensleeves ", "", "Reel", "ab", None, "Loch  Lomond."])  # type: ignore[list-item]
    assert got == ["Greensleeves", "Loch Lomond"]


def test_generated_lookup_is_valid_rasa_yaml(tmp_path: Path) -> None:
    path = tmp_path / "song_title.yml"
    assert write_song_title_lookup(titles=["The Kesh", "Frère Jacques", "Greensleeves"], path=path) == 3
    doc = yaml.safe_load(path.read_text())
    lookup = next(i for i in doc["nlu"] if i.get("lookup") == "song_title")
    assert set(_examples(lookup["examples"])) == {"the kesh", "kesh", "frère jacques", "frere jacques", "greensleeves"}
    synonyms = {i["synonym"]: _examples(i["examples"]) for i in doc["nlu"] if "synonym" in i}
    assert synonyms["The Kesh"] == ["the kesh", "kesh"] and synonyms["Frère Jacques"][-1] == "frere jacques"
    with pytest.raises(ConfigError, match="no usable song titles"):
        render_song_title_yaml(titles=["", "ab"])


def test_committed_song_title_lookup_matches_the_seed_titles() -> None:
    committed = _lookups()["song_title"]
    for title in clean_titles(titles=SEED_TITLES):
        assert title.lower() in committed or title_variants(title=title)[0] in committed


def test_project_hash_tracks_content_only(tmp_path: Path) -> None:
    copy = tmp_path / "nlu_data"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("reports"))
    h = project_hash(project_dir=copy)
    assert h == project_hash(project_dir=PROJECT) and re.fullmatch(r"[0-9a-f]{16}", h)
    (copy / "reports").mkdir(exist_ok=True)
    (copy / "reports" / "x.json").write_text("{}")
    assert project_hash(project_dir=copy) == h  # reports do not force retraining
    with (copy / "data" / "nlu.yml").open("a") as f:
        f.write("\n")
    assert project_hash(project_dir=copy) != h
    cfg = NluConfig(project_dir=copy, model_dir=tmp_path / "models")
    assert model_path_for(config=cfg) == tmp_path / "models" / f"{project_hash(project_dir=copy)}.tar.gz"
    with pytest.raises(NluSetupError, match="not a Rasa project"):
        project_hash(project_dir=tmp_path)
