"""How long the county matrix takes for a full round (every small municipality in the two counties
applying), against a floor measured in the same run (one plan-status query per applicant).

    .venv/bin/python bench/applications_matrix.py [DATABASE]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date

from nokkeltall import db, queries
from nokkeltall.applications import matrix
from nokkeltall.plan import status

RUNS = 5


def applications(con) -> list[dict]:
    small = queries.municipalities(con, ["18", "50"], max_population=2499)
    return [
        {
            "id": i,
            "municipality_code": code,
            "round_year": 2026,
            "samfunnsdel_answer": "år",
            "samfunnsdel_year": 2015,
            "progress_plan": "Planstrategi vedtas juni 2027.",
            "has_fact_base": True,
            "fact_base_description": "Kommunebilde",
            "planning_staff_persons": 1,
            "planning_staff_percent": 20.0 + i % 5 * 10,
            "planning_staff_text": None,
            "contact_name": "K",
            "received_date": "2026-11-20",
            "status": "mottatt",
        }
        for i, code in enumerate(small["municipality_code"])
    ]


def timed(function) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    con = db.connect(sys.argv[1] if len(sys.argv) > 1 else None)
    rows = applications(con)
    names = dict(zip(*(queries.municipalities(con)[c] for c in ("municipality_code", "name")), strict=True))
    floor = timed(lambda: [status.collected_rows(con, a["municipality_code"]) for a in rows])
    whole = timed(lambda: matrix.county_matrix(con, rows, {}, {}, names, date(2026, 11, 30)))
    print(
        f"{len(rows)} søkere: matrise median {whole:.2f} s, gulv (én planstatus-spørring per søker) "
        f"{floor:.3f} s, forhold {whole / floor:.0f}×"
    )


if __name__ == "__main__":
    main()
