"""Pause Python's cyclic garbage collector while bulk data is built.

Reading 100,000 rows creates millions of lists and records; each allocation burst
triggers a cyclic-GC pass that walks every live container, and together those
passes cost about a third of the read. Nothing built while reading or checking
forms reference cycles, so reference counting frees it all; the collector is
switched back on afterwards (nesting-safe).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
