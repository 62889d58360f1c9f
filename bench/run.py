"""Run the benchmark of what users run: `python bench/run.py [--quick] [user_bench options]`.

Everything bench/user_bench.py measures (check, build with and without PDFs, the one-cell
rebuilds, serve latency, peak memory, ratios to a bare read) at 200, 2,000 and 20,000 workers;
`--quick` is a smoke run on the demo station. The step-by-step breakdowns stay separate:
bench/check_bench.py (reader and rules against a bare read) and bench/build_bench.py (the
build's stages).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import user_bench  # noqa: E402

if __name__ == "__main__":
    user_bench.main(sys.argv[1:])
