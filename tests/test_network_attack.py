"""Attacks on the county site's privacy (`bangfu merge` … the county site), and the rule
that a station's `bangfu init` example rows never enter the network's figures.

The county site adds channels a station's own site does not have: the network's figures
next to every station's own published figures (differencing), the gathered notices, the
stations page. Each attack here builds a small network, publishes what an outsider could
read and tries to work out a figure a station's own site keeps back; where it could, the
build must fail (or the figure must be hidden), as it does for a station site.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.network.combined import combined
from generator.network.model import Network, StationRun
from generator.network.report import why_not_counted
from generator.network.site import public_reason
from generator.pipeline import check_folder
from generator.station import station
from generator.templates import write_blank_workbooks

from station import TODAY, station_data, write_station


def run_of(folder: Path, key: str, today: date = TODAY) -> StationRun:
    outcome = check_folder(folder, today)
    return StationRun(key, folder, outcome, station(outcome.records, today))


# --- a station that still holds `bangfu init` example rows --------------------------------
@pytest.fixture(scope="module")
def with_examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    county = write_station(root / "县中心" / "records", station_data())
    a = write_station(root / "甲镇" / "records", station_data())
    example = root / "乙镇" / "records"
    write_blank_workbooks(example)
    return Network(run_of(county, "县中心"), [run_of(a, "甲镇"), run_of(example, "乙镇")])


def test_a_station_with_example_rows_is_left_out_of_the_totals_and_named(with_examples):
    net = with_examples
    example = net.stations[1]
    assert example.outcome.ok and example.outcome.exit_code == 0  # only warnings
    assert example.examples == 11  # 9 example rows, 2 example settings (tests/test_init.py)
    assert [r.counted for r in [net.county, *net.stations]] == [True, True, False]
    assert net.counted() == [net.stations[0]]
    records = combined(net)
    assert {p.archive_no.split("·")[0] for p in records.payouts} == {"县中心", "甲镇"}
    assert {w.archive_no.split("·")[0] for w in records.workers} == {"县中心", "甲镇"}
    assert public_reason(example) == "记录中还有 11 处示例行或示例设置待删除，暂未计入统计"
    assert why_not_counted(example) == (
        "记录中还有 11 处 bangfu init 生成的示例行或示例设置（第一处：困难职工档案.xlsx、工作表“困难职工”、A2），"
        "未计入汇总；请该站删除示例行、把站点设置改成本站的信息后重新汇总。")
