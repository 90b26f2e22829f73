"""The floor of a report: every action's columns (joined to its recommendation and addressee, in plan order)
read with plain sqlite3 and written with the csv module, with no rule applied: one pass over the data that
every report format makes, and nothing else.

    python bench/report_floor.py DB OUT.csv
"""

from __future__ import annotations

import csv
import sqlite3
import sys

SQL = """
SELECT a.plan_id, d.name, r.number, a.reference, a.text, a.owners_display, r.agreement, r.reason, a.target,
       a.target_reading, a.deadline, a.status, a.every_months, a.start_month
FROM action AS a JOIN recommendation AS r ON r.id = a.recommendation_id JOIN addressee AS d ON d.id = r.addressee_id
WHERE a.withdrawn = 0
ORDER BY a.plan_id, d.position, r.position, a.position
"""


def main(db: str, out: str) -> None:
    """Write the rows to `out`."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        cursor = conn.execute(SQL)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
