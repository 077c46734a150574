from __future__ import annotations

import json
import subprocess
import sys

from assistant.cli.main import build_parser, main


def test_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for cmd in ("demo", "doctor", "data"):
        assert cmd in text


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from assistant.cli.main import build_parser; build_parser().format_help(); "
            "heavy = [m for m in ('torch', 'librosa', 'music21', 'pretty_midi', 'qdrant_client') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_doctor_reports_every_component_as_json(capsys) -> None:  # type: ignore[no-untyped-def]
    main(["doctor", "--json"])
    checks = json.loads(capsys.readouterr().out)
    names = {c["name"] for c in checks}
    assert {"soundfont", "fluidsynth", "espeak-ng", "audio devices", "rasa", "qdrant storage"} <= names
    assert all(c["ok"] or c["fix"] for c in checks)


def test_no_command_prints_help_and_exits_2(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out
