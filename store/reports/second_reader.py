"""A report's second reader: run as `python -m store.reports.second_reader JOB ANSWER` by the xlsx writer, it
reads the plans of the job in the file JOB (pickled by the writer) and answers in the file ANSWER with their
layout, or with the error it met."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from store.reports.xlsx import read_part


def main(job: Path, answer: Path) -> None:
    """Read the job, answer."""
    try:
        found: object = read_part(pickle.loads(job.read_bytes()))
    except Exception as exc:
        found = exc
    answer.write_bytes(pickle.dumps(found))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
