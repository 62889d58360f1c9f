"""Which PDF engine runs where: WeasyPrint, a Chromium-family browser (Edge on Windows), or
none with one clear message; and no PDFs of empty boxes on a machine without Chinese fonts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import privacy
from generator.private import browser_share, pdf

from processes import processes_naming

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/lib/chromium/chromium")
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm; @bottom-center {{ content: "第 " counter(page) " 页，共 " counter(pages) " 页";
  font-family: "Noto Sans CJK SC", "Microsoft YaHei", "DengXian", "SimSun", sans-serif; }} }}
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "DengXian", "SimSun", sans-serif; }}
.next {{ break-before: page; }}</style></head>
<body><h1>{title}</h1><p>示范镇总工会困难职工帮扶站</p><p class="next">第二页：张晓明</p></body></html>"""


def engine_in_subprocess(env: dict) -> list[str]:
    code = ("from generator.private import pdf; print(pdf.engine()); print(pdf.reason())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT), **env}, check=True)
    return out.stdout.splitlines()


@pytest.mark.slow
def test_no_chinese_font_means_no_pdf_and_one_clear_message(tmp_path):
    pytest.importorskip("weasyprint")
    conf = tmp_path / "fonts.conf"  # a machine whose only fonts are Latin ones
    conf.write_text('<?xml version="1.0"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
                    f'<cachedir>{tmp_path}/cache</cachedir></fontconfig>', encoding="utf-8")
    engine, message = engine_in_subprocess({"FONTCONFIG_FILE": str(conf), "BANGFU_PDF_ENGINE": "weasyprint"})
    assert engine == "None"
    assert message == pdf.NO_CJK_FONT and "apt-get install fonts-noto-cjk" in message


def test_no_chinese_font_means_no_browser_pdf_either(tmp_path):
    """Without WeasyPrint (forced here) the browser would be the engine: it too needs a Chinese
    font, else every Chinese character of the PDF is an empty box."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    conf = tmp_path / "fonts.conf"  # a machine whose only fonts are Latin ones
    conf.write_text('<?xml version="1.0"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
                    f'<cachedir>{tmp_path}/cache</cachedir></fontconfig>', encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf), "BANGFU_PDF_ENGINE": "chromium", "BANGFU_BROWSER": CHROMIUM}
    assert engine_in_subprocess(env) == ["None", pdf.NO_CJK_FONT]


@pytest.mark.slow
def test_with_chinese_fonts_weasyprint_is_chosen():
    pytest.importorskip("weasyprint")
    if not pdf.chinese_font():
        pytest.skip("no Chinese font on this machine (fonts-noto-cjk)")
    assert engine_in_subprocess({"BANGFU_PDF_ENGINE": ""}) == ["weasyprint", ""]


def test_nothing_usable_says_how_to_get_pdfs():
    assert engine_in_subprocess({"BANGFU_PDF_ENGINE": "none"}) == ["None", pdf.HOW_TO_GET_PDF]


@pytest.fixture
def chromium_pages(tmp_path, monkeypatch):
    """The Chromium engine forced, and two 2-page documents to print."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    assert pdf.engine() == "chromium" and pdf.available()
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text(PAGE.format(title="两节送温暖"), encoding="utf-8")
    b.write_text(PAGE.format(title="金秋助学"), encoding="utf-8")
    return a, b


@pytest.mark.browser
def test_chromium_path_prints_the_same_html(tmp_path, chromium_pages):
    """The path Windows takes (Edge), tested with Debian's Chromium: A4 pages, page numbers from
    @page margin boxes, Chinese text readable back, several documents combined."""
    a, b = chromium_pages
    assert pdf.write_pdf(a, tmp_path / "a.pdf") == 2
    import pypdf

    reader = pypdf.PdfReader(tmp_path / "a.pdf")
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    texts = [privacy.normalise(p.extract_text()) for p in reader.pages]
    assert "两节送温暖" in texts[0] and "示范镇总工会困难职工帮扶站" in texts[0]
    assert "第1页,共2页" in texts[0].replace("⻚", "页")  # NFKC: full-width comma -> ","
    assert pdf.write_combined([a, b], tmp_path / "ab.pdf") == 4
    combined = [privacy.normalise(p.extract_text()) for p in pypdf.PdfReader(tmp_path / "ab.pdf").pages]
    assert "金秋助学" in combined[2] and "第2页,共2页" in combined[3].replace("⻚", "页")
    # the leak scan reads the browser's PDFs too (its Kangxi-radical glyph names normalise back)
    (tmp_path / "s").mkdir()
    (tmp_path / "a.pdf").replace(tmp_path / "s" / "a.pdf")
    needles = [privacy.Needle(privacy.normalise("张晓明"), "姓名全名", "困难职工 B2")]
    scan = privacy.scan_folder(tmp_path / "s", needles)
    assert [(l.file, l.kind) for l in scan.leaks] == [("a.pdf", "姓名全名")]


@pytest.mark.browser
def test_one_running_browser_prints_many_files_as_starting_it_for_each_does(tmp_path, chromium_pages, monkeypatch,
                                                                           browser_sessions):
    """A build starts the browser once for all its PDFs (DevTools protocol) instead of once per
    file; the PDFs read the same, and the browser and its temporary profile are gone after."""
    import pypdf


    a, b = chromium_pages
    started = browser_sessions
    pairs = [(a, tmp_path / "a.pdf"), (b, tmp_path / "b.pdf"), (a, tmp_path / "a2.pdf")]
    assert pdf.write_many(pairs) == [2, 2, 2]
    assert len(started) == 1 and pdf.running_session() is None
    assert started[0].proc.poll() is not None and not Path(started[0].tmp).exists()
    pdf.write_pdf(b, tmp_path / "b-alone.pdf")  # outside a session: the browser started for this file
    assert len(started) == 1

    def texts(path):
        return [privacy.normalise(p.extract_text()) for p in pypdf.PdfReader(path).pages]

    assert texts(tmp_path / "b.pdf") == texts(tmp_path / "b-alone.pdf")
    assert "金秋助学" in texts(tmp_path / "b.pdf")[0] and "张晓明" in texts(tmp_path / "a2.pdf")[1]
    width, height = (float(v) for v in pypdf.PdfReader(tmp_path / "a.pdf").pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_every_chinese_font_stack_lists_the_windows_fonts():
    """Windows has no Noto CJK: Edge prints with Microsoft YaHei, DengXian or SimSun."""
    import re

    from generator.site import charts

    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "site_templates").rglob("*")
               if p.suffix in (".css", ".html") and "iframe-worker" not in p.parts]
    stacks = [m for text in sources for m in re.findall(r"font-family:\s*([^;}]+)", text)]
    stacks += [m for text in sources for m in re.findall(r"--bf-text-font-family:\s*([^;}]+)", text)]
    stacks.append(charts.FONT)
    chinese = [s for s in stacks if "Noto Sans CJK SC" in s and "Mono" not in s.split(",")[0]]
    assert len(chinese) >= 6
    for stack in chinese:
        assert all(font in stack for font in ("Microsoft YaHei", "DengXian", "SimSun")), stack


@pytest.mark.slow
def test_pdf_jobs_run_in_worker_processes_and_come_back_in_order(monkeypatch):
    """Renderers run in other processes, forked from this one, or from a lean fork server
    when this process is big (a 20,000-worker station), and results keep the jobs' order."""
    monkeypatch.setenv("BANGFU_PDF_JOBS", "2")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "weasyprint")
    monkeypatch.setattr(pdf, "_state", {})
    assert pdf.run_jobs(abs, [(-1,), (-2,), (-3,)], sizes=[1, 3, 2]) == [1, 2, 3]
    assert os.getpid() not in pdf.run_jobs(os.getpid, [(), (), ()])
    monkeypatch.setattr(pdf, "BIG_PARENT_MB", 0)
    context = pdf._pool_context()
    if sys.platform.startswith("linux"):
        assert context.get_start_method() == "forkserver"
    pids = pdf.run_jobs(os.getpid, [(), ()])
    assert os.getpid() not in pids and len(pids) == 2


def test_fontconfig_asked_without_weasyprint_answers_as_weasyprint_does():
    """pdf.browser_prints() asks fontconfig for a Simplified Chinese font through ctypes, so that a
    build whose PDFs the browser makes never imports WeasyPrint: the same answer as chinese_font()."""
    pytest.importorskip("weasyprint")
    assert pdf._system_has_chinese_font() == (pdf.chinese_font() is not None)


@pytest.mark.browser
@pytest.mark.slow
def test_a_prestarted_browser_is_driven_by_the_first_session_or_ended(tmp_path, chromium_pages, monkeypatch):
    """pdf.prestart(): the browser boots while the build renders; the first session drives that
    very process; one never driven is ended with its profile by discard_prestarted()."""
    a, _ = chromium_pages
    pdf.prestart()
    launched = browser_share._early["launched"]
    with pdf.browser_session():
        assert pdf.running_session().proc is launched.proc and "launched" not in browser_share._early
        assert pdf.write_pdf(a, tmp_path / "a.pdf") == 2
    assert launched.proc.poll() is not None and not Path(launched.tmp).exists()
    pdf.prestart()
    unused = browser_share._early["launched"]
    browser_share.discard_prestarted()
    assert unused.proc.poll() is not None and not Path(unused.tmp).exists() and "launched" not in browser_share._early


@pytest.mark.browser
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_the_browser_dies_with_the_build_that_started_it(tmp_path):
    """A build killed while its browser runs (SIGTERM, as a clerk closing the window or `kill`)
    leaves no browser behind: neither the browser nor its renderer and helper processes (all
    started with the browser's own profile folder on their command line) outlive the process
    that started it (browser.Launched: PR_SET_PDEATHSIG)."""
    import signal
    import time

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    code = ("import time; from generator.private.browser import Session; "
            f"s = Session({CHROMIUM!r}); print(s.proc.pid, s.tmp, flush=True); time.sleep(120)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    profile = None
    try:
        browser, profile = child.stdout.readline().split()
        running = processes_naming(profile)
        assert int(browser) in running and len(running) > 1  # the browser and its helpers
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) == -signal.SIGTERM
        deadline = time.monotonic() + 10
        while processes_naming(profile) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_naming(profile) == []
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if profile:  # the killed process could not remove its browser's temporary profile
            shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.browser
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux only")
def test_a_closed_session_leaves_no_browser_process_nor_profile(tmp_path, chromium_pages):
    """Session.close ends the browser at once (killed: every PDF is received and the profile is
    thrown away, so there is nothing to write out): the browser is reaped, its renderer and
    helper processes (named by the profile folder on their command lines) end with it, and the
    profile folder is removed."""
    import time

    from generator.private.browser import Session

    a, _ = chromium_pages
    session = Session(CHROMIUM)
    assert session.print_pdf(a).startswith(b"%PDF")
    profile = str(session.tmp)
    assert len(processes_naming(profile)) > 1  # the browser and its helpers
    session.close()
    assert session.proc.poll() is not None and not Path(profile).exists()
    deadline = time.monotonic() + 10
    while processes_naming(profile) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_naming(profile) == []


def _is_renderer(pid: int) -> bool:
    try:
        return b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # ended meanwhile
        return False


@pytest.mark.browser
def test_the_browser_loads_no_pages_of_its_own_window(tmp_path, chromium_pages):
    """A browser started to print (browser.launch_args, QUIET_FLAGS) loads no WebUI page of its own
    window: Chromium 156 opened its address bar's two suggestion popups (chrome://omnibox-popup…)
    in a renderer of their own at every start, headless too, about half the CPU of the start. The
    pages it loads are the tabs it was started with and prints in, and it prints as before."""
    import pypdf

    from generator.private.browser import Session

    a, b = chromium_pages
    session = Session(CHROMIUM)
    renderers: set[int] = set()
    try:
        for path in (a, b, a, b):  # and no spare renderer started beside the tab's after each print
            assert session.print_pdf(path).startswith(b"%PDF")
            if sys.platform.startswith("linux"):
                renderers |= {pid for pid in processes_naming(str(session.tmp)) if _is_renderer(pid)}
        targets = session.call("Target.getTargets")["targetInfos"]
    finally:
        session.close()
    assert targets and [t["url"] for t in targets if not t["url"].startswith(("about:", "file:"))] == []
    assert {t["type"] for t in targets} == {"page"}
    assert len(renderers) <= 2 or not sys.platform.startswith("linux")  # the first tab's and the one printing
    args = pdf.launch_args(CHROMIUM, "--print-to-pdf=x.pdf")
    assert args[0] == CHROMIUM and args[-1] == "--print-to-pdf=x.pdf" and "--headless" in args
    assert any(a.startswith("--disable-features=") and "WebUIOmniboxPopup" in a for a in args)
    assert pdf.write_pdf(a, tmp_path / "alone.pdf") == 2  # the browser started for one file, with the same flags
    assert "两节送温暖" in privacy.normalise(pypdf.PdfReader(tmp_path / "alone.pdf").pages[0].extract_text())


def test_browser_profiles_go_to_memory_only_where_it_has_room(tmp_path, monkeypatch):
    """The profile goes to /dev/shm on Linux only with room to spare: a container's small /dev/shm
    is the browser's own shared memory."""
    from generator.private import browser as browser_module

    monkeypatch.setattr(browser_module.sys, "platform", "linux")
    monkeypatch.setattr(browser_module, "MEMORY_FOLDER", str(tmp_path))
    free = os.statvfs(tmp_path)
    room = free.f_bavail * free.f_frsize
    monkeypatch.setattr(browser_module, "MEMORY_FOLDER_FREE", room // 2)
    assert browser_module.profile_parent() == str(tmp_path)
    monkeypatch.setattr(browser_module, "MEMORY_FOLDER_FREE", room * 2 + 1)
    assert browser_module.profile_parent() is None
    monkeypatch.setattr(browser_module, "MEMORY_FOLDER", str(tmp_path / "missing"))
    monkeypatch.setattr(browser_module, "MEMORY_FOLDER_FREE", 0)
    assert browser_module.profile_parent() is None
