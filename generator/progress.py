"""Progress of a long step, for the clerk's terminal: a bar, counts and the time left.

    bar = Progress(echo, "生成 PDF", total=233)
    for ... : bar.advance()        # prints at most every PERIOD seconds
    bar.done()                      # always prints the final line

Lines go through `echo` (click.echo in the CLI, a list in tests), so nothing here knows
about terminals; a step shorter than PERIOD prints only its final line.
"""

from __future__ import annotations

import time

PERIOD = 2.0  # seconds between two progress lines
WIDTH = 20  # characters of the bar


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    return f"{seconds // 60} 分 {seconds % 60:02d} 秒"


class Progress:
    def __init__(self, echo, label: str, total: int, *, period: float = PERIOD, clock=time.monotonic):
        self.echo, self.label, self.total = echo, label, max(0, total)
        self.count, self.period, self.clock = 0, period, clock
        self.started = self.last = clock()
        self.finished = False

    def line(self) -> str:
        total = self.total or 1
        share = min(1.0, self.count / total)
        filled = round(WIDTH * share)
        bar = "█" * filled + "░" * (WIDTH - filled)
        spent = self.clock() - self.started
        if self.count >= self.total:
            tail = f"用时 {_duration(spent)}"
        elif self.count:
            tail = f"约剩 {_duration(spent / self.count * (self.total - self.count))}"
        else:
            tail = "正在估算剩余时间"
        return f"  {self.label} {bar} {self.count}/{self.total}（{share:.0%}，{tail}）"

    def advance(self, by: int = 1) -> None:
        self.update(self.count + by)

    def update(self, count: int) -> None:
        self.count = min(count, self.total)
        now = self.clock()
        if now - self.last >= self.period and self.count < self.total:
            self.last = now
            self.echo(self.line())

    def done(self) -> None:
        if not self.finished:
            self.finished = True
            self.count = self.total
            self.echo(self.line())
