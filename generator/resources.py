"""Where the files that are not Python live: mkdocs.yml and site_templates/.

The top-level `mkdocs.yml` and `site_templates/` of the source tree are the source of
truth. A wheel (or `pip install .`) carries a copy of them inside the package, in
`generator/_shipped/`, made by the build step in setup.py. In a checkout (or an
editable install) the top-level files are used, so editing them takes effect at once;
in an installed copy the shipped ones are. Nothing is looked up in the current folder.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SHIPPED = PACKAGE / "_shipped"


def _root() -> Path:
    checkout = PACKAGE.parent
    if (checkout / "mkdocs.yml").is_file() and (checkout / "site_templates").is_dir():
        return checkout
    return SHIPPED


ROOT = _root()
MKDOCS_YML = ROOT / "mkdocs.yml"
TEMPLATES = ROOT / "site_templates"
JIEBA_WORDS = PACKAGE / "data" / "jieba_user.txt"
