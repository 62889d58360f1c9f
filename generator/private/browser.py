"""One headless Chromium-family browser (Edge, Chrome, Chromium) kept running to print many
HTML files to PDF, driven over the DevTools protocol with the standard library only.

Starting the browser once per PDF costs about a second of CPU and several seconds of wall
time (measured with Debian Chromium 156 on 2 cores); a volume of dossiers used to start it
once per dossier. A session starts it once (`--remote-debugging-port=0`, the port read from
`DevToolsActivePort` in its own temporary profile), opens one tab and, for each file,
navigates to it, waits for the load event and calls `Page.printToPDF` with the page's own
@page size and margins and no browser header or footer, as `--print-to-pdf` does.

Any failure (a browser too old for these flags, a crash) raises SessionFailed; the caller
then prints with one browser start per file as before.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import scratch

START_TIMEOUT = 30.0
PAGE_TIMEOUT = 120.0
# The page's own @page size and margins, its backgrounds, no browser header or footer, and no
# structure tree (tagged PDF, the default of recent Chromium): WeasyPrint writes none either,
# and building it costs the browser about a quarter more CPU and makes a volume four times
# bigger (40 demo dossiers: 8.1 against 5.9 CPU-s of the browser, 6.1 against 1.6 MB).
PRINT_OPTIONS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
                 "generateTaggedPDF": False}

# Features of the browser's own window switched off where it is started: recent Chromium (156)
# opens its address bar's suggestion popups as two hidden WebUI pages in a renderer of their own
# at every start, headless too, about 0.8 of the 1.4-1.6 CPU-s a start costs; they print nothing.
# Nor does it keep a spare renderer process warm for the next tab: it started a new one after
# almost every print (15 renderer processes for 12 prints of dossiers in two tabs, against 3),
# each a few hundredths of a CPU-s, while the tabs' own renderers print every page (12 prints:
# 6.4 against 5.9 CPU-s, medians of 3). A browser that does not know a feature ignores its name
# (Edge, older Chrome).
QUIET_FLAGS = ("--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess",)


def launch_args(browser: str, *args: str) -> list[str]:
    """The command line that starts `browser` headless for printing, with `args`; as root (CI
    containers) without its sandbox, which a root session needs."""
    head = [browser, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            *QUIET_FLAGS]
    if not sys.platform.startswith("win") and hasattr(os, "geteuid") and os.geteuid() == 0:
        head.insert(1, "--no-sandbox")
    return head + list(args)


# A tab's renderer keeps the memory of its largest print, and grows over many prints (Debian
# Chromium 156: 0.76 GB resident after a print of 2,000 receipt rows, still 0.76 GB after small ones;
# one renderer grew from 0.71 to 0.87 GB over the prints of a 20,000-worker build, each bounded by
# pdf_volume.PRINT_ELEMENTS). A new tab starts a new renderer (0.22 GB) and the old one ends: after
# this many bytes of HTML printed, the next print is made in a new tab (about 0.3 s; the demo's
# prints, about 5 MB a browser, never need one).
RENEW_BYTES = 8 * 1024 * 1024
# ... and where the renderer can be measured (Linux /proc), once it holds this much after a print:
# it grows with every print of its tab, most over the first megabytes of HTML (20,000 workers,
# 全部签收单's prints of 200 kB each: resident 330 MiB after the first, 550 after the fourth, and
# a peak while printing of 1,013 MiB before the 8 MB renewal), and a print lays out about
# 150-250 MiB on top of what it holds; renewed past RENEW_MB, no renderer's peak passes about
# 800 MiB. A tab that has printed less than RENEW_LEAST bytes is never renewed for it.
RENEW_MB = 480
RENEW_LEAST = 256 * 1024
# Lower where the build's memory budget asks for it (printing.renew_within, set for the prints by
# printing.write: renew_at), never below a new tab's renderer and a print's worth (a tab renewed
# for every print would gain nothing).
RENEW_FLOOR_MB = 320
_renew = {"mb": RENEW_MB}


def renew_at(mb: int | None) -> None:
    """The renderer size (resident MiB) past which this process's sessions renew their tab after a
    print: `mb` (at least RENEW_FLOOR_MB, at most RENEW_MB), or RENEW_MB again with None."""
    _renew["mb"] = RENEW_MB if mb is None else max(RENEW_FLOOR_MB, min(RENEW_MB, mb))


def renew_mb() -> int:
    """The renderer size past which a tab is renewed now (renew_at)."""
    return _renew["mb"]


# Linux: the browser's temporary profile (about 240 files, SQLite databases among them) is made in
# memory when it can be. Removing it from a disk folder took 0.25-0.65 s of wall time on the shared
# two-core machine (ext4), on the critical path of every build that prints (Session.close), and
# about nothing from /dev/shm.
MEMORY_FOLDER_FREE = 512 * 2**20
MEMORY_FOLDER = "/dev/shm"


def profile_parent() -> str | None:
    """Where browsers' temporary profiles are made: MEMORY_FOLDER on Linux where it is a writable
    folder with MEMORY_FOLDER_FREE bytes free (a container's 64 MB /dev/shm is the browser's own
    shared memory: a profile there could starve it), else the system's temporary folder (None)."""
    if sys.platform.startswith("linux") and os.path.isdir(MEMORY_FOLDER) \
            and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        try:
            free = os.statvfs(MEMORY_FOLDER)
        except OSError:
            return None
        if free.f_bavail * free.f_frsize >= MEMORY_FOLDER_FREE:
            return MEMORY_FOLDER
    return None


class SessionFailed(RuntimeError):
    pass


class Launched:
    """A browser process started with its own temporary profile and a DevTools port, not yet
    connected to: started early (pdf.prestart), it boots while the build does other work."""

    def __init__(self, browser: str):
        self.tmp = tempfile.mkdtemp(prefix=scratch.folder(scratch.PROFILE), dir=profile_parent())
        self.profile = Path(self.tmp) / "profile"
        args = launch_args(browser, "--disable-extensions", f"--user-data-dir={self.profile}",
                           "--remote-debugging-port=0", "about:blank")
        # the thread starting it: on Linux the browser dies when that thread ends (_die_with_starter)
        self.thread = threading.get_ident()
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, preexec_fn=_die_with_starter())
        except OSError as err:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise SessionFailed(str(err)) from err

    def discard(self) -> None:
        """End a browser never connected to, and remove its profile."""
        try:
            self.proc.kill()
            self.proc.wait()
        finally:
            _remove_profile(self.tmp)


class Session:
    def __init__(self, browser: str, launched: Launched | None = None, beside: Session | None = None):
        """Drive the browser `launched` (a process started earlier), else start one; or, with
        `beside` (a session of this process), the same browser as that session, over a connection
        of its own in a browser context of its own (its own renderer process, so the two print
        side by side): one browser's start and helper processes instead of two. A session beside
        another never ends the browser (close_beside)."""
        source: Launched | Session = beside if beside is not None else (
            launched if launched is not None else Launched(browser))
        self.tmp: str = source.tmp
        self.proc: subprocess.Popen = source.proc
        self.profile: Path = source.profile
        self.thread: int = source.thread  # the thread that started the browser
        profile = self.profile
        self.sock: socket.socket | None = None
        self.next_id = 0
        self.events: list[dict] = []
        self.buffer = b""
        self.context = ""  # of a session beside another: its browser context
        try:
            port, path = self._wait_for_port(profile / "DevToolsActivePort")
            self._connect(port, path)
            if beside is not None:
                self.context = self.call("Target.createBrowserContext")["browserContextId"]
            self.target = ""
            self._open_tab()
        except (OSError, ValueError, KeyError, SessionFailed) as err:
            if beside is not None:
                self.close_beside()
            else:
                self.close()
            raise SessionFailed(f"{type(err).__name__}: {err}") from err
        self.printed = 0  # bytes of HTML printed in this tab

    def _open_tab(self) -> None:
        """Print in a new tab from now on (its own renderer process), closing the one before."""
        old = self.target
        params = {"url": "about:blank", **({"browserContextId": self.context} if self.context else {})}
        self.target = self.call("Target.createTarget", params)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=self.session)
        if old:
            self.call("Target.closeTarget", {"targetId": old})
        self.printed = 0

    def _wait_for_port(self, file: Path) -> tuple[int, str]:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SessionFailed(f"browser ended with code {self.proc.returncode}")
            try:
                lines = file.read_text(encoding="ascii").split()
                if len(lines) >= 2:
                    return int(lines[0]), lines[1]
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise SessionFailed("no DevToolsActivePort")

    # --- a minimal WebSocket client (RFC 6455): masked text frames out, any frames in ---
    def _connect(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=PAGE_TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode("ascii"))
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise SessionFailed(head.split(b"\r\n", 1)[0].decode("latin-1"))

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise SessionFailed("the browser closed the connection")
        self.buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + _mask(payload, mask))

    def _receive(self) -> dict:
        message = b""
        while True:
            b0, b1 = self._take(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._take(8))[0]
            mask = self._take(4) if b1 & 0x80 else None
            payload = self._take(n)
            if mask:
                payload = _mask(payload, mask)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise SessionFailed("the browser closed the connection")
            if opcode == 9:
                self._send_frame(10, payload)
                continue
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return json.loads(message.decode("utf-8"))

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._send_frame(1, json.dumps(msg).encode("utf-8"))
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise SessionFailed(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def _wait_event(self, name: str) -> None:
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == name and event.get("sessionId") == self.session:
                    del self.events[:i + 1]
                    return
            self.events.clear()
            reply = self._receive()
            if "method" in reply:
                self.events.append(reply)

    def print_pdf(self, html_path: Path) -> bytes:
        """The PDF of one HTML file, as the browser prints it with its @page CSS."""
        try:
            if self.printed > RENEW_BYTES or (self.printed > RENEW_LEAST and renderer_mb(self.proc.pid) > _renew["mb"]):
                self._open_tab()
            self.printed += Path(html_path).stat().st_size
            self.events.clear()
            self.call("Page.navigate", {"url": Path(html_path).resolve().as_uri()}, self.session)
            self._wait_event("Page.loadEventFired")
            result = self.call("Page.printToPDF", PRINT_OPTIONS, self.session)
            return base64.b64decode(result["data"])
        except (OSError, ValueError, KeyError) as err:
            raise SessionFailed(f"{type(err).__name__}: {err}") from err

    def print_bodies(self, html_path: Path, bodies: list[str]) -> list[bytes]:
        """The PDF of one HTML file, then of that same page with its body's content replaced by
        each of `bodies` in turn: one page loaded, its stylesheets and fonts set up once (the
        stamps of several page counts, pdf_volume._print_stamps)."""
        out = [self.print_pdf(html_path)]
        try:
            for body in bodies:
                done = self.call("Runtime.evaluate", {"expression": f"document.body.innerHTML = {json.dumps(body)}; 0",
                                                      "returnByValue": True}, self.session)
                if "exceptionDetails" in done:
                    raise SessionFailed(f"Runtime.evaluate: {done['exceptionDetails']}")
                self.printed += len(body)
                out.append(base64.b64decode(self.call("Page.printToPDF", PRINT_OPTIONS, self.session)["data"]))
        except (OSError, ValueError, KeyError) as err:
            raise SessionFailed(f"{type(err).__name__}: {err}") from err
        return out

    def close_beside(self) -> None:
        """Leave the browser of a session beside another (__init__ `beside`) running: its browser
        context is closed (its renderer ends) and its connection too."""
        try:
            if self.sock is not None:
                if self.context:
                    try:
                        self.call("Target.disposeBrowserContext", {"browserContextId": self.context})
                    except (OSError, ValueError, SessionFailed):
                        pass
                self.sock.close()
        finally:
            self.sock = None

    def drop(self) -> None:
        """Leave the browser running after a print failed in this session (a page that timed out, a
        crashed renderer, a missing file): its tab is closed if its connection still answers, and
        its connection is closed (a reply that timed out may have left it mid-message). The browser
        is ended by close(), which then kills it."""
        try:
            if self.sock is not None:
                try:
                    self.sock.settimeout(DROP_TIMEOUT)
                    if self.context:
                        self.call("Target.disposeBrowserContext", {"browserContextId": self.context})
                    elif self.target:
                        self.call("Target.closeTarget", {"targetId": self.target})
                except (OSError, ValueError, KeyError, SessionFailed):
                    pass
                self.sock.close()
        finally:
            self.sock = None

    def close(self) -> None:
        """End the browser. Every PDF it printed has been received, and its profile is thrown
        away, so on Linux and macOS it is killed rather than asked to close: an orderly close
        writes the profile out first and kept a build waiting about a third of a second (its
        renderer and helper processes end with it). On Windows it is asked to close (Edge's
        helper processes could outlive a killed browser and keep its profile open)."""
        try:
            if self.sock is not None and sys.platform.startswith("win"):
                try:
                    self.call("Browser.close")
                except (OSError, ValueError, SessionFailed):
                    pass
            else:  # or no connection left to ask it over (dropped): killed at once, not waited for
                self.proc.kill()
            if self.sock is not None:
                self.sock.close()
                self.sock = None
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        finally:
            _remove_profile(self.tmp)


# How long a session whose print failed waits for its tab to close before it just hangs up
# (Session.drop; seconds).
DROP_TIMEOUT = 5.0

# How long a profile folder is removed again while the killed browser's helper processes, ending
# a moment after it, may still write into it (seconds).
PROFILE_GONE = 3.0


def renderer_mb(pid: int) -> int:
    """The resident memory (MiB) of the largest renderer process of the browser `pid` (its
    descendants started as `--type=renderer`), read from Linux /proc; 0 where it cannot be.
    The largest of the browser's, not the calling tab's own: which renderer serves a browser
    context is known only by asking the browser (SystemInfo.getProcessInfo, a DevTools round trip
    per check, and its answer's shape varies across versions); threads sharing a browser
    (browser_share) may each renew their tab for another's big renderer, at worst a tab reopened
    early, never a wrong PDF."""
    largest, todo = 0, [pid]
    while todo:
        parent = todo.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children", encoding="ascii") as f:
                children = [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
        todo.extend(children)
        for child in children:
            try:
                with open(f"/proc/{child}/cmdline", "rb") as f:
                    if b"--type=renderer" not in f.read():
                        continue
            except OSError:
                continue
            largest = max(largest, proc_figure(f"/proc/{child}/status", "VmRSS:") or 0)
    return largest


# the units of proc_figure, in the kB /proc writes its figures in
KIB = 1
MIB = 1024


def proc_figure(file: str, field: str, unit: int = MIB) -> int | None:
    """A figure in kB from a Linux /proc file (`VmRSS:` of /proc/<pid>/status, `Pss:` of
    /proc/<pid>/smaps_rollup, `MemAvailable:` of /proc/meminfo), in `unit`s (MIB: MiB, rounded
    down; KIB: kB as written); None where it cannot be read. The one reader of /proc's memory
    figures: the renderer check of a browser session (renderer_mb), the memory budget of the
    printing (pdf) and the build's Python processes (memory.tree_mb)."""
    try:
        with open(file, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) // unit
    except (OSError, ValueError, IndexError):
        pass
    return None


def _remove_profile(folder: str) -> None:
    """Remove a browser's temporary folder, again while files its ending helpers wrote in the
    meantime keep it there (bounded by PROFILE_GONE)."""
    deadline = time.monotonic() + PROFILE_GONE
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.exists(folder) or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def _die_with_starter():
    """Linux: a function run in the browser's process before it starts, making the kernel kill
    it (PR_SET_PDEATHSIG) when the thread that started it ends, so that a killed or failed build
    (its private writer killed with it, build/private_job.py) leaves no browser behind; its
    renderer and helper processes end with it. None elsewhere (and where prctl cannot be found)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the forked child
    except (OSError, AttributeError):
        return None
    kill = int(signal.SIGKILL)

    def die_with_starter() -> None:
        prctl(1, kill, 0, 0, 0)  # PR_SET_PDEATHSIG

    return die_with_starter


def _mask(payload: bytes, mask: bytes) -> bytes:
    n = len(payload)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")
