"""Render many private documents in a few processes.

The private writer queues the documents it must render anew (carry.Carry.defer) as
closures, then `render_all` runs them: on a machine with several cores and where the
operating system can fork (Linux, macOS), in that many child processes that inherit
the records, the compiled templates and the closures as they are, so nothing is
pickled on the way in, and only each document's digest comes back. Each child writes
its files into the staging folder as the writer would have. Elsewhere (Windows), with
little to do, or when the process holds other threads (bangfu serve's file watcher,
which a fork would copy mid-step), everything is rendered here, one after the other.

Measured at 20,000 workers on two cores: the dossiers, receipt sheets and quarterly
reports take about half the CPU time of the whole private writer and split evenly.
A child that fails (a template error, a full disk) hands its share back: the parent
renders it again itself, so the error surfaces with its own type and message.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
from collections.abc import Callable, Sequence

from .. import trace
from ..cores import can_fork, cores

MIN_DOCUMENTS = 40  # fewer than this: starting processes costs more than it saves
CHUNKS_PER_JOB = 12  # small chunks keep both processes busy until the end

_TASKS: Sequence[Callable] = ()
_FROZEN_FOR_GOOD = False  # set by the private writer's process (see keep_frozen)


def keep_frozen() -> None:
    """Freeze everything now (gc.freeze) and note that it stays frozen for the life of this
    process (the private writer's process, with the records it inherited): `frozen()` then
    answers at once."""
    global _FROZEN_FOR_GOOD
    gc.freeze()
    _FROZEN_FOR_GOOD = True


def frozen() -> bool:
    """Whether objects are frozen (gc.freeze) already, so that a caller freezing more must not
    unfreeze them after. gc.get_freeze_count() walks every frozen object (0.2 CPU seconds over
    the records of 20,000 workers): asked only where `keep_frozen` did not say."""
    return _FROZEN_FOR_GOOD or gc.get_freeze_count() > 0


def die_with_parent() -> None:
    """Linux: a rendering process is killed with the process that started it, so a killed
    build leaves none writing on into its staging folder. Elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def jobs() -> int:
    """Processes to render with: the cores this process may use (at most 4);
    BANGFU_JOBS overrides (1 renders everything in this process)."""
    return cores(at_most=4)


def _outcome(doc) -> tuple:
    """What a rendering process sends back of a document it wrote (a Doc): its digest, and its
    size and modification time where the writer noted them (common.Doc.noted), else None."""
    return doc.digest, getattr(doc, "noted", None)


def _run(indexes: list[int]) -> list[tuple] | None:
    """In a child: render these tasks; their outcomes (_outcome), or None when one failed."""
    try:
        with trace.span("chunk", size=len(indexes)):
            return [_outcome(_TASKS[i]()) for i in indexes]
    except BaseException:  # noqa: BLE001 - the parent renders the chunk again and raises
        return None


def _pool_worker() -> None:
    die_with_parent()
    trace.mark("start", "pool-worker")


def chunks(heavy: Sequence[bool], parts: int) -> list[list[int]]:
    """Task indexes in chunks: each heavy task (a workbook) alone and first, so that the
    slow ones start early and spread over the processes; the light ones (pages) after,
    in about `parts` chunks in task order."""
    out = [[i] for i, h in enumerate(heavy) if h]
    light = [i for i, h in enumerate(heavy) if not h]
    size = max(1, -(-len(light) // max(1, parts)))
    pieces = [light[k:k + size] for k in range(0, len(light), size)]
    if len(pieces) > 2 * TAIL_SPLIT:
        # the last chunks in quarters: a process done with its last chunk does not sit idle for
        # most of a chunk's time while the other finishes its own (20,000 dossiers: 0.7 CPU-s a chunk)
        tail = [c for chunk in pieces[-2:] for c in _split(chunk, TAIL_SPLIT)]
        pieces = pieces[:-2] + tail
    return out + pieces


TAIL_SPLIT = 4  # the last two chunks of light tasks are cut in this many pieces each


def _split(chunk: list[int], parts: int) -> list[list[int]]:
    size = max(1, -(-len(chunk) // parts))
    return [chunk[k:k + size] for k in range(0, len(chunk), size)]


def render_all(tasks: Sequence[Callable], heavy: Sequence[bool] | None = None,
               processes: int | None = None) -> list[str]:
    """Run every task (a closure that writes one document and returns its Doc); the
    digests in task order. `heavy` marks the slow tasks (workbooks), which are started
    first, one at a time, so that the work shares out evenly."""
    return [digest for digest, _ in render_outcomes(tasks, heavy, processes)]


def render_outcomes(tasks: Sequence[Callable], heavy: Sequence[bool] | None = None,
                    processes: int | None = None) -> list[tuple]:
    """render_all, with each document's (digest, (size, modification time) or None): see _outcome."""
    global _TASKS
    processes = jobs() if processes is None else processes
    if processes <= 1 or len(tasks) < MIN_DOCUMENTS or not can_fork():
        return [_outcome(task()) for task in tasks]
    parts = chunks(list(heavy) if heavy is not None else [False] * len(tasks), processes * CHUNKS_PER_JOB)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    results: list = [None] * len(parts)
    _TASKS = tasks
    was_frozen = frozen()  # by the caller (write_private), who unfreezes
    gc.freeze()  # the children would otherwise copy every page the collector walks
    try:
        trace.mark("begin", "pool", tasks=len(tasks), processes=processes)
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_pool_worker) as pool:
            futures = [pool.submit(_run, part) for part in parts]
            for n, future in enumerate(futures):
                try:
                    results[n] = future.result()
                except (BrokenProcessPool, OSError):
                    results[n] = None
    except OSError:  # no processes allowed here: render below
        pass
    finally:
        trace.mark("end", "pool", tasks=len(tasks), processes=processes)
        _TASKS = ()
        if not was_frozen:
            gc.unfreeze()
    outcomes: list = [None] * len(tasks)
    for part, found in zip(parts, results):
        if found is None:
            found = [_outcome(tasks[i]()) for i in part]
        for i, outcome in zip(part, found):
            outcomes[i] = outcome
    return outcomes


class Beside:
    """`work(forked)` run in a forked process beside this one, while this one does other work,
    where that pays (several cores, fork, no other threads; `fork` False: never): its result
    comes back pickled through a pipe. Elsewhere, or when the forked run fails (a template
    error, a full disk, a killed process), `work(False)` runs here when `result()` asks for
    it, so an error surfaces with its own type and message, as render_all's do.

    The private writer's documents other than the dossiers (receipt sheets, quarterly reports,
    办结表, the work list) are written so, beside the 20,000 dossiers: the build's own process
    only waits for the writer by then, so its core is free."""

    def __init__(self, work: Callable, fork: bool = True):
        self.work = work
        self.process = None
        self.conn = None
        if not fork or jobs() <= 1 or not can_fork():
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        try:
            self.process = context.Process(target=_beside, args=(send, work), name="bangfu-beside", daemon=False)
            self.process.start()
            self.conn = receive
        except OSError:  # no processes allowed here: run in result()
            self.process = None
            receive.close()
        finally:
            send.close()

    @property
    def forked(self) -> bool:
        return self.process is not None

    def result(self):
        if self.process is None:
            return self.work(False)
        try:
            with trace.span("wait-beside"):
                message = self.conn.recv()
        except (EOFError, OSError):
            message = None
        finally:
            self.stop()
        if message is None or message[0] != "done":
            return self.work(False)
        return message[1]

    def stop(self) -> None:
        """End the process (killed unless done) and reap it; result() then runs nothing more."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            if self.process.is_alive():
                self.process.join(0.05)
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process.close()
            self.process = None


def _beside(conn, work: Callable) -> None:
    die_with_parent()
    trace.mark("start", "beside")
    outcome: tuple
    try:
        with trace.span("beside"):
            outcome = ("done", work(True))
    except BaseException:  # noqa: BLE001 - run again by the parent, which raises it
        outcome = ("failed",)
    try:
        conn.send(outcome)
    except Exception:  # noqa: BLE001 - a result that does not pickle: the parent runs it again
        try:
            conn.send(("failed",))
        except Exception:  # noqa: BLE001
            pass
    finally:
        conn.close()
