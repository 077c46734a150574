"""Shared fixtures: every test gets its own data directory, never the user's cache."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path_factory.mktemp("humdinger-data")
    monkeypatch.setenv("HUMDINGER_DATA", str(path))
    return path
