"""Where private/ may live: never inside a public site folder.

The private folder holds personal data; `refuse_inside` says (in Chinese) why a
folder choice would publish it. File names from data and the page addresses the
site shares are in generator/paths.py (re-exported here for the private writers).
"""

from __future__ import annotations

from pathlib import Path

from ..paths import inside, notice_slug, page_url, safe_filename, unique_names

__all__ = ["PRIVATE_MARKER", "SITE_MARKERS", "inside", "looks_like_site", "notice_slug", "page_url",
           "refuse_inside", "safe_filename", "unique_names"]

# The file that marks a folder as written by bangfu (a build may replace it).
PRIVATE_MARKER = ".bangfu-private"

# Markers of a built public site (MkDocs) or its sources.
SITE_MARKERS = ("sitemap.xml", "search/search_index.json")


def looks_like_site(folder: Path) -> bool:
    return any((Path(folder) / marker).exists() for marker in SITE_MARKERS)


def refuse_inside(private_dir: Path, public_dirs=()) -> str | None:
    """A Chinese message when `private_dir` is, or is inside, a public folder; else None.

    Public means one of `public_dirs` (the site folder, the generated docs), or any
    folder on the way up that looks like a built site (it has a sitemap.xml or
    search/search_index.json, as every MkDocs build does).
    """
    private = Path(private_dir).resolve()
    for public in public_dirs:
        if public is None:
            continue
        pub = Path(public).resolve()
        if private == pub or pub in private.parents:
            return (f"内部材料文件夹“{private_dir}”在公开网站文件夹“{public}”之内，"
                    "其中的个人信息会随网站一起公开。请把内部材料放在网站文件夹之外"
                    "（例如用 --private-dir 指定记录文件夹旁边的 private 文件夹）。")
    for folder in (private, *private.parents):
        if looks_like_site(folder):
            return (f"内部材料文件夹“{private_dir}”位于网站文件夹“{folder}”之内"
                    "（那里有网站生成的文件），其中的个人信息会随网站一起公开。"
                    "请把内部材料放在网站文件夹之外。")
    return None
