"""Long steps show a bar with counts and the time left, at most every few seconds, and
always a final line (the MkDocs counter used to stop at 1/54)."""

from generator.progress import Progress


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_bar_counts_time_left_and_a_final_line():
    lines, clock = [], Clock()
    bar = Progress(lines.append, "生成 PDF", 10, period=2.0, clock=clock)
    for _ in range(4):
        clock.now += 0.4
        bar.advance()
    assert lines == []  # under two seconds: nothing yet
    clock.now += 1.0
    bar.advance()  # 5 of 10 after 3 s: about 3 s left
    assert lines == ["  生成 PDF ██████████░░░░░░░░░░ 5/10（50%，约剩 3 秒）"]
    for _ in range(5):
        clock.now += 30
        bar.advance()
    bar.done()
    assert lines[-1] == "  生成 PDF ████████████████████ 10/10（100%，用时 2 分 33 秒）"
    assert len(lines) == 6  # 5/10, then 6 to 9 (30 s apart), and 10/10 only from done()
    bar.done()
    assert len(lines) == 6


def test_a_short_step_prints_only_its_final_line():
    lines, clock = [], Clock()
    bar = Progress(lines.append, "MkDocs 写出页面", 54, clock=clock)
    for n in range(1, 55):
        bar.update(n)
    bar.done()
    assert lines == ["  MkDocs 写出页面 ████████████████████ 54/54（100%，用时 0 秒）"]
