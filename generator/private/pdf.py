"""PDF from our print-ready HTML: WeasyPrint where it runs, else a Chromium-family browser.

Every document is written as self-contained HTML first; PDF is a second copy, made by
the first engine that works here:

- **WeasyPrint** (the `pdf` extra) on Linux and macOS, when its Pango libraries load and
  fontconfig has a Chinese font (without one it would silently print empty boxes);
- **a Chromium-family browser** otherwise: Microsoft Edge, which ships with Windows 10/11,
  or Chrome/Chromium anywhere (headless, started once per build and driven over the DevTools
  protocol, see browser.py, else `--headless --print-to-pdf` per file; the same HTML and
  print CSS; Windows fonts Microsoft YaHei, DengXian, SimSun are in the font stack);
- **none**: nothing fails, `reason()` tells the clerk in one message how to get PDFs, and
  the HTML prints from any browser.

Volumes of documents each numbered on its own (dossier volumes, 全部签收单) are printed by the
browser whenever one is found, even where WeasyPrint runs (`volume_engine`, pdf_volume.py).

`BANGFU_PDF_ENGINE=weasyprint|chromium|none` forces a choice (tests, CI), and
`BANGFU_BROWSER=/path/to/msedge` names the browser. The stylesheets name "Noto Sans CJK
SC" explicitly (also on the page margin boxes), because WeasyPrint picks Japanese glyph
shapes otherwise.

Beside this module: the browser shared by the threads that print (browser_share.py), the stamps
store (pdf_stamps.py), the PDF cache (pdf_cache.py).
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from . import browser_share, scratch
from .browser import launch_args, proc_figure as _proc_figure
from .browser_share import _local, _renew, find_browser, running_session, shared_session
from .pdf_stamps import _stamps

HOW_TO_GET_PDF = (
    "未生成 PDF：没有安装 PDF 组件。HTML 文件可以直接用浏览器打开并打印（Ctrl+P）。"
    "如需 PDF，请运行 pip install \"bangfu[pdf]\"，或安装 Microsoft Edge / Google Chrome 浏览器"
    "（Windows 10/11 自带 Edge）；在 Linux 上还需安装中文字体，"
    "例如 Debian/Ubuntu 上运行 apt-get install fonts-noto-cjk。"
)
NO_CJK_FONT = (
    "未生成 PDF：这台电脑没有中文字体，生成的 PDF 中文会显示成空白方框。HTML 文件可以直接用浏览器打开并打印（Ctrl+P）。"
    "如需 PDF，请安装中文字体，例如 Debian/Ubuntu 上运行 apt-get install fonts-noto-cjk，"
    "其他 Linux 请安装 Noto Sans CJK SC（思源黑体）或文泉驿字体，然后重新生成。"
)
# Families that cover Simplified Chinese (fontconfig's best match for lang zh-cn is one of these
# when a Chinese font is installed); a check of the font file's glyphs decides for the rest.
CJK_FAMILIES = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "Droid Sans Fallback",
                "AR PL", "Microsoft YaHei", "DengXian", "SimSun", "SimHei", "PingFang", "Hiragino Sans GB",
                "Heiti", "Songti", "Sarasa", "LXGW")
_state: dict = {}


def _weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # missing package, or missing Pango/GObject libraries (Windows)
        return False
    # WeasyPrint reports unsupported CSS and font fallbacks on its loggers;
    # they are not the clerk's business.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return True


def chinese_font() -> str | None:
    """The family fontconfig picks for Simplified Chinese text, when it really has Chinese glyphs."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except (ImportError, OSError):
        return None
    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", b"Noto Sans CJK SC")
        fontconfig.FcPatternAddString(pattern, b"lang", b"zh-cn")
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return None
        family, file = ffi.new("FcChar8 **"), ffi.new("FcChar8 **")
        names = []
        for key, out in ((b"family", family), (b"file", file)):
            ok = fontconfig.FcPatternGetString(match, key, 0, out) == fontconfig.FcResultMatch
            names.append(ffi.string(out[0]).decode("utf-8", "replace") if ok else "")
        fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)
    family_name, path = names
    if any(family_name.startswith(f) for f in CJK_FAMILIES) or _has_han_glyphs(path):
        return family_name
    return None


def _has_han_glyphs(path: str) -> bool:
    if not path:
        return False
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(path, fontNumber=0, lazy=True)
        cmap = font.getBestCmap() or {}
        return all(ord(ch) in cmap for ch in "帮扶公示")
    except Exception:  # noqa: BLE001 - any unreadable font file means "no"
        return False


def engine() -> str | None:
    """'weasyprint', 'chromium' or None (then `reason()` says why, in Chinese)."""
    if "engine" not in _state:
        forced = os.environ.get("BANGFU_PDF_ENGINE", "").strip().lower()
        weasy = forced in ("", "weasyprint") and _weasyprint_loads()
        if weasy and not chinese_font():
            _state["engine"], _state["reason"] = None, NO_CJK_FONT
        elif weasy:
            _state["engine"], _state["reason"] = "weasyprint", None
        elif forced in ("", "chromium") and find_browser() and not _system_has_chinese_font():
            _state["engine"], _state["reason"] = None, NO_CJK_FONT  # the browser would print empty boxes
        elif forced in ("", "chromium") and find_browser():
            _state["engine"], _state["reason"] = "chromium", None
        else:
            _state["engine"], _state["reason"] = None, HOW_TO_GET_PDF
    return _state["engine"]


def volume_engine() -> str | None:
    """The engine for a volume of documents each numbered on its own (分册_*.pdf, 全部签收单.pdf):
    a Chromium-family browser whenever one is found, also where WeasyPrint runs, because it
    prints a whole volume as one document (pdf_volume.py) for about a quarter of WeasyPrint's
    CPU (README, "PDF engines"); BANGFU_PDF_ENGINE forces one engine for everything."""
    if browser_prints():
        return "chromium"
    chosen = engine()
    if chosen == "weasyprint" and not os.environ.get("BANGFU_PDF_ENGINE", "").strip() and find_browser():
        return "chromium"
    return chosen


def document_engine() -> str | None:
    """The engine for the private writer's single documents (档案目录.pdf, 待办.pdf, a receipt sheet
    still to sign, a dossier's own PDF) in a build: the browser whenever it prints the volumes
    with no engine forced (browser_prints), so that one browser, already running for the
    volumes, prints them too (about 0.6 CPU-s for the demo's 7-page index, against 2.4 for
    WeasyPrint's import and layout) and the writer never imports WeasyPrint; else engine()."""
    return "chromium" if browser_prints() else engine()


def browser_prints() -> bool:
    """True when, with no engine forced, a browser is found and there is a Chinese font: then the
    volumes are the browser's whatever engine() is, and PDFs can be made, both known without
    importing WeasyPrint (about a second of CPU, spent only when it lays out a PDF)."""
    if os.environ.get("BANGFU_PDF_ENGINE", "").strip():
        return False
    if "browser_prints" not in _state:
        _state["browser_prints"] = find_browser() is not None and _system_has_chinese_font()
    return _state["browser_prints"]


def _system_has_chinese_font() -> bool:
    """Windows and macOS have Chinese fonts; elsewhere fontconfig is asked, through ctypes, as
    chinese_font() asks it through WeasyPrint. False when that cannot be asked here."""
    if sys.platform.startswith("win") or sys.platform == "darwin":
        return True
    import ctypes

    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return False
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    fc.FcInitLoadConfigAndFonts.restype = vp
    fc.FcPatternCreate.restype = vp
    fc.FcPatternAddString.argtypes = [vp, cp, cp]
    fc.FcConfigSubstitute.argtypes = [vp, vp, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [vp]
    fc.FcFontMatch.argtypes = [vp, vp, ctypes.POINTER(ctypes.c_int)]
    fc.FcFontMatch.restype = vp
    fc.FcPatternGetString.argtypes = [vp, cp, ctypes.c_int, ctypes.POINTER(cp)]
    fc.FcPatternDestroy.argtypes = [vp]
    fc.FcConfigDestroy.argtypes = [vp]
    config = fc.FcInitLoadConfigAndFonts()
    pattern = fc.FcPatternCreate()
    names = ["", ""]
    try:
        fc.FcPatternAddString(pattern, b"family", b"Noto Sans CJK SC")
        fc.FcPatternAddString(pattern, b"lang", b"zh-cn")
        fc.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
        fc.FcDefaultSubstitute(pattern)
        match = fc.FcFontMatch(config, pattern, ctypes.byref(ctypes.c_int()))
        if not match:
            return False
        for i, key in enumerate((b"family", b"file")):
            out = cp()
            if fc.FcPatternGetString(match, key, 0, ctypes.byref(out)) == 0 and out.value:  # FcResultMatch
                names[i] = out.value.decode("utf-8", "replace")
        fc.FcPatternDestroy(match)
    finally:
        fc.FcPatternDestroy(pattern)
        fc.FcConfigDestroy(config)
    _state["font_file"] = names[1]
    return any(names[0].startswith(f) for f in CJK_FAMILIES) or _has_han_glyphs(names[1])


def available() -> bool:
    """True when some engine can make PDFs with Chinese text here."""
    return browser_prints() or engine() is not None


def reason() -> str:
    """Why no PDF is made here (one message with how to get them); empty when PDFs are made."""
    engine()
    return _state.get("reason") or ""


def _font_config():
    """One font configuration per process: each document otherwise loads the CJK fonts
    again (a combined volume of 35 dossiers peaked at 850 MB that way, 300 MB shared)."""
    if "fonts" not in _state:
        from weasyprint.text.fonts import FontConfiguration

        _state["fonts"] = FontConfiguration()
    return _state["fonts"]


# Rules of WeasyPrint's user-agent stylesheet that give every element of a document five
# pseudo-elements (footnote and note calls and markers) and a ::marker: each is styled for every
# element, about 3,500 computed styles for a dossier's 600 elements, well over half the cost of
# its cascade. Our documents have no footnotes or notes, and only <li> shows a marker.
UA_NOTES = ("::footnote-call {", "::footnote-marker {", "::note-call {", "::note-marker {", "::note-callback {")
UA_MARKER = ("\n::marker {", "\nli::marker {")


def _html_class():
    """weasyprint.HTML with that stylesheet trimmed (the same pages, drawn the same); the stock
    class when this WeasyPrint's stylesheet or its (internal) hook differs from what we trim."""
    if "html_class" not in _state:
        import weasyprint

        _state["html_class"] = weasyprint.HTML
        try:
            from weasyprint import html as weasy_html

            text, counters, forms_sheet = weasy_html.UA, weasy_html.UA_COUNTER_STYLE, weasy_html.UA_FORM_STYLESHEET
        except (ImportError, AttributeError):
            return _state["html_class"]
        lines = [line for line in text.splitlines() if line.startswith(UA_NOTES)]
        if (len(lines) != len(UA_NOTES) or text.count(UA_MARKER[0]) != 1
                or not callable(getattr(weasyprint.HTML, "_ua_stylesheets", None))):
            return _state["html_class"]
        for line in lines:
            text = text.replace(line + "\n", "")
        sheet = weasyprint.CSS(string=text.replace(*UA_MARKER), counter_style=counters)

        class HTML(weasyprint.HTML):
            def _ua_stylesheets(self, forms=False):
                return [sheet, forms_sheet] if forms else [sheet]

        _state["html_class"] = HTML
    return _state["html_class"]


def render(html_path: Path):
    """A laid-out WeasyPrint document (has `.pages`)."""
    html_path = Path(html_path)
    return _html_class()(filename=str(html_path), base_url=str(html_path.parent)).render(
        font_config=_font_config())


# A link the printer made absolute (file:///…/.bangfu/new-private/档案/SF-0001.html) points
# into the build's staging folder, gone after the swap: links to files are rewritten relative
# to the PDF's own folder (SF-0001.html, ../待办.pdf), so they work in the published folder
# and after the clerk copies it elsewhere (README: "PDF links"). Chromium writes each link's
# URI as a plain literal string, so it is replaced in place, padded with blanks to its old
# length (no offset in the file moves); WeasyPrint's links are rewritten before it writes.
_FILE_URI = re.compile(rb"/URI\s*\((file:[^()\\]*)\)")


def relative_uri(uri: str, folder: Path) -> str | None:
    """`uri` (file:…) relative to `folder`, keeping its #fragment; None for any other URI, or
    a file on another drive (Windows), which has no relative form."""
    parsed = urllib.parse.urlsplit(uri)
    if parsed.scheme != "file":
        return None
    target = urllib.request.url2pathname(parsed.path)
    try:
        relative = os.path.relpath(target, Path(folder).resolve())
    except ValueError:
        return None
    relative = Path(relative).as_posix()
    if not relative.startswith("../"):  # "./": Chromium's viewer takes a.b.c/d for a web address (README)
        relative = "./" + relative
    return urllib.parse.quote(relative, safe="/") + (f"#{parsed.fragment}" if parsed.fragment else "")


def relative_links(data: bytes, pdf_path: Path) -> bytes:
    """A browser's PDF with its links to files made relative to `pdf_path`'s folder."""
    if b"file:" not in data:
        return data
    folder = Path(pdf_path).parent.resolve()
    beside = folder.as_uri().encode("ascii") + b"/"  # a file in the PDF's own folder: the usual case, cheaply

    def replaced(m: re.Match) -> bytes:
        uri = m.group(1)
        if uri.isascii() and uri.startswith(beside) and b"/" not in uri[len(beside):].split(b"#")[0]:
            relative: str | None = "./" + uri[len(beside):].decode("ascii")
        else:
            relative = relative_uri(uri.decode("latin-1"), folder)
        if relative is None:
            return m.group(0)
        new = b"/URI (" + relative.encode("ascii") + b")"
        if len(new) > len(m.group(0)):  # never seen: a relative path is shorter than its file:// URI
            raise BrowserFailed(f"链接 {m.group(1)!r} 无法改写成相对路径")
        return new + b" " * (len(m.group(0)) - len(new))

    return _FILE_URI.sub(replaced, data)


def relative_document_links(document, pdf_path: Path):
    """A WeasyPrint document with its links to files made relative to `pdf_path`'s folder."""
    folder = Path(pdf_path).parent
    for page in document.pages:
        for i, (kind, target, *rest) in enumerate(page.links):
            relative = relative_uri(target, folder) if kind == "external" else None
            if relative is not None:
                page.links[i] = (kind, relative, *rest)
    return document


class BrowserFailed(RuntimeError):
    pass


def prestart() -> None:
    """Start the browser that will print the volumes now, so that it boots (about a second of
    wall time) while the build renders its documents; the first browser_session() drives it, and
    printing.write ends it if no volume needed printing (browser_share.discard_prestarted).
    Not in a writer told to start it only when it prints (memory.browser_may_start)."""
    from .memory import browser_may_start

    if volume_engine() == "chromium" and browser_may_start():
        browser_share.launch_early()


def prestart_for_child() -> None:
    """Start the browser in this process for the private writer it is about to fork (a rebuild
    whose last build printed PDFs): it boots while this process reads the workbooks and the
    writer works out what changed, instead of from when the writer first finds a document to
    print (about half a second later on an idle machine, seconds on a busy one). The forked
    writer takes it over (browser_share.adopt_prestarted); this process ends it at the end of the build
    (browser_share.discard_prestarted), and it dies with this process's thread that started it."""
    prestart()


@contextmanager
def browser_session(engine_: str | None = None):
    """With the Chromium engine (or `engine_` "chromium"), keep one browser running for every
    PDF this thread makes inside (see browser.py); otherwise, or when the browser cannot be
    driven, do nothing (each PDF then starts the browser once). The sharing: browser_share.py."""
    if (engine_ or engine()) != "chromium" or running_session() is not None:
        yield
        return
    with shared_session():
        yield


def _chromium_pdf(html_path: Path) -> bytes:
    """Print one HTML file to PDF with the browser's headless mode (its @page CSS, no
    browser header or footer): through the running session when there is one."""
    session = running_session()
    if session is not None:
        from .browser import SessionFailed

        try:
            return session.print_pdf(html_path)
        except SessionFailed:  # this file printed by a browser of its own; the next ones in a new session
            _local.session = None
            _local.session = _renew(session)
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix=scratch.folder(scratch.PROFILE)) as tmp:
        out = Path(tmp) / "out.pdf"
        args = launch_args(browser, "--no-pdf-header-footer", "--print-to-pdf-no-header", "--disable-pdf-tagging",
                           f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", "--virtual-time-budget=5000",
                           Path(html_path).resolve().as_uri())
        try:
            subprocess.run(args, capture_output=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise BrowserFailed(f"浏览器 {browser} 没能打印 {html_path}：{err}") from err
        if not out.is_file() or out.stat().st_size == 0:
            raise BrowserFailed(f"浏览器 {browser} 没能打印 {html_path}")
        return out.read_bytes()


_chromium_pdf.bodies = browser_share.print_bodies  # type: ignore[attr-defined]  # pdf_volume._print_stamps


def _chromium_document(html_path: Path) -> bytes:
    """One document printed by the browser: a long one in pieces of bounded memory, numbered
    across them (pdf_volume.print_cut), else in one print (_chromium_pdf)."""
    import pypdf

    from . import pdf_volume

    try:
        data = pdf_volume.print_cut(_chromium_pdf, html_path, _stamps())
    except (pdf_volume.Unfit, pypdf.errors.PyPdfError, KeyError, IndexError, ValueError):
        data = None  # pieces that cannot be put together as the browser writes them: printed whole below
    return data if data is not None else _chromium_pdf(html_path)


def _page_count(data: bytes) -> int:
    import pypdf

    try:
        return len(pypdf.PdfReader(io.BytesIO(data), strict=True).pages)  # see pdf_objects.reader
    except pypdf.errors.PyPdfError:
        return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def write_pdf(html_path: Path, pdf_path: Path, engine_: str | None = None) -> int:
    """Write one PDF next to its HTML, by `engine_` (default: engine()); returns the number of pages."""
    from ..outputs import write_bytes

    if (engine_ or engine()) == "chromium":
        data = _chromium_document(html_path)
        write_bytes(pdf_path, relative_links(data, pdf_path))  # never through a link
        return _page_count(data)
    document = relative_document_links(render(html_path), pdf_path)
    write_bytes(pdf_path, document.write_pdf())  # never through a link
    return len(document.pages)


def _combined(html_paths: list[Path], engine_: str | None = None,
              pdf_path: Path | None = None) -> tuple[bytes, list[int]]:
    """One PDF of several documents, each keeping its own page numbers, and the page
    count of each document; by `engine_` (default: engine()); with its links to files
    relative to `pdf_path`'s folder (relative_links) when given."""
    if (engine_ or engine()) == "chromium":
        data, counts = _chromium_combined(html_paths)
        return (relative_links(data, pdf_path) if pdf_path is not None else data), counts
    documents = [render(p) for p in html_paths]
    if pdf_path is not None:
        documents = [relative_document_links(document, pdf_path) for document in documents]
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages).write_pdf(), [len(doc.pages) for doc in documents]


def _chromium_combined(html_paths: list[Path]) -> tuple[bytes, list[int]]:
    """_combined by the browser."""
    import pypdf

    if len(html_paths) == 1:
        data = _chromium_document(html_paths[0])
        return data, [_page_count(data)]
    from . import pdf_volume

    try:  # one document, each part numbered on its own (pdf_volume.py)
        return pdf_volume.print_volume(_chromium_pdf, html_paths, _stamps())
    except (pdf_volume.Unfit, pypdf.errors.PyPdfError):
        pass  # printed one by one below
    writer, counts = pypdf.PdfWriter(), []
    for path in html_paths:
        reader = pypdf.PdfReader(io.BytesIO(_chromium_document(path)))
        counts.append(len(reader.pages))
        writer.append(reader)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), counts


def write_parts(html_paths: list[Path], pdf_path: Path, engine_: str | None = None) -> list[int]:
    """One PDF of several documents (see _combined); returns the page count of each."""
    if not html_paths:
        return []
    from ..outputs import write_bytes

    data, counts = _combined(list(html_paths), engine_, pdf_path)
    write_bytes(pdf_path, data)  # never through a link
    return counts


def write_volumes(jobs: list[tuple[list[Path] | tuple[Path, ...], Path]]) -> list[list[int]]:
    """Several combined PDFs (html paths, pdf path) printed by this thread's browser in as few
    prints as their heads allow, then split into their own files (pdf_volume.print_volumes);
    returns the page counts of each. Volumes that do not fit are printed one by one."""
    todo = [(list(paths), Path(pdf_path)) for paths, pdf_path in jobs]
    if len(todo) > 1 or any(len(paths) > 1 for paths, _ in todo):
        import pypdf

        from . import pdf_volume

        try:  # each volume written into its file as its documents are printed
            printed = pdf_volume.print_volumes(_chromium_pdf, [paths for paths, _ in todo], _stamps(),
                                               targets=[pdf_path for _, pdf_path in todo], rewrite=relative_links)
        except (pdf_volume.Unfit, pypdf.errors.PyPdfError, KeyError, IndexError, ValueError):
            printed = None  # a print that cannot be split as the browser writes them: one by one below
        if printed is not None:
            return [counts for _, counts in printed]
    return [write_parts(paths, pdf_path, "chromium") for paths, pdf_path in todo]


def changed_documents(html_paths, digests, old_parts) -> list[Path]:
    """The documents of a combined PDF that patch_combined prints: those whose digest is not
    among the old PDF's parts."""
    have = {d for d, _ in old_parts}
    return [path for path, digest in zip(html_paths, digests) if digest not in have]


def write_joined(jobs: list[tuple]) -> list[tuple[list[int], int]]:
    """Several PDFs, each (pdf path, html paths, digests, old parts or None), printed by this
    thread's browser in as few prints as their heads allow (pdf_volume.print_volumes): of a PDF
    to patch (old parts given) only its changed documents, then patched in (patch_combined with
    them as `printed`); the others whole, each its own file. Documents join when they share one
    head and one folder (pdf_volume.Document.key): a rebuild after one payout amount prints the
    dossier index (which links to the files beside it, so it is printed from its folder) and the
    changed dossier as one print, the changed receipt sheet (another head) as another. Returns
    each PDF's page counts and how many renderings its pages come from now (1: printed whole,
    2: patched). A PDF whose documents cannot join a print, or whose one document to print is
    the only one with its key (nothing to join, and printed alone it needs no stamps), is
    printed on its own. Raises
    pdf_volume.Unfit (and pypdf's errors) when the others cannot share a print after all: the
    caller prints them one by one."""
    from . import pdf_volume

    printed_for = [list(paths) if old is None else changed_documents(paths, digests, old)
                   for _, paths, digests, old in jobs]
    heads: dict = {}
    for k, paths in enumerate(printed_for):
        try:
            for path in paths:
                document = pdf_volume.Document(path)
                heads.setdefault(document.key(), []).append(k)
        except pdf_volume.Unfit:
            printed_for[k] = []
    joining = sorted({k for members in heads.values() if len(members) > 1 for k in members}
                     - {k for k, paths in enumerate(printed_for) if not paths})
    out: list = [None] * len(jobs)
    # a PDF printed whole is written into its file as its documents are printed; a patch's
    # changed documents come back as bytes
    targets = [jobs[k][0] if jobs[k][3] is None else None for k in joining]
    printed = pdf_volume.print_volumes(_chromium_pdf, [printed_for[k] for k in joining], _stamps(),
                                       targets=targets, rewrite=relative_links) if joining else []
    for k, found in zip(joining, printed):
        pdf_path, paths, digests, old = jobs[k]
        if old is None:
            out[k] = found[1], 1
        else:
            out[k] = patch_combined(pdf_path, old, list(paths), list(digests), "chromium", found), 2
    for k in sorted(set(range(len(jobs))) - set(joining)):  # on their own
        pdf_path, paths, digests, old = jobs[k]
        if old is None:
            out[k] = write_parts(list(paths), pdf_path, "chromium"), 1
        else:
            out[k] = patch_combined(pdf_path, old, list(paths), list(digests), "chromium"), 2
    return out


def write_combined(html_paths: list[Path], pdf_path: Path) -> int:
    """One PDF of several documents, each keeping its own page numbers; returns pages."""
    return sum(write_parts(html_paths, pdf_path))


def patch_combined(pdf_path: Path, old_parts: list[tuple[str, int]], html_paths: list[Path],
                   digests: list[str], engine_: str | None = None, printed=None) -> list[int]:
    """Rewrite a combined PDF whose documents mostly did not change: the pages of each
    unchanged document (same digest) are copied from the old PDF at `pdf_path`, whose
    documents and page counts are `old_parts` in order, and only the documents whose digest
    is new are rendered (together, as one PDF). Returns the page count of each document.

    A one-cell edit then renders one dossier instead of its whole volume. The copied pages
    keep their fonts and bookmarks; the new pages bring their own font subset, so a volume
    patched many times grows a little (printing.MAX_SOURCES bounds it). `printed`: the changed
    documents' PDF and page counts when they were printed already (with other documents, see
    write_joined), else they are printed here."""
    import pypdf

    from ..outputs import write_bytes

    old_at: dict = {}
    start = 0
    for digest, count in old_parts:
        old_at.setdefault(digest, (start, count))
        start += count
    from . import pdf_objects

    old_data = Path(pdf_path).read_bytes()  # read before it is replaced
    try:  # a PDF of ours with a classic cross-reference table (the browser's): appended to below
        update = pdf_objects.Update(old_data)
        old = update.reader
    except (pdf_objects.Unfit, pypdf.errors.PyPdfError):
        update, old = None, pypdf.PdfReader(io.BytesIO(old_data))
    if len(old.pages) != start:
        raise ValueError(f"{pdf_path}: {len(old.pages)} pages, cache says {start}")
    stale = [i for i, d in enumerate(digests) if d not in old_at]
    new = None
    new_counts: list = []
    data = None
    if stale:
        if printed is not None:
            data, new_counts = relative_links(printed[0], pdf_path), printed[1]
        else:
            data, new_counts = _combined([html_paths[i] for i in stale], engine_, pdf_path)
    new_at, start = {}, 0
    for i, count in zip(stale, new_counts):
        new_at[i], start = (start, count), start + count
    if update is not None:
        pages = [(int(i in new_at), first + k) for i, d in enumerate(digests)
                 for first, count in [new_at[i] if i in new_at else old_at[d]] for k in range(count)]
        try:  # appended to the old PDF, its pages neither parsed nor written again (pdf_objects.py)
            write_bytes(pdf_path, pdf_objects.patched(update, pages, data))  # never through a link
            return [new_at[i][1] if i in new_at else old_at[d][1] for i, d in enumerate(digests)]
        except (pdf_objects.Unfit, pypdf.errors.PyPdfError):
            pass  # copied with pypdf below
    new = pypdf.PdfReader(io.BytesIO(data)) if stale else None
    writer, counts = pypdf.PdfWriter(), []
    for i, digest in enumerate(digests):
        reader, (first, count) = (new, new_at[i]) if i in new_at else (old, old_at[digest])
        writer.append(reader, pages=(first, first + count))
        counts.append(count)
    if old.metadata:
        writer.add_metadata({k: v for k, v in old.metadata.items() if isinstance(v, str)})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_bytes(pdf_path, buffer.getvalue())  # never through a link
    return counts


# Peak memory of one rendering process, measured with WeasyPrint 70 on the demo dossiers
# (3.6 pages each): 227 MiB for a volume of 10, 325 MiB for 40, i.e. about 195 MiB for the
# program and fonts plus 3.3 MiB per laid-out dossier; rounded up here.
BASE_MB = 200
DOSSIER_MB = 4


def default_jobs() -> int:
    """Processes for PDF rendering: the CPU count (at most 4); BANGFU_PDF_JOBS overrides."""
    value = os.environ.get("BANGFU_PDF_JOBS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(4, os.cpu_count() or 1))


def memory_jobs(largest: int) -> int:
    """How many rendering processes the free memory allows, each laying out up to
    `largest` documents at once; at least one."""
    free = _available_mb()
    if free is None:
        return 4
    return max(1, int(free * 0.7) // (BASE_MB + DOSSIER_MB * largest))


def _available_mb() -> int | None:
    free = _proc_figure("/proc/meminfo", "MemAvailable:")
    if free is not None:
        return free
    try:  # Windows and macOS
        import psutil

        return int(psutil.virtual_memory().available // (1024 * 1024))
    except Exception:  # noqa: BLE001 - psutil is optional
        return None


def process_mb(pid: int) -> int | None:
    """Resident memory (RSS) of the process `pid` in MiB, None where it cannot be read."""
    rss = _proc_figure(f"/proc/{pid}/status", "VmRSS:")
    if rss is not None:
        return rss
    try:  # Windows and macOS
        import psutil

        return int(psutil.Process(pid).memory_info().rss // (1024 * 1024))
    except Exception:  # noqa: BLE001 - psutil is optional
        return None


def _in_worker(func, args):
    engine()  # imports WeasyPrint and quietens its loggers in a worker process too
    return func(*args)


def run_jobs(func, jobs: list[tuple], sizes: list[int] | None = None, processes: int | None = None,
             tick=None, started=None, background: bool = False) -> list:
    """`func(*args)` for each args tuple of `jobs`, returning the results in order.

    WeasyPrint is pure Python and single-threaded, so the jobs run in up to `processes`
    worker processes (default: the CPU count, fewer when the free memory would not hold them,
    `sizes` being the documents each job lays out at once), the largest first; sequentially
    when there is one job or processes cannot be started (then nothing is lost: every job
    runs here). One engine per process renders all its jobs: WeasyPrint's fonts are loaded
    once per process, not once per PDF; with the Chromium engine one browser, started once,
    prints every job here. `tick()` is called as each job finishes, `started()` once the worker
    processes are forked (a thread started then is not in any of them). With `background`, the
    jobs go to ONE worker process, so that `started()` runs here meanwhile (the site's pages are
    rendered while the wall printouts are laid out: build.steps)."""
    tick = tick or (lambda: None)
    once: list = []
    if not jobs:  # nothing to lay out: no engine needed (WeasyPrint not even imported)
        if started is not None:
            started()
        return []

    def started_once():
        if started is not None and not once:
            once.append(started())

    sizes = sizes if sizes is not None else [1] * len(jobs)
    order = sorted(range(len(jobs)), key=lambda i: -sizes[i])
    processes = processes if processes is not None else default_jobs()
    processes = min(processes, memory_jobs(max(sizes, default=1)), len(jobs))
    if background:
        processes = 1
    if engine() == "chromium":
        processes, background = 1, False  # one browser here prints them all (in its own processes)
    results: list = [None] * len(jobs)
    if processes > 1 or background:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        engine()  # WeasyPrint imported once here, not in each forked worker
        try:
            with ProcessPoolExecutor(max_workers=processes, mp_context=_pool_context()) as pool:
                futures = {pool.submit(_in_worker, func, jobs[i]): i for i in order}
                started_once()
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    tick()
            return results
        except (BrokenProcessPool, OSError, PermissionError):
            pass  # e.g. no process support in a sandbox: run them here below
    started_once()
    with browser_session():
        for i in order:
            results[i] = _in_worker(func, jobs[i])
            tick()
    return results


# Above this size (MiB, resident) a process forks no renderers: a forked child shares the
# parent's memory only until Python touches it (reference counts do), so each child of a
# process holding a 20,000-worker station would soon hold much of the station again.
BIG_PARENT_MB = 600


def _pool_context():
    """Where worker processes come from: forked from this process (the default on Linux,
    cheapest), or, when this process is big, from a lean fork server that has loaded only
    the renderer (macOS and Windows always start lean processes)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods() or (_resident_mb() or 0) <= BIG_PARENT_MB:
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, f"{__package__}.printing"])
    return context


def _resident_mb() -> int | None:
    return _proc_figure("/proc/self/status", "VmRSS:")


def write_many(pairs: list[tuple[Path, Path]], meanwhile=None) -> list[int]:
    """Write the PDF of each (html, pdf) pair, in parallel processes; returns page counts. With
    `meanwhile`, in one worker process while `meanwhile()` runs here (run_jobs `background`):
    one process's fonts and set-up instead of two, the parent's own work beside it."""
    return run_jobs(write_pdf, [(Path(h), Path(p)) for h, p in pairs], started=meanwhile,
                    background=meanwhile is not None)
