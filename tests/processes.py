"""Test helpers about running processes (Linux /proc)."""

from __future__ import annotations

import os


def processes_naming(text: str) -> list[int]:
    """The pids of running processes whose command line contains `text` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found
