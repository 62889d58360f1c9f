"""closing._text: the quick path for plain texts writes the very cell safe_text's path writes."""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

from generator.private import closing
from generator.safe_cells import safe_text

QUOTED = ' s="7"'


def reference(value: str) -> str:
    text, style = safe_text(value, "", QUOTED)
    return f'{style} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def test_every_kind_of_text_gives_the_reference_cell():
    pieces = ["张伟", "SF-0001", "2026-01-05", "=SUM(A1)", "+1", "-3", "@x", " ", "\u3000", "\n", "\t", "\r",
              "\x00", "\x07", "\x1f", "&", "<", ">", "a&b", "<b>", "'", '"', "元", "·", "0", "\u00a0", "\u200b"]
    rng = random.Random(17)
    values = list(pieces) + [" =1", "\u3000=1", "\n-2", "张\x01伟", "a\tb"]
    for _ in range(5000):
        values.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))))
    for value in values:
        assert closing._text(value, QUOTED) == reference(value), repr(value)
    assert closing._text("=1", QUOTED).startswith(QUOTED)  # risky text keeps its quote prefix
