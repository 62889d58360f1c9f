"""PDF from our print-ready HTML, when the optional WeasyPrint extra is installed.

Every document is written as self-contained HTML first; PDF is a second copy.
Without WeasyPrint (or without the system libraries it needs) nothing fails:
`HOW_TO_GET_PDF` tells the clerk what to install, and the HTML prints from any
browser. The stylesheets name "Noto Sans CJK SC" explicitly (also on the page
margin boxes), because WeasyPrint picks Japanese glyph shapes otherwise.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

HOW_TO_GET_PDF = (
    "未生成 PDF：没有安装 PDF 组件。HTML 文件可以直接用浏览器打开并打印（Ctrl+P）。"
    "如需 PDF，请运行 pip install \"bangfu[pdf]\"；在 Linux 上还需安装中文字体，"
    "例如 Debian/Ubuntu 上运行 apt-get install fonts-noto-cjk。"
)

_state: dict = {}


def available() -> bool:
    """True when WeasyPrint imports (with its Pango libraries)."""
    if "ok" not in _state:
        try:
            import weasyprint  # noqa: F401
        except (ImportError, OSError):  # missing package, or missing Pango/GObject libraries
            _state["ok"] = False
        else:
            _state["ok"] = True
            # WeasyPrint reports unsupported CSS and font fallbacks on its loggers;
            # they are not the clerk's business.
            logging.getLogger("weasyprint").setLevel(logging.ERROR)
            logging.getLogger("fontTools").setLevel(logging.ERROR)
    return _state["ok"]


def _font_config():
    """One font configuration per process: each document otherwise loads the CJK fonts
    again (a combined volume of 35 dossiers peaked at 850 MB that way, 300 MB shared)."""
    if "fonts" not in _state:
        from weasyprint.text.fonts import FontConfiguration

        _state["fonts"] = FontConfiguration()
    return _state["fonts"]


def render(html_path: Path):
    """A laid-out WeasyPrint document (has `.pages`)."""
    import weasyprint

    html_path = Path(html_path)
    return weasyprint.HTML(filename=str(html_path), base_url=str(html_path.parent)).render(
        font_config=_font_config())


def write_pdf(html_path: Path, pdf_path: Path) -> int:
    """Write one PDF next to its HTML; returns the number of pages."""
    from ..outputs import write_bytes

    document = render(html_path)
    write_bytes(pdf_path, document.write_pdf())  # never through a link
    return len(document.pages)


def write_combined(html_paths: list[Path], pdf_path: Path) -> int:
    """One PDF of several documents, each keeping its own page numbers; returns pages."""
    documents = [render(p) for p in html_paths]
    if not documents:
        return 0
    from ..outputs import write_bytes

    pages = [page for doc in documents for page in doc.pages]
    write_bytes(pdf_path, documents[0].copy(pages).write_pdf())
    return len(pages)


class Cache:
    """Digests of the documents behind each PDF, so an unchanged PDF is not rendered again.

    Kept as `.pdf-cache.json` in the output folder; a missing or unreadable file
    only means everything is rendered again.
    """

    NAME = ".pdf-cache.json"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.file = self.root / self.NAME
        try:
            self.data = json.loads(self.file.read_text(encoding="utf-8"))
            if not isinstance(self.data, dict):
                self.data = {}
        except (OSError, ValueError):
            self.data = {}

    def _key(self, pdf_path: Path) -> str:
        return Path(pdf_path).resolve().relative_to(self.root.resolve()).as_posix()

    def fresh(self, pdf_path: Path, digest: str) -> bool:
        return Path(pdf_path).exists() and self.data.get(self._key(pdf_path)) == digest

    def store(self, pdf_path: Path, digest: str) -> None:
        self.data[self._key(pdf_path)] = digest

    def forget_missing(self) -> None:
        self.data = {k: v for k, v in self.data.items() if (self.root / k).exists()}

    def save(self) -> None:
        self.forget_missing()
        from ..outputs import write_text

        write_text(self.file, json.dumps(self.data, ensure_ascii=False, indent=0, sort_keys=True))


def combined_digest(digests) -> str:
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()
