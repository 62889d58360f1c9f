"""Packaging step: copy the top-level mkdocs.yml and site_templates/ (the source of truth)
into the package as generator/_shipped/, so that an installed bangfu finds them.
All other metadata is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHARED = ["mkdocs.yml", "site_templates"]


class BuildWithShared(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "generator" / "_shipped"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in SHARED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithShared})
