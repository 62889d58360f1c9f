"""The browser this process prints with, and the bookkeeping that lets its threads share it
(pdf.browser_session is the way in):

- where the browser is (find_browser);
- a browser started early (launch_early, for pdf.prestart), taken over by a forked writer
  (adopt_prestarted) or ended unused (discard_prestarted);
- one browser shared by the threads that print at the same time, each over a session of its
  own (shared_session, _leave), a failed session renewed without ending the others' browser
  (_renew); this thread's session (running_session).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

BROWSERS = {
    "win32": [r"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe",
              r"%ProgramFiles%\Microsoft\Edge\Application\msedge.exe",
              r"%ProgramFiles%\Google\Chrome\Application\chrome.exe",
              r"%ProgramFiles(x86)%\Google\Chrome\Application\chrome.exe",
              r"%LocalAppData%\Google\Chrome\Application\chrome.exe"],
    "darwin": ["/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
               "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
               "/Applications/Chromium.app/Contents/MacOS/Chromium"],
    "linux": ["/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome",
              "google-chrome-stable", "microsoft-edge", "microsoft-edge-stable"],
}


def find_browser() -> str | None:
    """A Chromium-family browser: BANGFU_BROWSER, else Edge/Chrome/Chromium where they usually are."""
    named = os.environ.get("BANGFU_BROWSER")
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    platform = "win32" if sys.platform.startswith("win") else ("darwin" if sys.platform == "darwin" else "linux")
    for candidate in BROWSERS[platform]:
        candidate = os.path.expandvars(candidate)
        if Path(candidate).is_file():
            return candidate
        found = shutil.which(candidate) if os.sep not in candidate else None
        if found:
            return found
    return None


# The running browser of this thread (browser_session): a build prints its volumes in several
# threads at once, each driving a browser of its own (printing.write).
_local = threading.local()
# A browser started early (prestart), taken by the first session that needs one.
_early: dict = {}


def launch_early() -> None:
    """Start the browser now (pdf.prestart, when the browser prints the volumes), unless one
    started early is waiting already: see pdf.prestart."""
    if _early.get("launched") is not None:
        return
    from .browser import Launched, SessionFailed

    try:
        _early["launched"] = Launched(find_browser())
    except SessionFailed:
        return
    _early["owner"] = os.getpid()
    _early.pop("child", None)  # (a writer of an earlier build of `bangfu serve`)
    # ended when this process ends without printing (an error before the PDFs): at exit, and at
    # the end of a multiprocessing child (the private writer's job), which skips atexit
    import atexit
    from multiprocessing import util

    atexit.register(discard_prestarted)
    util.Finalize(None, discard_prestarted, exitpriority=10)


def adopt_prestarted() -> None:
    """In a forked child (the private writer): the browser its parent started for it
    (prestart_for_child) is this process's to print with and to end. Not a child of this
    process, it is watched and ended by its process id (_Adopted)."""
    launched, owner = _early.get("launched"), _early.get("owner")
    if launched is None or owner is None or owner == os.getpid() or owner != os.getppid():
        return
    launched.proc = _Adopted(launched.proc.pid)
    _early["owner"] = os.getpid()
    import atexit
    from multiprocessing import util

    atexit.register(discard_prestarted)
    util.Finalize(None, discard_prestarted, exitpriority=10)


class _Adopted:
    """A browser process started by this process's parent, driven as a subprocess.Popen is (poll,
    kill, wait): its state read from /proc (Linux; a zombie, ended but not yet reaped by the
    parent, counts as ended), never waited for with waitpid (it is not this process's child)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                with open(f"/proc/{self.pid}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                state = b"X"
            if state in (b"Z", b"X"):
                self.returncode = -9
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
        except OSError:
            pass

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0


def hand_to_child(pid: int) -> None:
    """In the process that started the early browser, once it has forked the writer `pid` that
    adopts it (adopt_prestarted): the browser is the writer's now. This process's sessions (the
    wall printouts, printed inline with the Chromium engine) no longer take it (shared_session):
    the last of them would end it, and delete its profile, while the writer prints in it."""
    if _early.get("launched") is not None and _early.get("owner") == os.getpid():
        _early["child"] = pid


def _child_running(pid: int) -> bool:
    """Whether the forked writer `pid` still runs (a zombie, ended but not reaped, does not)."""
    return _Adopted(pid).poll() is None


def discard_prestarted() -> None:
    """End the browser prestart() started if no session took it (only in the process that
    started it, never in a forked child). One handed to a forked writer (hand_to_child) is left to
    the writer while it runs: the writer ends it; once the writer is gone, this process ends it
    (the writer never adopted it) or only reaps it and removes what is left of its profile."""
    if _early.get("owner") != os.getpid():
        return
    child = _early.get("child")
    if child is not None and _child_running(child):
        return
    launched = _early.pop("launched", None)
    _early.pop("child", None)
    if launched is not None:
        launched.discard()


@contextmanager
def shared_session():
    """This thread's browser session (pdf.browser_session, once it knows the browser prints and
    this thread has no session yet): a renderer of its own in the browser the process shares
    when there is one, else a browser of its own (the main thread's is then shared); nothing
    when the browser cannot be driven (each PDF then starts the browser once)."""
    from .browser import Session, SessionFailed

    with _shared_lock:
        host = _shared.get("host")
        try:
            if host is not None and _shared.get("pid") == os.getpid():
                session = Session(find_browser(), beside=host)  # a renderer of its own, the same browser
            else:
                mine = _early.get("owner") == os.getpid() and _early.get("child") is None
                session = Session(find_browser(), _early.pop("launched", None) if mine else None)
                host = None
                if session.thread == threading.main_thread().ident:  # lives as long as the process
                    _shared.update(host=session, users=0, pid=os.getpid())
        except SessionFailed:
            session = None
        else:
            if host is not None or _shared.get("host") is session:
                _shared["users"] += 1
    if session is None:
        yield
        return
    _local.session = session
    try:
        yield
    finally:  # the session this thread has now: another one if a print failed in the first (_renew)
        current = getattr(_local, "session", None)
        _local.session = None
        if current is not None:
            _leave(current)


# The browser sessions of this process share (browser_session): one browser, started by the
# process's main thread, prints for every thread that wants one at the same time, each thread
# over a connection and in a browser context of its own (its own renderer process). Starting a
# second browser costs about 0.6 CPU-s and its own helper processes; a renderer is what a print
# needs. The browser ends when the last session using it leaves.
_shared: dict = {}
_shared_lock = threading.Lock()


def _leave(session) -> None:
    """A thread's session is done: its connection closed; the browser ended by the last one."""
    with _shared_lock:
        shared = _shared.get("host") is not None and _shared.get("pid") == os.getpid() and (
            session is _shared["host"] or session.proc is _shared["host"].proc)
        if shared:
            _shared["users"] -= 1
            last = _shared["users"] <= 0
            host = _shared["host"]
            if last:
                _shared.clear()
    if not shared:
        session.close()
        return
    if session is not host:
        session.close_beside()
    if last:
        host.close()


def _is_shared(session) -> bool:
    """Whether `session` prints in the browser this process's threads share (under _shared_lock)."""
    host = _shared.get("host")
    return host is not None and _shared.get("pid") == os.getpid() and (
        session is host or session.proc is host.proc)


def _renew(session):
    """A print failed in this thread's `session`: the session for this thread's next prints, or
    None (each PDF then starts the browser once). A failure belongs to one tab (a page that timed
    out, a crashed renderer, a missing file), so the browser the other threads print in is not
    ended: the failed session drops its tab and connection, and a new browser context in the same
    browser takes over; only when the browser itself has ended does this thread start one of its
    own. A browser of this thread's own (not shared) is ended, as before."""
    from .browser import Session, SessionFailed

    with _shared_lock:
        shared = _is_shared(session)
        if shared:
            host = _shared["host"]
            alive = host.proc.poll() is None
            if session is host:
                session.drop()  # the browser stays: host.close() ends it when the last one leaves
            else:
                session.close_beside()
            renewed = None
            if alive:
                try:
                    renewed = Session(find_browser(), beside=host)
                except SessionFailed:
                    pass
            if renewed is None:
                _shared["users"] -= 1
                last = _shared["users"] <= 0
                if last:
                    _shared.clear()
            else:
                last = False
    if not shared:
        session.close()
        return None
    if renewed is not None:
        return renewed
    if last:
        host.close()
    if alive:
        return None
    try:  # the shared browser has ended (crashed or killed): one of this thread's own
        return Session(find_browser())
    except SessionFailed:
        return None


def running_session():
    """This thread's running browser session, or None."""
    return getattr(_local, "session", None)


def print_bodies(html_path: Path, bodies: list[str]) -> list[bytes] | None:
    """The PDF of one HTML file and of that page with its body replaced by each of `bodies`
    (browser.Session.print_bodies), by this thread's running session; None without one, or when
    it fails (the caller prints each from a page of its own, in a session renewed as
    pdf._chromium_pdf renews it)."""
    session = running_session()
    if session is None:
        return None
    from .browser import SessionFailed

    try:
        return session.print_bodies(html_path, bodies)
    except SessionFailed:
        _local.session = None
        _local.session = _renew(session)
        return None
