"""The private writer in a process of its own, beside the site stages.

A build checks the records once, then has two independent pieces of work: the public
site (pages, mkdocs, the leak scan, the disclosure audit) and the private records
(dossiers, receipts, reports, 办结表). The site stages run in one process; the private
writer renders its documents in a few processes but spends much of its time in one
(contexts, fingerprints, figures, filing order). Run side by side, both cores stay busy
for the whole build: `PrivateJob.start()` right after the read (a check that finds errors
stops it again, as does any build that ends early), `wait()` once the site
is built and scanned, then the build swaps both folders in (or neither).

    job = PrivateJob(steps.private_folder, records, staging, private_dir, today=..., pdf=..., site_url=...)
    job.start()            # a child process writes the private folder into `staging`
    ...                    # the check, then the site stages
    summary = job.wait(echo)   # its lines echoed now, in order; its error raised here
    job.cancel()           # instead of wait() when the site failed: nothing is kept

Where the system can fork (Linux, macOS) and this process has no other threads, the
child is forked and inherits the records as they are. Elsewhere (Windows) it is spawned
and receives the records pickled (fields only, through `records.pickle_reducers`), the
very records the site is built from, never read again from the workbooks, which the
clerk may have saved meanwhile. With one core (or BANGFU_JOBS=1) the writer runs in
this process after the site stages, as before.

Output stays readable: the child's lines (PDF progress) travel through a pipe and are
echoed only when the parent waits for it, after the site's own lines. The child is a
process group of its own (its rendering processes with it) and dies with the parent
(Linux: PR_SET_PDEATHSIG), so a killed or failed build leaves no writer behind;
`cancel()` kills the group and removes the staging folder (it holds personal data).
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from .. import record_views, trace
from ..cores import can_fork
from ..private import carry, memory
from ..private.dossier_slices import SLICE_TABLES
from ..private.parallel import die_with_parent, keep_frozen
from . import publish

START_METHOD: str | None = None  # "fork" or "spawn" to force one (tests); None: fork where possible

_INHERITED = None  # the fork child's records (set just before forking)


def start_method() -> str:
    if START_METHOD:
        return START_METHOD
    return "fork" if can_fork() else "spawn"


def pack_records(records) -> bytes:
    """The records' own fields (no cached indices), pickled through the records' reducers."""
    from ..records import pickle_reducers

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = pickle_reducers()
    pickler.dump({f.name: getattr(records, f.name) for f in fields(records)})
    return buffer.getvalue()


def unpack_records(data: bytes):
    from ..records import Records

    return Records(**pickle.loads(data))


class Prelink:
    """The last build's documents linked into the staging folder by a process of its own while
    the build still reads the workbooks (private.carry.prelink), so that the private writer,
    started after the read, carries the unchanged ones without a system call each.

        prelink = Prelink.start(private_dir, staging)   # None where it cannot run (see start)
        job = PrivateJob(..., prelink=prelink)           # its writer takes the result over
        prelink.cancel()                                 # a build ending early: stopped, staging removed

    Only where the writer is forked (it inherits the end of the pipe the result comes through);
    with spawn (Windows) or one core the writer links the documents itself, as ever. The process
    dies with the build (Linux: PR_SET_PDEATHSIG) and is stopped before the staging folder is
    removed; its links are in the staging folder only, which a failed build removes (and the
    next build, after a kill)."""

    def __init__(self, process, conn, previous: Path, staging: Path):
        self.process, self.conn, self.previous, self.staging = process, conn, previous, staging

    @classmethod
    def start(cls, private_dir: Path, staging: Path) -> Prelink | None:
        """Start linking `private_dir`'s documents into the empty `staging` folder; None when
        the writer will not be forked or there is no last build to carry from."""
        from ..private import carry

        if start_method() != "fork" or not (Path(private_dir) / carry.NAME).is_file():
            return None
        context: Any = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        try:
            process = context.Process(target=_prelink_child, args=(send, Path(private_dir), Path(staging)),
                                      name="bangfu-prelink", daemon=False)
            process.start()
        except OSError:
            receive.close()
            return None
        finally:
            send.close()
        return cls(process, receive, Path(private_dir), Path(staging))

    def result(self) -> dict | None:
        """In the writer: prelink's {key: inode}, or None when its process failed or died."""
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            return None
        finally:
            self.conn.close()
        return message if isinstance(message, dict) else None

    def stop(self, wait: bool = True) -> None:
        """In the build's process: end the prelink process (killed unless done; at once unless
        `wait`) and reap it."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is None:
            return
        if wait and self.process.is_alive():
            self.process.join(0.5)  # nearly always long done: it runs during the read
        if self.process.is_alive():
            try:
                self.process.kill()
            except (OSError, ValueError):
                pass
        self.process.join()
        self.process.close()
        self.process = None


    def cancel(self) -> None:
        """Stop it at once and remove the staging folder with its links (a build that ends
        before its private writer starts)."""
        self.stop(wait=False)
        publish.remove(self.staging)


def _prelink_child(conn, previous: Path, staging: Path) -> None:
    die_with_parent()
    from ..private import carry

    trace.mark("start", "prelink")
    try:
        with trace.span("prelink"):
            staged = carry.prelink(previous, staging)
    except BaseException:  # noqa: BLE001 - the writer then carries as without it
        staged = None
    try:
        conn.send(staged)
    finally:
        conn.close()


def _digest_shared(records) -> None:
    """The digests of the dossiers' tables (record_views.table_digest), worked out before the
    writer is forked, so that it inherits them: the writer digests them first thing (its
    dossiers' slices), and this process digests them too (the checks' cache, the site's
    inputs, the register kept in the read store), so a table the read left undigested (a
    fresh build's register: 0.7 CPU-s at 20,000 workers) was digested in both. A digest
    known already (kept in the read store) costs a look-up."""
    with trace.span("digests-before-fork"):
        for name in SLICE_TABLES:
            record_views.table_digest(records, name)


class PrivateJob:
    def __init__(self, write, records, staging: Path, private_dir: Path, *, today: date, pdf: bool,
                 site_url: str | None, prelink: Prelink | None = None):
        """`write(records, staging, private_dir, today=, pdf=, site_url=, echo=)` writes the
        folder and returns its summary (steps.private_folder; a module-level function, so that
        a spawned child finds it by name)."""
        self.write = write
        self.records, self.staging, self.private_dir = records, Path(staging), Path(private_dir)
        self.today, self.pdf, self.site_url = today, pdf, site_url
        self.process: Any = None  # a multiprocessing Process of the chosen start method
        self.conn: Any = None
        self.seconds = 0.0  # the child's own time for the private writer
        self.prelink = prelink  # the last build's documents being linked into staging (Prelink)

    def _arguments(self) -> tuple:
        return (self.staging, self.private_dir, self.today, self.pdf, self.site_url)

    def start(self) -> None:
        global _INHERITED
        method = start_method()
        context: Any = multiprocessing.get_context(method)
        receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # a forked child would print the unflushed rest again
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        if method == "fork":
            _INHERITED = self.records
            data = None
            _digest_shared(self.records)
        else:
            data = pack_records(self.records)
        prelink = self.prelink if method == "fork" else None
        if prelink is not None and prelink.conn is not None:  # the forked writer takes its result
            carry.prelinked(prelink.previous, prelink.staging, prelink.result)
        try:
            self.process = context.Process(target=_child, args=(send, self.write, data, self._arguments()),
                                           name="bangfu-private", daemon=False)
            self.process.start()
        finally:
            _INHERITED = None
            self.records = None  # the writer has them now (inherited, or pickled): not held here for it
            carry.prelinked(None, None)
            send.close()
            if prelink is not None and prelink.conn is not None:
                prelink.conn.close()  # the writer holds its own copy
                prelink.conn = None
        self.conn = receive

    def wait(self, echo) -> tuple[str, str | None]:
        """What the writer returned (steps.private_folder: the summary and the folder's manifest) once
        the child is done; its lines are echoed first.
        The child's error is raised here (the staging folder removed first)."""
        outcome = None
        try:
            while True:
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "echo":
                    echo(message[1])
                else:
                    outcome = message
                    break
        finally:
            self._end(stray=outcome is None or outcome[0] != "done")
        if outcome is not None and outcome[0] == "done":
            self.seconds = outcome[2]
            return outcome[1]
        self._remove_staging()
        if outcome is None:
            code = self.process.exitcode if self.process is not None else None
            raise RuntimeError(f"the private writer's process ended without a result (exit code {code})")
        error, text = outcome[1], outcome[2]
        if isinstance(error, BaseException):
            error.add_note(f"In the private writer's process:\n{text}")
            raise error
        raise RuntimeError(f"the private writer failed:\n{text}")

    def cancel(self) -> None:
        """Stop the child (and its rendering processes) and remove what it wrote."""
        if self.process is not None and self.process.is_alive():
            self._kill()
        self._end(stray=True)
        self._remove_staging()

    def _kill(self) -> None:
        pid = self.process.pid
        if hasattr(os, "killpg"):
            try:
                os.killpg(pid, signal.SIGKILL)  # the child leads its group (see _child)
            except OSError:
                pass
        try:
            self.process.kill()
        except (OSError, ValueError):
            pass

    def _end(self, stray: bool) -> None:
        """Close the pipe and reap the child; `stray`: it failed or was stopped, so rendering
        processes of its group may be left: they are killed too."""
        if self.prelink is not None:
            self.prelink.stop(wait=not stray)
            self.prelink = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            self.process.join(30)
            if self.process.is_alive():
                self._kill()
                self.process.join()
            if stray and hasattr(os, "killpg"):  # rendering processes the child may have left
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except OSError:
                    pass
            self.process.close()
            self.process = None

    def _remove_staging(self) -> None:
        publish.remove(self.staging)


def _child(conn, write, data: bytes | None, arguments: tuple) -> None:
    """In the child process: write the private folder, send its lines, then the outcome."""
    if hasattr(os, "setpgid"):
        try:
            os.setpgid(0, 0)  # a group of its own: cancel() kills it with its rendering processes
        except OSError:
            pass
    die_with_parent()
    memory.take_room()  # the build's process's promise to let go of its records before this prints
    # Forked during the read's pause of the collector, with the records (millions of objects,
    # none of them garbage) still in its youngest generation: frozen first, the collections of
    # the writer's own objects do not walk them all again and again (1.2 of the child's CPU
    # seconds at 20,000 workers, and a copy of every page they touch). The records live until
    # the child ends. Then the writer runs with the collector as it always did.
    trace.mark("start", "private-writer")
    keep_frozen()
    gc.enable()
    started = time.monotonic()
    try:
        if data is None:
            records = _INHERITED
            if records is None:
                raise RuntimeError("the forked private writer did not inherit the records")
        else:
            records = unpack_records(data)
        staging, private_dir, today, pdf, site_url = arguments
        with trace.span("private-writer"):
            summary = write(records, staging, private_dir, today=today, pdf=pdf, site_url=site_url,
                            echo=lambda line: conn.send(("echo", str(line))))
        conn.send(("done", summary, time.monotonic() - started))
    except BaseException as err:  # noqa: BLE001 - handed to the parent, which raises it
        text = traceback.format_exc()
        try:
            pickle.loads(pickle.dumps(err))  # the parent must be able to rebuild it
        except Exception:  # noqa: BLE001 - an error that does not pickle: its text
            err = None
        conn.send(("error", err, text))
    finally:
        conn.close()
