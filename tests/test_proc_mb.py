"""One reader of Linux /proc memory figures (browser.proc_figure, with a unit), used by the renderer
check of a browser session (browser.renderer_mb), by the memory budget of the printing (pdf) and by
the build's Python processes (memory.tree_mb)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.private import browser, memory, pdf


def test_one_reader_of_proc_figures(tmp_path, monkeypatch):
    assert pdf._proc_figure is browser.proc_figure
    status = tmp_path / "status"
    status.write_bytes("Name:\t渲染器\nVmPeak:\t  999999 kB\nVmRSS:\t  307200 kB\n".encode())
    assert browser.proc_figure(str(status), "VmRSS:") == 300  # a process name not in ASCII does not hide it
    assert browser.proc_figure(str(status), "VmRSS:", browser.KIB) == 307200  # in kB, as written
    assert browser.proc_figure(str(status), "MemAvailable:") is None
    assert browser.proc_figure(str(tmp_path / "missing"), "VmRSS:") is None
    status.write_text("VmRSS:\tlots kB\n")
    assert browser.proc_figure(str(status), "VmRSS:") is None
    read = []
    monkeypatch.setattr(browser, "proc_figure", lambda file, field, unit=1024: read.append((file, field)) or 0)
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
    here = browser.proc_figure(f"/proc/{os.getpid()}/status", "VmRSS:") or 0
    assert here > 0
    assert abs((pdf.process_mb(os.getpid()) or 0) - here) < 64  # the same figure, read a moment later


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_the_build_tree_reads_through_the_one_reader(monkeypatch):
    """memory._process_kb (the build's Python processes, memory.tree_mb) reads PSS in kB through
    browser.proc_figure, and falls back to the resident size where no PSS can be read."""
    read = []
    real = browser.proc_figure

    def figure(file, field, unit=browser.MIB):
        read.append((file, field, unit))
        return None if field == "Pss:" else real(file, field, unit)

    monkeypatch.setattr(memory, "proc_figure", figure)
    kb = memory._process_kb(os.getpid())
    assert [(f, u) for _, f, u in read] == [("Pss:", browser.KIB), ("VmRSS:", browser.KIB)]
    assert abs(kb // 1024 - (browser.proc_figure(f"/proc/{os.getpid()}/status", "VmRSS:") or 0)) < 64
    monkeypatch.setattr(memory, "proc_figure", lambda file, field, unit=browser.MIB: None)
    assert memory._process_kb(os.getpid()) == 0  # gone
