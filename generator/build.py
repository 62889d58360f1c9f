"""`bangfu build`: check the records, render the public site with mkdocs, prove it leaks
nothing, and swap it in atomically (plus the private records when asked).

    code = build_all(Path("records"), site_dir=Path("site"), private_dir=Path("private"),
                     today=None, pdf=True, echo=print)

Exit codes: 0 built (or already up to date), 1 errors in the records or a leak
found, 2 unreadable records or an unusable output folder. Work files live in
`.bangfu/` next to the site folder: the build lock, the generated Markdown
(`.bangfu/docs`), the staging folders and the state of the last good build.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date
from pathlib import Path

from . import schema
from .lock import BuildLock, LockBusy
from .money import yuan
from .render import PACKAGE_TEMPLATES
from .site.mkdocs_run import MKDOCS_YML

SITE_MARKER = ".bangfu-site"
PRIVATE_MARKER = ".bangfu-private"
LOCK_WAIT = 10.0
CODE_ROOT = Path(__file__).resolve().parent


class Refused(Exception):
    """The build must not run with these folders; str() is the message."""


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def work_dir(site_dir: Path) -> Path:
    return Path(site_dir).resolve().parent / ".bangfu"


def check_folders(records_dir: Path, site_dir: Path, private_dir: Path | None) -> None:
    """Refuse folder choices that would publish private files or delete the wrong folder."""
    records, site = Path(records_dir).resolve(), Path(site_dir).resolve()
    work = work_dir(site)
    if _inside(records, site) or _inside(site, records):
        raise Refused(f"网站文件夹“{site_dir}”与记录文件夹“{records_dir}”重叠。网站文件夹每次生成都会被整体替换，"
                      "请另选一个文件夹（例如记录文件夹旁边的 site）。")
    if _inside(site, work):
        raise Refused(f"网站文件夹“{site_dir}”不能放在工作文件夹 {work} 里。")
    _must_be_ours(site, SITE_MARKER, "网站")
    if private_dir is None:
        return
    private = Path(private_dir).resolve()
    if _inside(private, site) or _inside(site, private) or _inside(private, work):
        raise Refused(f"内部材料文件夹“{private_dir}”与网站文件夹“{site_dir}”重叠（或在生成用的工作文件夹内），"
                      "其中的个人信息会随网站一起公开。请把内部材料放在网站文件夹之外，例如记录文件夹旁边的 private。")
    if _inside(records, private) or _inside(private, records):
        raise Refused(f"内部材料文件夹“{private_dir}”与记录文件夹“{records_dir}”重叠。内部材料文件夹每次生成都会被"
                      "整体替换，请另选一个文件夹。")
    from .private.paths import refuse_inside

    message = refuse_inside(private, (site, work / "docs"))
    if message:
        raise Refused(message)
    _must_be_ours(private, PRIVATE_MARKER, "内部材料")


def _must_be_ours(folder: Path, marker: str, what: str) -> None:
    if folder.exists() and not folder.is_dir():
        raise Refused(f"{what}文件夹“{folder}”是一个文件，请换一个文件夹名。")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / marker).exists():
        raise Refused(f"{what}文件夹“{folder}”已存在且不是 bangfu 生成的。为免误删其中的文件，本次没有生成。"
                      f"请换一个文件夹，或确认不需要后把它清空。")


# --- incremental builds --------------------------------------------------------
def _hash_files(h, paths) -> None:
    for path in paths:
        h.update(str(path).encode("utf-8") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")


def input_key(records_dir: Path, template_dirs, *, today: date, pdf: bool, private_dir) -> str:
    """Everything a build's output depends on: the workbooks, templates, code and options."""
    h = hashlib.sha256(f"{today.isoformat()}|{pdf}|{private_dir}".encode())
    _hash_files(h, [Path(records_dir) / b.filename for b in schema.BOOKS])
    code = sorted(CODE_ROOT.rglob("*.py")) + sorted(CODE_ROOT.rglob("data/*")) + [MKDOCS_YML]
    for folder in [*template_dirs, PACKAGE_TEMPLATES]:
        code += sorted(p for p in Path(folder).rglob("*") if p.is_file())
    _hash_files(h, code)
    return h.hexdigest()


def theme_fingerprint() -> str:
    """The parts of the site that are not in the generated docs: theme overrides and mkdocs.yml."""
    h = hashlib.sha256()
    _hash_files(h, [MKDOCS_YML, *sorted(p for p in (PACKAGE_TEMPLATES / "overrides").rglob("*") if p.is_file())])
    return h.hexdigest()


def manifest(folder: Path) -> str | None:
    """A fingerprint of a folder's files (names, sizes, times); None when it is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            h.update(f"{path.relative_to(folder).as_posix()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_state(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


# --- the build -------------------------------------------------------------------
def build_all(records_dir: Path, *, site_dir: Path, private_dir: Path | None, today: date | None,
              pdf: bool, echo=print, timings: dict | None = None, lock_wait: float = LOCK_WAIT) -> int:
    started = time.monotonic()
    timings = {} if timings is None else timings
    today = today or date.today()
    records_dir, site_dir = Path(records_dir), Path(site_dir)
    private_dir = Path(private_dir) if private_dir is not None else None
    try:
        check_folders(records_dir, site_dir, private_dir)
    except Refused as err:
        echo(str(err))
        return 2
    work = work_dir(site_dir)
    locks = [BuildLock(work, wait=lock_wait, echo=echo)]
    if private_dir is not None and work_dir(private_dir) != work:
        locks.append(BuildLock(work_dir(private_dir), wait=lock_wait, echo=echo))
    held = []
    try:
        for lock in locks:
            lock.acquire()
            held.append(lock)
        from .site.steps import Build

        return Build(records_dir, site_dir, private_dir, today, pdf, echo, timings, started).run()
    except LockBusy as err:
        echo(str(err))
        return 2
    finally:
        for lock in reversed(held):
            lock.release()


def summary_line(info, pages: int, scan, seconds: float, site_dir: Path) -> str:
    return (f"完成：网站已生成到 {site_dir}（{pages} 个页面；公示 {info.notices} 个，其中公示中 {info.running} 个；"
            f"帮扶政策 {info.items} 项；资金账户 {info.funds} 个，累计收入 {yuan(info.income)} 元、"
            f"支出 {yuan(info.spending)} 元，余额 {yuan(info.balance)} 元）。"
            + (f"隐私检查通过（{scan.files} 个文件，{scan.values} 项个人信息）。" if scan else "")
            + f"用时 {seconds:.1f} 秒。")


def template_dirs(records_dir: Path) -> list[Path]:
    """The station's own templates (next to the records folder) first, then the package's."""
    user = Path(records_dir).resolve().parent / "site_templates"
    return [user] if user.is_dir() and user != PACKAGE_TEMPLATES else []

