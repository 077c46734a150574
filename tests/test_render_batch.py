"""Batch rendering and ``humdinger data render``: files, manifest, skipping on re-run, failures reported."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from music_models.paths import soundfont_path
from music_models.render.batch import (
    ManifestEntry,
    read_manifest,
    render_tunes,
    rendering_id,
    rendering_seed,
    select_evenly,
)
from music_models.types import Key, Meter, Note, Tune

WALTZ = Meter(3, 4)


def tiny_tune(tune_id: str, meter: Meter = WALTZ, *, seed: int = 0) -> Tune:
    rng = np.random.default_rng(seed)
    notes = tuple(Note(int(rng.choice([62, 64, 66, 67, 69, 71, 74])), i * 1.0, 1.0) for i in range(12))
    return Tune(tune_id, f"Tune {tune_id}", "tests", meter, Key(2), 132.0, notes)


def test_seeds_and_ids_are_stable_and_file_safe() -> None:
    s = rendering_seed(base_seed=0, tune_id="oneill/1850:12", index=1)
    assert s == rendering_seed(base_seed=0, tune_id="oneill/1850:12", index=1)
    assert s != rendering_seed(base_seed=0, tune_id="oneill/1850:12", index=0)
    assert s != rendering_seed(base_seed=1, tune_id="oneill/1850:12", index=1)
    rid = rendering_id(tune_id="oneill/1850:12 ü", index=1, seed=s)
    assert "/" not in rid and ":" not in rid and rid.endswith(f"__r1_s{s}")
    tunes = [tiny_tune(str(i)) for i in range(10)]
    assert [t.tune_id for t in select_evenly(tunes, limit=3)] == ["0", "3", "6"]
    assert select_evenly(tunes, limit=0) == tunes


@pytest.mark.integration
@pytest.mark.skipif(soundfont_path() is None, reason="needs fluid-soundfont-gm")
def test_batch_writes_wav_midi_manifest_and_skips_on_rerun(tmp_path: Path) -> None:
    import pretty_midi
    import soundfile

    tunes = [tiny_tune("a/1", Meter(3, 4)), tiny_tune("b/2", Meter(6, 8), seed=1),
             Tune("empty", "Empty", "tests", Meter(4, 4), Key(0), 100.0, ())]
    first = render_tunes(tunes, out_dir=tmp_path, base_seed=5, renderings=2, progress=False)
    assert (first.rendered, first.skipped) == (4, 0)
    assert [rid for rid, _ in first.failures] == [rendering_id(tune_id="empty", index=k, seed=rendering_seed(
        base_seed=5, tune_id="empty", index=k)) for k in range(2)]
    assert "no notes" in first.failures[0][1]
    manifest = read_manifest(tmp_path / "manifest.jsonl")
    assert len(manifest) == 4
    for e in manifest.values():
        info = soundfile.info(str(tmp_path / e.wav))
        assert info.samplerate == 16_000 and info.channels == 1
        assert abs(info.frames / info.samplerate - e.duration_s) < 1e-3
        midi = pretty_midi.PrettyMIDI(str(tmp_path / e.midi))
        assert {i.program for i in midi.instruments if not i.is_drum} == \
            {p for r, p in e.programs.items() if r != "drums"}
        times = [t for t, _ in e.beat_map]
        assert times == sorted(times) and e.beat_map[0][1] == 0.0
        assert e.beat_map[-1][0] <= e.duration_s
        assert abs((times[1] - times[0]) - 60.0 / e.tempo_qpm) < 1e-3
    assert len({(e.tune_id, e.programs["melody"], e.tempo_qpm) for e in manifest.values()}) == 4

    again = render_tunes(tunes, out_dir=tmp_path, base_seed=5, renderings=2, progress=False)
    assert (again.rendered, again.skipped) == (0, 4)

    # an interrupted run: files present, manifest line lost (and one truncated line) -> re-indexed, not re-rendered
    path = tmp_path / "manifest.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[1:]) + "\n" + lines[0][:40] + "\n")
    wav_mtime = (tmp_path / ManifestEntry.from_dict(json.loads(lines[0])).wav).stat().st_mtime_ns
    third = render_tunes(tunes, out_dir=tmp_path, base_seed=5, renderings=2, progress=False)
    assert (third.rendered, third.skipped) == (0, 4)
    assert len(read_manifest(path)) == 4
    assert (tmp_path / ManifestEntry.from_dict(json.loads(lines[0])).wav).stat().st_mtime_ns == wav_mtime


@pytest.mark.integration
@pytest.mark.skipif(soundfont_path() is None, reason="needs fluid-soundfont-gm")
def test_cli_renders_a_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.main import main
    from music_models import corpus

    asked: list[str | None] = []

    def fake_load_corpus(*, split: str | None = None, **_: object) -> list[Tune]:
        asked.append(split)
        return [tiny_tune(f"t{i}", seed=i) for i in range(5)]

    monkeypatch.setattr(corpus, "load_corpus", fake_load_corpus)
    out = tmp_path / "renders"
    assert main(["data", "render", "--split", "val", "--limit", "2", "--out", str(out), "--seed", "3"]) == 0
    assert asked == ["val"]
    assert "2 rendered" in capsys.readouterr().out
    assert len(list(out.glob("*.wav"))) == 2 and len(list(out.glob("*.mid"))) == 2
    assert main(["data", "render", "--split", "val", "--limit", "2", "--out", str(out), "--seed", "3"]) == 0
    assert "0 rendered, 2 already present" in capsys.readouterr().out
    assert main(["data", "render", "--limit", "-1", "--out", str(out)]) == 1
    assert "--limit must be >= 0" in capsys.readouterr().err
