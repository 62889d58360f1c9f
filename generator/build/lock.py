"""The build lock: one build at a time per work folder (.bangfu/ next to the site).

The lock is a file, `.bangfu/build.lock`, holding the owner's process id, host,
start time and, on Linux, the process start tick (so a reused process id is not
mistaken for the owner), plus an OS lock on it (flock / msvcrt.locking) that
makes taking it atomic. The file survives a crash; a later build finds it stale
(the OS lock is gone with the process, and the recorded process is dead) and
takes it over. A live owner makes the second build wait a little, then refuse
with a clear message. A clean finish removes the file.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from datetime import datetime
from pathlib import Path

LOCK_NAME = "build.lock"


# The descriptors of the locks this process holds. A forked child (the private writer, its
# rendering processes) closes its copies at once: the OS lock belongs to the open file, so a
# child that outlives its killed build for a moment would otherwise keep the lock held and make
# the next build refuse. The parent's descriptor keeps the lock for as long as the parent lives.
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


class LockBusy(Exception):
    """Another build holds the lock; str() is the Chinese message for the clerk."""


def _proc_start(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22: start time in clock ticks


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel = ctypes.windll.kernel32
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_flock(fd: int) -> bool:
    """An exclusive, non-blocking OS lock on the open file; the OS drops it when the
    process dies, however it dies."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class BuildLock:
    def __init__(self, work_dir: Path, wait: float = 10.0, poll: float = 0.25, echo=None):
        self.path = Path(work_dir) / LOCK_NAME
        self.wait, self.poll, self.echo = wait, poll, echo
        self.fd: int | None = None

    @property
    def held(self) -> bool:
        return self.fd is not None

    def _owner(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _live_owner(self, owner: dict | None) -> bool:
        """The file names a running build (other than us): a lock taken without the OS lock,
        e.g. on a file system without one. A dead or reused process id is stale."""
        if not owner or owner.get("host") != socket.gethostname():
            return False
        pid = int(owner.get("pid", 0) or 0)
        if pid == os.getpid() or not _alive(pid):
            return False
        start = owner.get("proc_start")
        return not (start and _proc_start(pid) not in (None, start))

    def _try(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _try_flock(fd):
                os.close(fd)
                return False
            try:  # the file may have been removed and made again while we waited
                if os.fstat(fd).st_ino != os.stat(self.path).st_ino and sys.platform != "win32":
                    os.close(fd)
                    return False
            except FileNotFoundError:
                os.close(fd)
                return False
            if self._live_owner(self._owner()):
                os.close(fd)
                return False
            info = {"pid": os.getpid(), "host": socket.gethostname(), "proc_start": _proc_start(os.getpid()),
                    "started": datetime.now().isoformat(timespec="seconds")}
            data = json.dumps(info).encode("utf-8")
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, data)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        _HELD.add(fd)
        return True

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        told = False
        while not self._try():
            if time.monotonic() >= deadline:
                raise LockBusy(self._message(self._owner()))
            if self.echo and not told:
                self.echo("另一个生成任务正在使用这个网站文件夹，等待它结束……")
                told = True
            time.sleep(self.poll)

    def _message(self, owner: dict | None) -> str:
        who = ""
        if owner:
            who = f"（进程 {owner.get('pid')}，{str(owner.get('started', '')).replace('T', ' ')} 开始"
            who += f"，计算机 {owner.get('host')}）" if owner.get("host") != socket.gethostname() else "）"
        return (f"另一个 bangfu 生成任务正在使用这个网站文件夹{who}，本次没有生成。"
                f"请等它结束后再运行。如果确定没有其他生成任务在进行，可以删除锁文件 {self.path} 后重试。")

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        _HELD.discard(fd)
        if sys.platform == "win32":
            os.close(fd)
            try:
                self.path.unlink()
            except OSError:
                pass
            return
        try:
            self.path.unlink()  # while still locked, so nobody takes a file about to vanish
        except FileNotFoundError:
            pass
        os.close(fd)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
