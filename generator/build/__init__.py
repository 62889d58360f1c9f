"""The build: check the records, render the public site and the wall printouts, prove the
site leaks nothing, write the private records, and swap the new folders in.

    from generator.build import build_all
    code = build_all(Path("records"), site_dir=Path("site"), private_dir=Path("private"),
                     today=None, pdf=True, echo=print)

- run.py: `build_all`, the entry (folder checks, the build lock, exit codes);
- steps.py: the steps of one build, in order;
- folders.py: which folders a build may use and replace;
- state.py: the state of the last good build (incremental builds);
- publish.py: the atomic swap of a finished folder into place;
- lock.py: one build at a time per work folder.

This package drives both sides; the public side (generator/site) never imports the
private side (generator/private), and neither imports this package.
"""

from __future__ import annotations

from .folders import Refused, check_folders, template_dirs, work_dir
from .run import build_all
from .state import manifest

__all__ = ["Refused", "build_all", "check_folders", "manifest", "template_dirs", "work_dir"]
