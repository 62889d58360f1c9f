"""The one output guard: every command that writes a file or a folder asks here first.

The rule (README, 安全承诺): no command writes to, over, or through a link to an
input workbook; none writes into the records folder; none writes into a folder it
did not create, except with an explicit `--force` where that makes sense.

    refusal = guard_folder(Path("private"), records_dir=Path("records"), marker=PRIVATE_MARKER,
                           what="内部材料")
    refusal = guard_file(Path("out.xlsx"), records_dir=Path("records"), force=False)
    write_bytes(path, data)        # temporary file + rename: never writes through a link
    save_workbook(wb, path)

A refusal is a Chinese message (str) naming the path and what to do; None means go ahead.
Writing always goes to a new temporary file beside the target, renamed over it, so a
symbolic or hard link at the target is replaced, and the file it pointed to is never
written.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from . import schema

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv")
ANNOTATE_MARKER = ".bangfu-annotated"
DEMO_MARKER = ".bangfu-demo"


class OutputRefused(Exception):
    """A command must not write there; str() is the Chinese message for the clerk."""


def _resolve(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a link loop
        return Path(os.path.abspath(path))


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def input_workbooks(records_dir: Path | None) -> list[Path]:
    """The workbooks a command reads: the four books, and any other workbook in the folder."""
    if records_dir is None:
        return []
    folder = Path(records_dir)
    found = [folder / b.filename for b in schema.BOOKS]
    try:
        found += [p for p in folder.iterdir() if p.suffix.lower() in WORKBOOK_SUFFIXES and p not in found]
    except OSError:
        pass
    return [p for p in found if p.exists()]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def guard_file(target: Path, *, records_dir: Path | None, force: bool = False,
               ours: bool = False) -> str | None:
    """May a command write the file `target`? `ours`: the file lies in a folder the command
    created (it may replace what an earlier run wrote there)."""
    target = Path(target)
    if target.is_dir():
        return f"“{target}”是一个文件夹，不能作为输出文件。请写出文件名，例如 {target / '统计表.xlsx'}。"
    for source in input_workbooks(records_dir):
        if _same_file(source, target) or _resolve(source) == _resolve(target):
            return (f"输出文件“{target}”就是输入的工作簿“{source}”（或指向它的链接）。"
                    "bangfu 从不改写输入的工作簿，请换一个输出文件名。")
    if records_dir is not None:
        records = _resolve(records_dir)
        if _inside(_resolve(target), records) or _inside(_resolve(target.parent), records):
            return (f"输出文件“{target}”在记录文件夹“{records_dir}”里。bangfu 从不往记录文件夹里写文件，"
                    "以免覆盖或混入工作簿。请把输出放在记录文件夹之外。")
    if target.is_symlink():
        return (f"输出文件“{target}”是一个链接（快捷方式），写入会改动它所指向的文件。"
                "请换一个输出文件名，或先删除这个链接。")
    if not target.exists():
        return None
    try:
        links = target.stat().st_nlink
    except OSError:
        links = 1
    if links > 1:
        return (f"输出文件“{target}”与另一个文件是同一份（硬链接），写入会同时改动另一个文件。"
                "请换一个输出文件名。")
    if not (force or ours):
        return f"输出文件“{target}”已存在，未覆盖。如确需覆盖，请加 --force。"
    return None


def guard_folder(folder: Path, *, records_dir: Path | None, marker: str | None, what: str,
                 force: bool = False) -> str | None:
    """May a command write into `folder`? It must not be, hold, or lie inside the records
    folder, must not hold an input workbook, and, when it already has files, must carry
    `marker` (it was made by bangfu) unless `force`."""
    folder = Path(folder)
    real = _resolve(folder)
    if folder.exists() and not folder.is_dir():
        return f"{what}文件夹“{folder}”是一个文件，请换一个文件夹名。"
    if records_dir is not None:
        records = _resolve(records_dir)
        if _inside(real, records) or _inside(records, real):
            return (f"{what}文件夹“{folder}”与记录文件夹“{records_dir}”重叠。bangfu 从不往记录文件夹里写文件，"
                    "请另选一个文件夹（例如记录文件夹旁边的新文件夹）。")
        for source in input_workbooks(records_dir):
            if _inside(_resolve(source), real):
                return (f"{what}文件夹“{folder}”里有输入的工作簿“{source}”（或它链接到的文件）。"
                        "请另选一个文件夹。")
    if not folder.is_dir() or force:
        return None
    try:
        entries = [p.name for p in folder.iterdir()]
    except OSError as err:
        return f"无法打开{what}文件夹“{folder}”（{err.strerror or err}）。请检查文件夹权限。"
    if entries and (marker is None or marker not in entries):
        return (f"{what}文件夹“{folder}”已存在且不是 bangfu 生成的，为免覆盖其中的文件，本次没有写入。"
                "请换一个新文件夹，或确认其中的文件不再需要后加 --force。")
    return None


def claim_folder(folder: Path, marker: str) -> Path:
    """Create the folder (if needed) and mark it as made by bangfu."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / marker
    if not stamp.exists():
        write_bytes(stamp, b"bangfu\n")
    return folder


def write_bytes(path: Path, data: bytes) -> Path:
    """Write a whole file as a new file renamed over the target: a link at the target is
    replaced, never written through; a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bangfu-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding))


def save_workbook(wb, path: Path) -> Path:
    """openpyxl's save, through a temporary file (see write_bytes)."""
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes(path, buffer.getvalue())


_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def stable_xlsx(data: bytes, stamp: date) -> bytes:
    """An .xlsx openpyxl saved, with fixed zip timestamps and document dates (`stamp`, midnight):
    writing the same content again gives the same bytes (openpyxl stamps the time of saving)."""
    when = datetime(stamp.year, stamp.month, stamp.day)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, stamped_part(name, data, stamp))
    return out.getvalue()


def stamped_part(name: str, data: bytes, stamp: date) -> bytes:
    """A part of an .xlsx file with the document's dates (docProps/core.xml: created, modified)
    set to `stamp` at midnight; any other part as it is."""
    if name != "docProps/core.xml":
        return data
    iso = datetime(stamp.year, stamp.month, stamp.day).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _STAMP.sub(lambda m: m.group(1) + iso + m.group(3), data)
