"""``humdinger index`` / ``identify`` / ``library info`` through the CLI with the real model code
(an untrained checkpoint made here: shapes and speed are real, similarity is not) and local Qdrant."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_library import SR, melody, song_pitches

from assistant.cli.main import main

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from music_models.space.checkpoint import save_checkpoint
    from music_models.space.config import MusicSpaceConfig
    from music_models.space.model import MusicSpaceModel

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ckpt") / "untrained.pt"
    save_checkpoint(path, MusicSpaceModel(MusicSpaceConfig()), step=0, metrics={}, inference_only=True)
    return path


def test_index_then_identify_json(checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for i in range(3):
        sf.write(music / f"tune{i}.wav", melody(song_pitches(i, seconds=12)), SR)
    (music / "broken.wav").write_bytes(b"RIFF....WAVEnope")
    assert main(["index", str(music), "--checkpoint", str(checkpoint), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["indexed"] == 3 and len(report["failed"]) == 1 and report["segments_added"] == 3 * 9

    query = tmp_path / "query.flac"  # another container, rate and channel count than the library
    y = melody(song_pitches(1, seconds=12)[6:20])
    import soxr

    y44 = soxr.resample(y, SR, 44_100)
    sf.write(query, np.stack([y44, 0.5 * y44], axis=1), 44_100)
    assert main(["identify", str(query), "--checkpoint", str(checkpoint), "--top", "2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert list(d) == ["query", "duration_s", "verdict", "results", "timing_ms"]
    assert d["query"] == str(query) and d["duration_s"] == pytest.approx(7.0, abs=0.01)
    assert d["verdict"] in ("match", "unsure") and len(d["results"]) == 2
    assert list(d["results"][0]) == ["rank", "song_id", "title", "score", "confidence", "offset_s"]
    assert {r["title"] for r in d["results"]} <= {"tune0", "tune1", "tune2"}
    assert list(d["timing_ms"]) == ["load", "features", "embed", "search", "total"]
    assert d["timing_ms"]["embed"] > 0 and d["timing_ms"]["total"] >= d["timing_ms"]["search"]

    silence = tmp_path / "silence.wav"
    sf.write(silence, np.zeros(SR * 6, np.float32), SR)
    assert main(["identify", str(silence), "--checkpoint", str(checkpoint)]) == 0
    assert "no melody heard" in capsys.readouterr().out

    assert main(["index", str(music), "--checkpoint", str(checkpoint), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["indexed"], again["already_present"]) == (0, 3)
    assert main(["library", "info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["songs"], info["segments"], info["dim"], info["mode"]) == (3, 27, 128, "local")


def test_errors_say_how_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = tmp_path / "q.wav"
    sf.write(query, melody([60, 62, 64, 65] * 4), SR)
    assert main(["identify", str(query)]) == 1
    assert "humdinger library build" in capsys.readouterr().err
    assert main(["index", str(query), "--checkpoint", str(tmp_path / "missing.pt")]) == 1
    assert "humdinger train" in capsys.readouterr().err
    assert main(["identify", str(query), "--collection", "bad name!"]) == 1
    assert "library name" in capsys.readouterr().err
