"""A real headless browser for tests: Chromium's headless shell (Debian's
`chromium-headless-shell`, which .ci/run installs), driven from the command line: the DOM
after scripts ran, and every message the page wrote to the browser's console."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

BROWSERS = ("chromium-headless-shell", "chrome-headless-shell", "chromium", "chromium-browser", "google-chrome")


@dataclass(frozen=True)
class Rendered:
    dom: str  # the document as the browser holds it after loading
    console: list[str]  # console messages and uncaught errors, one per line


def browser() -> str:
    """The browser's path. Its absence skips even under KIGI_TESTS_STRICT: it is an OS
    package, not something pip installs, and .ci/run installs it wherever the OS can."""
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    pytest.skip("no headless browser on PATH (apt-get install chromium-headless-shell)")


def render(page: Path) -> Rendered:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([browser(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                               "--enable-logging=stderr", "--v=0", "--dump-dom", page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=120)
    console = [line.split("] ", 1)[-1] for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(done.stdout, console)
