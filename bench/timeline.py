"""The timeline of one build across its processes: when each process runs, each stage's start,
end and CPU, and where a core sits idle (Linux).

    python bench/timeline.py run OUT -- bangfu build records --today 2026-11-23 --no-pdf
    python bench/timeline.py show OUT

`run` starts the command in a session of its own with BANGFU_TRACE=OUT.jsonl (generator/trace.py:
each process of the build writes its stages there) and samples every process of that session
every 0.1 s from /proc (CPU seconds, and the time spent runnable but waiting for a core), into
OUT.samples.json; then it prints what `show` prints:
- each process: its role (the first `start` mark of the pid; the command's own process is
  "build"), when it started and ended (seconds after the command started), its CPU seconds;
- each stage (`span`): process, start, end, wall, CPU and CPU/wall (below 1: the stage waited,
  for a core or on another process);
- per second: the CPU each role used and the cores left idle (2 minus their sum, on two cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _session_samples(sid: int) -> dict:
    """{pid: (ppid, cpu seconds, waited seconds)} of every process in session `sid`."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = open(f"/proc/{d}/stat").read()
            rest = st[st.rindex(")") + 2:].split()
            if int(rest[3]) != sid:
                continue
            cpu = (int(rest[11]) + int(rest[12])) / TICK
            waited = int(open(f"/proc/{d}/schedstat").read().split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
        out[int(d)] = (int(rest[1]), cpu, waited)
    return out


def run(out: Path, cmd: list[str]) -> int:
    trace = out.with_suffix(".jsonl")
    trace.unlink(missing_ok=True)
    env = {**os.environ, "BANGFU_TRACE": str(trace)}
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    samples: list = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.monotonic(), _session_samples(proc.pid)))
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    rc = proc.wait()
    done.set()
    thread.join()
    Path(f"{out}.samples.json").write_text(json.dumps({"t0": t0, "root": proc.pid, "wall": time.monotonic() - t0,
                                                       "samples": samples}))
    show(out)
    return rc


def show(out: Path) -> None:
    trace = out.with_suffix(".jsonl")
    text = trace.read_text() if trace.exists() else ""  # a program without generator/trace.py writes none
    events = [json.loads(line) for line in text.splitlines() if line.strip()]
    info = json.loads(Path(f"{out}.samples.json").read_text())
    t0, root = info["t0"], info["root"]
    role = {root: "build"}
    parent: dict = {}
    for e in events:
        if e["ev"] == "start":
            role.setdefault(e["pid"], e["name"])
            parent[e["pid"]] = e["ppid"]
    for pid, name in list(role.items()):  # a pool's workers by whose pool they are
        if name == "pool-worker" and parent.get(pid) in role:
            role[pid] = f"pool<{role[parent[pid]]}"
    # processes, from the samples (every process, traced or not)
    first: dict = {}
    last: dict = {}
    for t, procs in info["samples"]:
        for pid, (ppid, cpu, waited) in procs.items():
            pid = int(pid)
            first.setdefault(pid, (t, ppid))
            last[pid] = (t, cpu, waited)
    print(f"wall {info['wall']:.2f} s; processes:")
    print(f"  {'pid':>7} {'role':16} {'parent':>7} {'from':>6} {'to':>6} {'cpu':>6} {'waited':>6}")
    for pid in sorted(first, key=lambda p: first[p][0]):
        name = role.get(pid) or ("pool-worker?" if first[pid][1] in role else "?")
        print(f"  {pid:7d} {name:16} {first[pid][1]:7d} {first[pid][0] - t0:6.2f} {last[pid][0] - t0:6.2f} "
              f"{last[pid][1]:6.2f} {last[pid][2]:6.2f}")
    print("stages (wall, cpu, cpu/wall):")
    open_: dict = {}
    rows = []
    for e in events:
        key = (e["pid"], e["name"], json.dumps({k: v for k, v in e.items()
                                                 if k not in ("t", "cpu", "pid", "ppid", "ev", "name")}))
        if e["ev"] == "begin":
            open_[key] = e
        elif e["ev"] == "end" and key in open_:
            b = open_.pop(key)
            rows.append((b["t"] - t0, e["t"] - t0, e["cpu"] - b["cpu"], role.get(e["pid"], str(e["pid"])),
                         e["name"], key[2] if key[2] != "{}" else ""))
    for start, end, cpu, who, name, extra in sorted(rows):
        wall = end - start
        print(f"  {start:6.2f} {end:6.2f} {wall:6.2f} {cpu:6.2f} {cpu / wall if wall > 0 else 0:5.2f}  "
              f"{who:14} {name} {extra}")
    # Per second: the CPU each role used, the build's runnable processes (CPU used plus time
    # waiting for a core, over the second: on a busy machine the stages stretch, but a second
    # with fewer than two runnable is one in which this build alone would leave a core idle),
    # and the cores left idle by this build (2 minus its CPU).
    print("per second: cpu by role; runnable processes of the build; idle of 2 cores")
    by_role: dict = defaultdict(lambda: defaultdict(float))
    runnable: dict = defaultdict(float)
    span_of: dict = defaultdict(float)
    previous: dict = {}
    last_t = None
    for t, procs in info["samples"]:
        second = int(t - t0)
        if last_t is not None:
            span_of[second] += t - last_t
        for pid, (ppid, cpu, waited) in procs.items():
            pid = int(pid)
            name = role.get(pid) or ("pool-worker" if ppid in role else "other")
            cpu0, waited0 = previous.get(pid, (0.0, 0.0))
            by_role[second][name] += cpu - cpu0
            runnable[second] += (cpu - cpu0) + (waited - waited0)
            previous[pid] = (cpu, waited)
        last_t = t
    names = sorted({n for s in by_role.values() for n in s})
    print("  sec  " + " ".join(f"{n[:12]:>12}" for n in names) + "   run   idle")
    short = 0.0
    for second in sorted(by_role):
        used = by_role[second]
        run_ = runnable[second] / span_of[second] if span_of[second] else 0.0
        short += max(0.0, 2 - run_) * span_of[second]
        print(f"  {second:3d}  " + " ".join(f"{used.get(n, 0):12.2f}" for n in names)
              + f"  {run_:4.2f}  {max(0.0, 2 - sum(used.values())):5.2f}")
    cpu_all = sum(v for s in by_role.values() for v in s.values())
    print(f"cpu {cpu_all:.2f} s; core-seconds with fewer than two of the build's processes runnable: {short:.2f}")


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "show":
        show(Path(argv[1]))
        return 0
    if len(argv) >= 4 and argv[0] == "run" and argv[2] == "--":
        return run(Path(argv[1]), argv[3:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
