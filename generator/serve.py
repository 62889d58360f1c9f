"""`bangfu serve`: build, show the site at http://127.0.0.1:<port>, rebuild when a workbook
or a station template is saved (noticed through filesystem events, see watch.py; only the
changed workbook is read again). Ctrl-C ends it.

Live reload: every HTML page served gets a small script (LIVE_SCRIPT, injected on the fly,
never written into the site) that asks STATUS_PATH for the next change (a long poll: the
answer comes the moment a rebuild ends, not on the next one-second poll); after a good
rebuild the page reloads itself, after a failed check it shows the problems at the bottom
of the page. The wall-
printout PDFs that `bangfu build` made are rebuilt, never dropped.

The server only listens on this computer (127.0.0.1). It serves whatever site_dir
holds at the moment of each request, so a rebuild (an atomic swap) is picked up
without restarting; while a rebuild fails, the last good site stays online.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.parse
from datetime import date
from pathlib import Path

from .build import build_all
from .build.folders import SITE_MARKER
from .privacy import keep_scans
from .reading import keep_parsed
from .site.mkdocs_memo import keep_pages
from .watch import Watcher

STATUS_PATH = "/__bangfu__/status"

# Injected into every HTML page the preview serves (never written into the site): asks the
# server for the next change (STATUS_PATH?after=<version> answers when there is one, or
# after LONG_POLL seconds with nothing new); reloads the page after a rebuild and shows the
# problems of a failed check in a box at the bottom of the page. A page in a background tab
# asks once a second without waiting: a browser opens at most six connections to one
# server, and a waiting question holds one.
LIVE_SCRIPT = """<script>(function(){var seen=null,version=null;
function show(text){var box=document.getElementById("bangfu-problems");
if(!text){if(box)box.remove();return;}
if(!box){box=document.createElement("div");box.id="bangfu-problems";box.setAttribute("role","alert");
box.style.cssText="position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;z-index:10000;"+
"background:#fff4f4;color:#6b0000;border-top:3px solid #b00020;padding:12px 16px;"+
"font:14px/1.6 'Noto Sans CJK SC','Microsoft YaHei',sans-serif;white-space:pre-wrap";
document.body.appendChild(box);}
box.textContent="网站没有更新，页面仍是上一次生成的内容。请按下面的提示改正工作簿并保存，改好后本页会自动刷新。\\n\\n"+text;}
function poll(){var wait=version!==null&&!document.hidden;
fetch("%s"+(wait?"?after="+version:""),{cache:"no-store"}).then(function(r){return r.json();}).then(function(s){
if(seen!==null&&s.generation!==seen){location.reload();return;}seen=s.generation;version=s.version;show(s.problems);
setTimeout(poll,document.hidden?1000:10);}).catch(function(){setTimeout(poll,1000);});}
poll();})();</script>""".replace("%s", STATUS_PATH)
LONG_POLL = 10.0  # seconds a status request with ?after= waits for a change


class LiveState:
    """What the preview page asks for: a counter of good builds, the last failed check's report,
    and a version that changes with either (a page waiting for a change is woken by it)."""

    def __init__(self):
        self.generation = 0
        self.problems = ""
        self.version = 0
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.closed = False

    def built(self) -> None:
        with self.lock:
            self.generation += 1
            self.problems = ""
            self.version += 1
            self.changed.notify_all()

    def failed(self, report: str) -> None:
        with self.lock:
            if report == self.problems:  # built again with the same faults (a save in several
                return  # writes, or another workbook saved): the page shows them already
            self.problems = report
            self.version += 1
            self.changed.notify_all()

    def close(self) -> None:
        """Answer every waiting page now (the preview stops)."""
        with self.lock:
            self.closed = True
            self.changed.notify_all()

    def as_json(self, after: int | None = None, timeout: float = LONG_POLL) -> bytes:
        """The state; with `after` (a version the page has seen), once it has changed or after
        `timeout` seconds."""
        with self.lock:
            if after is not None:
                self.changed.wait_for(lambda: self.version != after or self.closed, timeout)
            return json.dumps({"generation": self.generation, "problems": self.problems, "version": self.version},
                              ensure_ascii=False).encode("utf-8")


class _Handler(http.server.SimpleHTTPRequestHandler):
    live: LiveState

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # keep the clerk's window for build messages

    def do_GET(self):  # noqa: N802 - the base class's name
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        if path == STATUS_PATH:
            after = urllib.parse.parse_qs(parts.query).get("after", [""])[0]
            return self._send(self.live.as_json(int(after) if after.isdigit() else None),
                              "application/json; charset=utf-8")
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            if not path.endswith("/"):  # let the base class redirect to the folder URL
                return super().do_GET()
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            html = local.read_bytes()
            at = html.rfind(b"</body>")
            script = LIVE_SCRIPT.encode("utf-8")
            html = html[:at] + script + html[at:] if at >= 0 else html + script
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(records_dir: Path, *, site_dir: Path, port: int, today: date | None, echo=print,
          stop: threading.Event | None = None) -> int:
    """Build and serve until Ctrl-C (or until `stop` is set, for tests)."""
    keep_parsed(True)  # a save re-reads only the workbook that changed
    keep_pages(True)  # and converts again only the pages whose Markdown changed
    keep_scans(True)  # the leak scan's kept texts and values stay in memory too
    watcher = Watcher(records_dir)  # before the first build: a save during it is not missed
    try:
        return _serve(Path(records_dir), Path(site_dir), port, today, echo, stop or threading.Event(), watcher)
    finally:
        watcher.close()
        keep_parsed(False)
        keep_pages(False)
        keep_scans(False)


def _serve(records_dir: Path, site_dir: Path, port: int, today: date | None, echo, stop, watcher) -> int:
    live = LiveState()
    # the wall-printout PDFs that `bangfu build` made stay: rebuild them too when they exist
    pdf = any((site_dir / "print").rglob("*.pdf")) if (site_dir / "print").is_dir() else False

    def rebuild() -> int:
        lines: list[str] = []

        def tee(line) -> None:
            lines.append(str(line))
            echo(line)

        swapped = []

        def on_swap() -> None:  # the pages reload now, not once the build has kept its state
            swapped.append(True)
            live.built()

        code = build_all(records_dir, site_dir=site_dir, private_dir=None, today=today, pdf=pdf, echo=tee,
                         discard_later=True, on_swap=on_swap)
        if code == 0 and not swapped:  # nothing swapped in (the site as it was): still a good build
            live.built()
        elif code != 0:
            live.failed("\n".join(lines))
        return code

    code = rebuild()
    if not (site_dir / SITE_MARKER).is_file():  # only ever a public site bangfu built
        if site_dir.is_dir() and any(site_dir.iterdir()):
            echo(f"“{site_dir}”不是 bangfu 生成的公示网站文件夹，不能预览（其中可能有不应公开的材料）。"
                 "请用 --site-dir 指定网站文件夹，例如 site。")
            return 2
        echo("网站没有生成成功，请按上面的提示改正后再运行 bangfu serve。")
        return code or 2
    handler = functools.partial(type("_LiveHandler", (_Handler,), {"live": live}),
                                directory=str(site_dir.resolve()))
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
            code = rebuild()
            if code != 0:
                echo("本次没有更新网站，预览中仍是上一次生成的内容。")
    except KeyboardInterrupt:
        echo("已停止预览。")
    finally:
        live.close()
        server.shutdown()
        server.server_close()
    return 0
