"""Which folders a build may use: the site and private folders never overlap the records or
each other, and a folder is replaced only when bangfu made it (its marker file)."""

from __future__ import annotations

from pathlib import Path

from ..outputs import guard_folder
from ..private.paths import PRIVATE_MARKER, refuse_inside
from ..render import PACKAGE_TEMPLATES

SITE_MARKER = ".bangfu-site"


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
    _guard(site_dir, records_dir, SITE_MARKER, "网站")
    if private_dir is None:
        return
    private = Path(private_dir).resolve()
    if _inside(private, site) or _inside(site, private) or _inside(private, work):
        raise Refused(f"内部材料文件夹“{private_dir}”与网站文件夹“{site_dir}”重叠（或在生成用的工作文件夹内），"
                      "其中的个人信息会随网站一起公开。请把内部材料放在网站文件夹之外，例如记录文件夹旁边的 private。")
    if _inside(records, private) or _inside(private, records):
        raise Refused(f"内部材料文件夹“{private_dir}”与记录文件夹“{records_dir}”重叠。内部材料文件夹每次生成都会被"
                      "整体替换，请另选一个文件夹。")
    message = refuse_inside(private, (site, work / "docs"))
    if message:
        raise Refused(message)
    _must_be_ours(private, PRIVATE_MARKER, "内部材料")
    _guard(private_dir, records_dir, PRIVATE_MARKER, "内部材料")


def _guard(folder: Path, records_dir: Path, marker: str, what: str) -> None:
    """The output guard shared by every command (no input workbook inside, and so on)."""
    refusal = guard_folder(folder, records_dir=records_dir, marker=marker, what=what)
    if refusal:
        raise Refused(refusal)


def publish_target(folder: Path, echo) -> Path:
    """A site or private folder that is a symbolic link (to a web server's folder) is published
    through the link: the build replaces the folder it points to, and the link stays."""
    if not folder.is_symlink():
        return folder
    real = folder.resolve()
    echo(f"“{folder}”是指向“{real}”的链接，将生成到“{real}”（链接保持不变）。")
    return real


def _must_be_ours(folder: Path, marker: str, what: str) -> None:
    if folder.exists() and not folder.is_dir():
        raise Refused(f"{what}文件夹“{folder}”是一个文件，请换一个文件夹名。")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / marker).exists():
        raise Refused(f"{what}文件夹“{folder}”已存在且不是 bangfu 生成的。为免误删其中的文件，本次没有生成。"
                      f"请换一个文件夹，或确认不需要后把它清空。")




def template_dirs(records_dir: Path) -> list[Path]:
    """The station's own templates (next to the records folder) first, then the package's."""
    user = Path(records_dir).resolve().parent / "site_templates"
    return [user] if user.is_dir() and user != PACKAGE_TEMPLATES else []

