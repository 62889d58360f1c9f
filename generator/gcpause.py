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


def give_back() -> None:
    """Collect what is garbage now and hand the freed memory back to the system (glibc's
    malloc_trim, Linux; elsewhere the collection only): for a process about to wait long on
    others (a build while its private writer prints PDFs) after letting go of its data.
    Objects frozen by gc.freeze stay frozen and are not walked."""
    gc.collect()
    import sys

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass
