"""`bangfu serve`: build, show the site at http://127.0.0.1:<port>, rebuild when a workbook
or a station template is saved (noticed through filesystem events, see watch.py; only the
changed workbook is read again). Ctrl-C ends it.

The server only listens on this computer (127.0.0.1). It serves whatever site_dir
holds at the moment of each request, so a rebuild (an atomic swap) is picked up
without restarting; while a rebuild fails, the last good site stays online.
"""

from __future__ import annotations

import functools
import http.server
import threading
from datetime import date
from pathlib import Path

from .build import build_all
from .build.folders import SITE_MARKER
from .reading import keep_parsed
from .watch import Watcher


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # keep the clerk's window for build messages


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(records_dir: Path, *, site_dir: Path, port: int, today: date | None, echo=print,
          stop: threading.Event | None = None) -> int:
    """Build and serve until Ctrl-C (or until `stop` is set, for tests)."""
    keep_parsed(True)  # a save re-reads only the workbook that changed
    watcher = Watcher(records_dir)  # before the first build: a save during it is not missed
    try:
        return _serve(Path(records_dir), Path(site_dir), port, today, echo, stop or threading.Event(), watcher)
    finally:
        watcher.close()
        keep_parsed(False)


def _serve(records_dir: Path, site_dir: Path, port: int, today: date | None, echo, stop, watcher) -> int:
    code = build_all(records_dir, site_dir=site_dir, private_dir=None, today=today, pdf=False, echo=echo)
    if not (site_dir / SITE_MARKER).is_file():  # only ever a public site bangfu built
        if site_dir.is_dir() and any(site_dir.iterdir()):
            echo(f"“{site_dir}”不是 bangfu 生成的公示网站文件夹，不能预览（其中可能有不应公开的材料）。"
                 "请用 --site-dir 指定网站文件夹，例如 site。")
            return 2
        echo("网站没有生成成功，请按上面的提示改正后再运行 bangfu serve。")
        return code or 2
    handler = functools.partial(_Handler, directory=str(site_dir.resolve()))
    try:
        server = _Server(("127.0.0.1", port), handler)
    except OSError as err:
        echo(f"无法使用端口 {port}（{err.strerror or err}）。请换一个端口，例如 bangfu serve --port {port + 1}。")
        return 2
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"预览地址：http://127.0.0.1:{server.server_address[1]}/ （只有本机能打开）。"
         "保存工作簿后会自动重新生成；按 Ctrl+C 结束。")
    try:
        while watcher.wait(stop):
            echo("检测到记录有变化，重新生成……")
            code = build_all(records_dir, site_dir=site_dir, private_dir=None, today=today, pdf=False,
                             echo=echo)
            if code != 0:
                echo("本次没有更新网站，预览中仍是上一次生成的内容。")
    except KeyboardInterrupt:
        echo("已停止预览。")
    finally:
        server.shutdown()
        server.server_close()
    return 0
