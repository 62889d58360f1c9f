"""Where each sheet's columns sit in a station written by the schema's own layout, for tests
that build `Records` by hand (the places problems point at)."""

from __future__ import annotations

from generator import schema
from generator.records import Place


def schema_places() -> dict[str, Place]:
    out = {}
    for book, sheet in schema.all_sheets():
        letters = {c.key: chr(ord("A") + i) for i, c in enumerate(sheet.columns)}
        out[sheet.key] = Place(book.filename, sheet.name, letters)
    return out
