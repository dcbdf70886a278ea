"""The user directory: created user-only, an existing one left as its owner set it, and one
kigi cannot use reported by every command in one line, never a traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import cli
from agent.errors import HomeError
from agent.home import KigiHome
from ui.errors import user_errors


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ensure_creates_the_tree_user_only(tmp_path):
    home = KigiHome(tmp_path / "kigi").ensure()
    assert [mode(p) for p in (home.root, home.models, home.adapters, home.memory)] == [0o700] * 4


def test_ensure_keeps_the_permissions_of_a_directory_the_user_made(tmp_path):
    root = tmp_path / "shared"
    root.mkdir()
    os.chmod(root, 0o755)
    home = KigiHome(root).ensure()
    assert mode(root) == 0o755 and mode(home.models) == 0o700
    os.chmod(home.models, 0o750)
    home.ensure()
    assert mode(root) == 0o755 and mode(home.models) == 0o750


def test_a_file_in_the_way_is_a_home_error_naming_the_path(tmp_path):
    (tmp_path / "models").write_text("not a folder")
    with pytest.raises(HomeError, match=f"cannot create {tmp_path / 'models'} \\(a file is in the way\\)"):
        KigiHome(tmp_path).ensure()


@pytest.mark.parametrize(("layout", "args"), [
    ("home is a file", ["logs"]),
    ("home is a file", ["model", "list"]),
    ("home is under a file", ["prefs", "stats"]),
    ("models is a file", ["adapter", "list"]),
])
def test_an_unusable_home_gives_one_line_and_exit_1(tmp_path, layout, args):
    blocker = tmp_path / "kigi"
    home = {"home is a file": blocker, "home is under a file": blocker / "sub", "models is a file": tmp_path}[layout]
    (tmp_path / "models" if layout == "models is a file" else blocker).write_text("in the way")
    result = CliRunner().invoke(cli.app, args, env={"KIGI_HOME": str(home), "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("kigi: error: cannot create ") and "a file is in the way" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_os_error_inside_a_command_is_one_line(capsys):
    with pytest.raises(typer.Exit) as info, user_errors():
        raise PermissionError(13, "Permission denied", "/srv/kigi/kigi.db")
    assert info.value.exit_code == 1
    assert capsys.readouterr().err == "kigi: error: Permission denied: /srv/kigi/kigi.db\n"


def test_a_file_kigi_cannot_write_is_one_line_from_the_cli(tmp_path):
    result = CliRunner().invoke(cli.app, ["prefs", "export", "-o", str(tmp_path)],
                                env={"KIGI_HOME": str(tmp_path / "home"), "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("kigi: error: ") and f"{tmp_path}.partial" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
