"""Piped input is read with a byte cap derived from the context window: whatever is piped in,
memory stays bounded and the error comes before anything is decoded or tokenised."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.errors import InputTooLargeError
from agent.inputs import BYTES_PER_TOKEN, input_byte_limit, read_capped
from tests.test_cli_ask import home, kigi  # noqa: F401 - the module's tiny-model home fixture


class Endless(io.RawIOBase):
    """A stream that never ends and counts what was taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"a" * len(buffer)
        self.taken += len(buffer)
        return len(buffer)


def test_input_under_the_cap_is_read_whole():
    data = b"x" * 1000
    assert read_capped(io.BytesIO(data), limit=1000) == data
    assert read_capped(io.BytesIO(b""), limit=10) == b""


def test_input_over_the_cap_is_refused_after_reading_one_byte_past_it():
    stream = Endless()
    with pytest.raises(InputTooLargeError, match="larger than 4,096 bytes .* 512-token context window"):
        read_capped(stream, input_byte_limit(512))
    assert stream.taken == 4096 + 1


def test_the_cap_is_eight_bytes_a_token():
    assert BYTES_PER_TOKEN == 8 and input_byte_limit(8192) == 65536


def test_kigi_ask_refuses_megabytes_of_stdin_in_one_line(home):  # noqa: F811
    result = kigi(home, "ask", "-m", "tiny", "summarise", stdin=b"a" * (8 << 20))
    err = result.stderr.decode()
    assert result.returncode == 1 and result.stdout == b""
    assert "stdin is larger than 4,096 bytes" in err and len(err.strip().splitlines()) == 1


def test_stdin_under_the_cap_but_over_the_window_is_still_refused_by_tokens(home):  # noqa: F811
    result = kigi(home, "ask", "-m", "tiny", "summarise", stdin=("word " * 800).encode())
    assert result.returncode == 1
    assert "context window" in result.stderr.decode() and "larger than" not in result.stderr.decode()


PIPE_MEGABYTES = """
import resource, subprocess, sys
megabytes = int(sys.argv[1])
kigi = subprocess.Popen([sys.executable, "-m", "cli", "ask", "-m", "tiny", "summarise"],
                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(megabytes * 16):
        kigi.stdin.write(b"a" * 65536)
    kigi.stdin.close()
except BrokenPipeError:
    pass  # kigi stopped reading at its cap, as it should
print(kigi.wait(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_peak_memory_does_not_grow_with_the_size_of_stdin(home):  # noqa: F811
    """The same refusal for 1 MB and 64 MB of stdin, at about the same peak RSS."""
    peaks = []
    for megabytes in (1, 64):
        out = subprocess.run([sys.executable, "-c", PIPE_MEGABYTES, str(megabytes)], capture_output=True,
                             text=True, timeout=300, env={**os.environ, "KIGI_HOME": str(home)},
                             cwd=Path(__file__).parent.parent)
        exit_code, peak_kb = map(int, out.stdout.split())
        assert exit_code == 1, out.stderr
        peaks.append(peak_kb)
    assert peaks[1] < peaks[0] + 32 * 1024, peaks  # 64 MB more stdin, not even 32 MB more memory
