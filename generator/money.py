"""Money: Decimal yuan, formatted for people, and in Chinese capitals for receipts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(amount, places: int = 2) -> str:
    """Decimal('12345.5') -> '12,345.50' (no unit)."""
    if amount is None:
        return ""
    q = quantize(amount)
    return f"{q:,.{places}f}" if places else f"{q:,.0f}"


def capitals(amount) -> str:
    """Decimal('1001') -> '壹仟零壹元整', Decimal('0.5') -> '伍角'. Rounds half up to fen first."""
    import cn2an

    q = quantize(amount)
    return cn2an.an2cn(str(q), "rmb")


def total(amounts) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal(0))
