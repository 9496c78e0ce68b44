"""What the sub-commands share (cli/commands/common.py), through ``cdkg`` itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdkg.cli import main


@pytest.mark.parametrize(("command", "options"), [("check", []), ("export", ["--format", "csv"])])
def test_a_missing_dataset_file_is_named_with_the_command(
    command: str, options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.nq"
    build = ["--build-dir", str(tmp_path / "build")]
    code = main([*build, command, *options, "--dataset", str(missing)])
    assert code == 2
    assert capsys.readouterr().err == f"cdkg {command}: no dataset file {missing}\n"
    assert not (tmp_path / "build").exists()  # nothing was built instead
