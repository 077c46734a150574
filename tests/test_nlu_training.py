"""ensure_model's cache and subprocess handling, with a stand-in ``rasa train nlu`` (no TensorFlow)."""

from __future__ import annotations

import shutil
import stat
import sys
from pathlib import Path

import pytest

from assistant.nlu import NluConfig, NluTrainingError, ensure_model, find_model

REPO = Path(__file__).resolve().parents[1]

FAKE_TRAIN = r'''#!{python}
import os, sys, time
args = sys.argv[1:]
assert args[:2] == ["train", "nlu"], args
with open(os.environ["FAKE_RASA_CALLS"], "a") as f:
    f.write(" ".join(args) + "\n")
if os.environ.get("FAKE_RASA_FAIL"):
    print("InvalidConfigException: the pipeline is broken", flush=True)
    sys.exit(1)
for i in range(1, 4):
    sys.stdout.write(f"\rEpochs:  {{i * 33}}%|###| {{i}}/3 [00:0{{i}}<00:00, t_loss=1.0]")
    sys.stdout.flush()
out, name = args[args.index("--out") + 1], args[args.index("--fixed-model-name") + 1]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, name + ".tar.gz"), "wb") as f:
    f.write(b"model")
'''


@pytest.fixture()
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[NluConfig, Path]:
    venv = tmp_path / "venv-rasa"
    (venv / "bin").mkdir(parents=True)
    rasa = venv / "bin" / "rasa"
    rasa.write_text(FAKE_TRAIN.format(python=sys.executable))
    rasa.chmod(rasa.stat().st_mode | stat.S_IXUSR)
    project = tmp_path / "nlu_data"
    shutil.copytree(REPO / "nlu_data", project, ignore=shutil.ignore_patterns("reports"))
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("FAKE_RASA_CALLS", str(calls))
    return NluConfig(project_dir=project, rasa_venv=venv, model_dir=tmp_path / "models", models_to_keep=2), calls


def test_trains_once_then_uses_the_cache(setup: tuple[NluConfig, Path]) -> None:
    cfg, calls = setup
    assert find_model(config=cfg) is None
    path = ensure_model(config=cfg, progress=True)
    assert path.is_file() and path == find_model(config=cfg)
    assert ensure_model(config=cfg, progress=False) == path
    assert len(calls.read_text().splitlines()) == 1  # the second call did not retrain
    assert sorted(p.name for p in path.parent.iterdir()) == [".train.lock", path.name]


def test_changed_data_retrains_and_old_models_are_pruned(setup: tuple[NluConfig, Path]) -> None:
    cfg, calls = setup
    seen = []
    for i in range(3):
        with (cfg.project_dir / "data" / "nlu.yml").open("a") as f:
            f.write(f"\n# change {i}\n")
        seen.append(ensure_model(config=cfg, progress=False))
    assert len(set(seen)) == 3 and len(calls.read_text().splitlines()) == 3
    assert sorted(cfg.resolved_model_dir().glob("*.tar.gz")) == sorted(seen[1:])  # models_to_keep=2


def test_failed_training_raises_with_rasa_output(setup: tuple[NluConfig, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, _ = setup
    monkeypatch.setenv("FAKE_RASA_FAIL", "1")
    with pytest.raises(NluTrainingError, match="(?s)exit 1.*pipeline is broken"):
        ensure_model(config=cfg, progress=False)
    assert find_model(config=cfg) is None
