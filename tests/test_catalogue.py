"""The problem catalogue is honest: every code is declared by the module that emits it
(`CODES`), each module emits only what it declares, and every code is asserted by a test.
Also the value-level problems no other test pinned."""

from __future__ import annotations

import ast
import importlib
from collections import Counter
from pathlib import Path

import pytest

from generator import schema
from generator.pipeline import check_folder
from generator.problems import CATALOGUE, problem
from generator.reading.tables import read_table
from generator.reading.values import Bad, Fixed, to_bool, to_enum, to_int
from generator.reading.xlsxfile import RawSheet

from station import station_data, write_station

ROOT = Path(__file__).resolve().parent.parent
EMITTERS = ["generator.reading", "generator.reading.xlsxfile", "generator.reading.badcells", "generator.reading.tables",
            "generator.reading.values", "generator.idcard", "generator.checks.business",
            "generator.checks.deadlines", "generator.checks.funds", "generator.checks.people",
            "generator.checks.references", "generator.checks.timeline", "generator.importing",
            "generator.importing.place", "generator.checks.examples", "generator.network.crosscheck",
            "generator.checks.escalation",
            "generator.network.escalation", "generator.network.merge",
            "generator.network.load"]
# Codes two modules still emit (each decides the problem in its own situation). The list can
# only shrink: a new shared code fails the test below.
SHARED = {"date-order": 2, "disclosure-not-listed": 2, "disclosure-not-over": 2, "required": 3}
_EMITTING_CALLS = {"problem": 0, "Bad": 0, "Unreadable": 0, "Fixed": 1}


def _path(module: str) -> Path:
    path = ROOT / Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def emitted_literals(module: str) -> set[str]:
    """Catalogue codes written as literals where a problem is made: the code argument of
    problem()/Bad()/Fixed()/Unreadable(), the first item of a (code, ...) tuple returned or
    stored, or a value of a code table."""
    found = set()
    for node in ast.walk(ast.parse(_path(module).read_text(encoding="utf-8"))):
        candidates = []
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in _EMITTING_CALLS and len(node.args) > _EMITTING_CALLS[name]:
                candidates.append(node.args[_EMITTING_CALLS[name]])
        elif isinstance(node, (ast.Return, ast.Assign)) and isinstance(node.value, ast.Tuple) and node.value.elts:
            candidates.append(node.value.elts[0])
        elif isinstance(node, ast.Dict):
            candidates.extend(v for v in node.values if v is not None)
        found |= {c.value for c in candidates if isinstance(c, ast.Constant) and c.value in CATALOGUE}
    return found


def test_every_code_is_declared_and_each_module_declares_what_it_emits():
    declared = {m: importlib.import_module(m).CODES for m in EMITTERS}
    for module, codes in declared.items():
        assert codes <= set(CATALOGUE), module
        assert emitted_literals(module) == codes, module
    owners = Counter(code for codes in declared.values() for code in codes)
    assert set(owners) == set(CATALOGUE)
    assert {code: n for code, n in owners.items() if n > 1} == SHARED


def test_every_code_is_asserted_by_a_test():
    asserted = set()
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name == Path(__file__).name:
            continue
        asserted |= {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(n, ast.Constant) and n.value in CATALOGUE}
    asserted |= PINNED_HERE
    assert set(CATALOGUE) - asserted == set()


def test_a_problem_carries_its_data():
    p = problem("fund-negative", file="帮扶资金.xlsx", sheet="帮扶发放", cell="M12", column_key="paid",
                fund="帮扶资金", date="2026-01-10", balance=-200)
    assert (p.row, p.column_key, p.cell, p.params["balance"]) == (12, "paid", "M12", -200)
    assert p.as_dict()["params"] == {"fund": "帮扶资金", "date": "2026-01-10", "balance": -200}
    odd = problem("formula-error", file="a.xlsx", sheet="s", cell="$B$7", value="#REF!")
    assert (odd.cell, odd.row, odd.params["ref"]) == ("", 0, "$B$7")


# --- value problems no other test pinned ---------------------------------------------------
PINNED_HERE = {"bool", "enum-normalised", "text-number-as-text", "type-integer", "type-number", "too-many-rows",
               "setting-invalid", "setting-missing", "money-zero"}


@pytest.mark.parametrize("convert, column, raw, code", [
    (to_bool, schema.PAYOUTS.column("signed"), "也许", "bool"),
    (to_enum, schema.WORKERS.column("status"), "在檔", "enum-normalised"),
    (to_int, schema.WORKERS.column("household_size"), "3人", "text-number-as-text"),
    (to_int, schema.WORKERS.column("household_size"), 2.5, "type-integer"),
    (to_int, schema.WORKERS.column("household_size"), "三口", "type-number"),
])
def test_value_problems(convert, column, raw, code):
    result = convert(raw, column)
    assert isinstance(result, (Bad, Fixed)) and result.code == code


def test_too_many_rows():
    rows = [[c.name for c in schema.FUNDS.columns]]
    result = read_table(RawSheet("资金账户", rows, truncated_at=1_048_576), schema.FUNDS, "帮扶资金.xlsx")
    assert [(p.code, p.cell) for p in result.problems] == [("too-many-rows", "")]


def _settings_rows(data):
    return data["帮扶政策.xlsx"]["站点设置"]


def test_settings_missing_and_invalid(tmp_path):
    data = station_data()
    rows = _settings_rows(data)
    rows[:] = [r for r in rows if r["设置项"] != "电话"]
    next(r for r in rows if r["设置项"] == "公示天数")["值"] = "七天半"
    write_station(tmp_path, data)
    got = {(p.code, p.sheet) for p in check_folder(tmp_path).problems if p.code.startswith("setting")}
    assert got == {("setting-missing", "站点设置"), ("setting-invalid", "站点设置")}


def test_a_zero_amount_for_a_cash_item_is_a_warning(tmp_path):
    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = 0
    write_station(tmp_path, data)
    zero = [p for p in check_folder(tmp_path).problems if p.sheet == "帮扶发放"]
    assert [(p.code, p.column_key, p.severity) for p in zero] == [("money-zero", "amount", "warning")]
