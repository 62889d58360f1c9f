"""LibreOffice in tests: convert workbooks the way a station's own program saves them.

    converted = convert([a.xlsx, b.xlsx], "xls", out_dir)   # -> [out_dir/a.xls, out_dir/b.xls]

Each call uses its own LibreOffice profile, so parallel test runs do not share a lock.
Tests that need it are skipped where LibreOffice is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def need_office():
    if SOFFICE is None:
        if os.environ.get("BANGFU_REQUIRE_OFFICE"):  # CI installs it: missing is an error there
            pytest.fail("LibreOffice (soffice) is required here (BANGFU_REQUIRE_OFFICE) but not installed")
        pytest.skip("LibreOffice (soffice) is not installed")


def convert(paths, fmt: str, out_dir: Path) -> list[Path]:
    need_office()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", fmt, "--outdir", str(out_dir), *map(str, paths)],
                       check=True, capture_output=True, timeout=180)
    out = [out_dir / (Path(p).stem + "." + fmt) for p in paths]
    missing = [p for p in out if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return out
