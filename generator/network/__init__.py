"""The county centre's view of many stations (梯次帮扶): `bangfu merge`.

Stages (each its own module, typed data between them, see model.py):
    load        read and check every station (parallel processes, cache keyed by the
                workbooks' content hash) -> list[StationRun]
    crosscheck  the same person at two stations, the same item paid twice in one period,
                a family member registered as a worker elsewhere -> list[StationProblem]
    escalation  payouts above what a station may decide alone (county policy workbook)
    report/site the county's quarterly report (per-station breakdown) and the county site
"""
