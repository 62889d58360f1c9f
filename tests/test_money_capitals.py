"""money.capitals writes amounts in capitals as cn2an's an2cn(…, "rmb") does, without importing
cn2an (its import compiles regular expressions for about a third of a CPU-second)."""

import random
import subprocess
import sys
from decimal import Decimal

import cn2an
import pytest

from generator.money import capitals, quantize


def _expected(amount) -> str:
    return cn2an.an2cn(str(quantize(amount)), "rmb")


EDGES = ["0", "0.01", "0.1", "0.10", "0.05", "0.5", "1", "10", "10.5", "10.05", "100", "101", "110", "1001",
         "1010", "10000", "10001", "10010", "100000", "100100", "1000000", "1001000", "10000000", "10010000",
         "100000000", "100000001", "100010000", "101000000", "110000000", "1000000000", "1000010000",
         "10000000000000", "1000000000000000", "9999999999999999.99", "20000.02", "305000.70", "1234.565",
         "-1", "-0.5", "-1001.01", "0.004", "0.005", "12345678.90", "100000.01", "2100000000"]


@pytest.mark.parametrize("text", EDGES)
def test_edges_as_cn2an(text):
    assert capitals(Decimal(text)) == _expected(Decimal(text))


def test_many_amounts_as_cn2an():
    rng = random.Random(17)
    amounts = [Decimal(n) / 100 for n in range(0, 200_000, 7)]
    for digits in range(1, 17):  # every length cn2an takes, with zeros in every place
        for _ in range(400):
            text = "".join(rng.choice("0000123456789") for _ in range(digits))
            amounts.append(Decimal(f"{text}.{rng.randrange(100):02d}"))
    for amount in amounts:
        assert capitals(amount) == _expected(amount), amount


def test_too_long_refused_as_cn2an():
    with pytest.raises(ValueError):
        _expected(Decimal("12345678901234567"))
    with pytest.raises(ValueError):
        capitals(Decimal("12345678901234567"))


def test_capitals_does_not_import_cn2an():
    code = ("import sys; from decimal import Decimal; from generator.money import capitals; "
            "print(capitals(Decimal('1001.5'))); print('cn2an' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["壹仟零壹元伍角", "False"]
