"""Run every benchmark: `python bench/run.py` (20,000 workers / 100,000 payouts)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_bench  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:]
    check_bench.main(args)
    if importlib.util.find_spec("build_bench") is not None:
        import build_bench

        build_bench.main(args)
