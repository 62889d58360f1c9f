"""A value that must name something in another sheet (帮扶项目, 资金账户, …) and does not:
the message lists the closest valid names, or all of them when there are few."""

from __future__ import annotations

from station import problems, station_data, write_station


def _message(tmp_path, column: str, value: str) -> str:
    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0][column] = value
    write_station(tmp_path, data)
    found = [p for p in problems(tmp_path) if p.code == "ref-missing" and p.sheet == "帮扶发放"]
    assert len(found) == 1
    return found[0].message


def test_closest_names_are_listed(tmp_path):
    message = _message(tmp_path, "帮扶项目", "大病医疗救助")
    assert message.endswith("最接近的有：“大病救助”、“生活救助”。")


def test_short_lists_are_given_whole(tmp_path):
    data = station_data()
    funds = [f["账户名称"] for f in data["帮扶资金.xlsx"]["资金账户"]]
    message = _message(tmp_path, "资金账户", "ZZZ")
    assert len(funds) <= 8 and "可填：" in message
    assert all(f"“{name}”" in message for name in funds)
