"""One reader of Linux /proc memory figures (browser.proc_mb), used by the renderer check of a
browser session (browser.renderer_mb) and by the memory budget of the printing (pdf)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.private import browser, pdf


def test_one_reader_of_proc_figures(tmp_path, monkeypatch):
    assert pdf._proc_mb is browser.proc_mb
    status = tmp_path / "status"
    status.write_bytes("Name:\t渲染器\nVmPeak:\t  999999 kB\nVmRSS:\t  307200 kB\n".encode())
    assert browser.proc_mb(str(status), "VmRSS:") == 300  # a process name not in ASCII does not hide it
    assert browser.proc_mb(str(status), "MemAvailable:") is None
    assert browser.proc_mb(str(tmp_path / "missing"), "VmRSS:") is None
    status.write_text("VmRSS:\tlots kB\n")
    assert browser.proc_mb(str(status), "VmRSS:") is None
    read = []
    monkeypatch.setattr(browser, "proc_mb", lambda file, field: read.append((file, field)) or 0)
    # a process with no renderer below it (not this one: a long test run may keep a browser here)
    lone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert browser.renderer_mb(lone.pid) == 0
    finally:
        lone.kill()
        lone.wait()
    assert read == []  # nothing read


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_this_process(tmp_path):
    here = browser.proc_mb(f"/proc/{os.getpid()}/status", "VmRSS:") or 0
    assert here > 0
    assert abs((pdf.process_mb(os.getpid()) or 0) - here) < 64  # the same figure, read a moment later
