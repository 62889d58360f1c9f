"""A real install, as a clerk gets it: build the wheel, install it (with the PDF extra) into a
fresh virtual environment, and run the README's commands from an unrelated folder, with
nothing from poppler (pdftotext) on PATH. The installed bangfu must find its templates,
theme overrides and mkdocs.yml inside the package, write the site and the private folder
beside the records, and still leak-scan the wall-printout PDFs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run(args, **kw):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=900, **kw)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_wheel_installs_and_builds_from_another_folder(tmp_path):
    dist = tmp_path / "dist"
    source = tmp_path / "source"  # a copy, so the test never writes build files into the checkout
    top = {".git", ".venv", "site", "private", ".bangfu", "build", "dist", "test-artifacts", "bench",
           ".pytest_cache", ".hypothesis"}

    def skip(folder, names):
        junk = {n for n in names if n == "__pycache__" or n.endswith(".egg-info") or n == "_shipped"}
        return junk | (top & set(names) if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, source, ignore=skip)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source])
    wheel = next(dist.glob("bangfu-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/_shipped/mkdocs.yml" in names
    assert "generator/_shipped/site_templates/overrides/main.html" in names
    assert "generator/_shipped/site_templates/overrides/assets/javascripts/iframe-worker/shim.js" in names
    assert "generator/_shipped/site_templates/private/dossier.html" in names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    run([bindir / "python", "-m", "pip", "install", "-q", f"bangfu[pdf] @ {wheel.as_uri()}"])

    station = tmp_path / "帮扶站"
    shutil.copytree(ROOT / "records", station / "records")
    terminal = tmp_path / "终端"
    terminal.mkdir()
    env = {"PATH": str(bindir), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "BANGFU_PDF_JOBS": "1", "NO_MKDOCS_2_WARNING": "1"}
    assert shutil.which("pdftotext", path=env["PATH"]) is None
    check = run([bindir / "bangfu", "check", station / "records", "--today", "2026-11-23"], cwd=terminal, env=env)
    assert "没有发现问题" in check.stdout
    build = run([bindir / "bangfu", "build", station / "records", "--today", "2026-11-23", "--no-private"],
                cwd=terminal, env=env)
    assert "隐私检查通过" in build.stdout, build.stdout
    dossier = run([bindir / "bangfu", "dossier", station / "records", "SF-0001", "--no-pdf"], cwd=terminal, env=env)
    assert "SF-0001" in dossier.stdout
    assert list(terminal.iterdir()) == []  # nothing in the terminal's folder
    site = station / "site"
    assert (site / "index.html").is_file() and (site / "search" / "search_index.js").is_file()
    assert (site / "assets" / "stylesheets" / "bangfu.css").is_file()  # the theme overrides shipped
    assert (site / "assets" / "javascripts" / "iframe-worker" / "shim.js").is_file()
    assert list((site / "print").rglob("*.pdf"))  # wall PDFs, leak-scanned without pdftotext
    assert list((station / "private" / "档案").glob("SF-0001*.html"))
    # the installed package used its shipped copies, not this checkout
    where = run([bindir / "python", "-c", "import generator.resources as r; print(r.MKDOCS_YML)"],
                cwd=terminal, env=env).stdout.strip()
    assert Path(where).parent.name == "_shipped" and str(ROOT) not in where
