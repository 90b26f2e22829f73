"""A report's second reader: run as `python -m store.reports.second_reader JOB ANSWER` by a report's writer
(`store.reports.halves`), it reads the plans of the job in the file JOB (pickled by the writer), lays them out in
the job's format, and answers in the file ANSWER with their layout and counts, or with the error it met."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from store.reports.halves import read_part


def main(job: Path, answer: Path) -> None:
    """Read the job, answer."""
    try:
        found: object = read_part(pickle.loads(job.read_bytes()))
    except Exception as exc:
        found = exc
    answer.write_bytes(pickle.dumps(found))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
