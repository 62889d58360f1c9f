"""privacy._invisible: the table of invisible code points kept for this Unicode version is the
one a scan of every code point finds, and normalise strips exactly those."""

from __future__ import annotations

import unicodedata

from generator import privacy


def test_table_is_the_scan_of_every_code_point():
    scanned = privacy._invisible_ranges()
    if unicodedata.unidata_version == privacy._INVISIBLE_UNIDATA:
        assert privacy._INVISIBLE_RANGES == scanned
    else:  # another Python: the pattern comes from the scan (update the table to save the time)
        privacy._invisible.cache_clear()
    pattern = privacy._invisible()
    every = "".join(chr(cp) for first, last in scanned for cp in range(first, last + 1))
    assert pattern.fullmatch(every)
    assert pattern.sub("", "a\u200bb\u3000c\ufeffd\u00a0e\U000e0041f") == "abcdef"
    assert pattern.sub("", "张三·13800138000") == "张三·13800138000"  # visible characters stay


def test_normalise_drops_invisible_characters():
    assert privacy.normalise("1380\u200d013\u20608000") == privacy.normalise("13800138000")
