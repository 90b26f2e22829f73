"""How long `actiontrack draft` takes on a long published plan (target: a 40-page plan in 5 s or less).

    python bench/draft_speed.py [--runs 5]

The plans are the published ones in ../shared/seeds/ (text extracts), each also rebuilt as a .docx
by the tests' fixture helper. Printed A4 landscape, the Greater Manchester 2023 plan's .docx runs to
66 pages (LibreOffice). Each figure is the median of the runs of the whole command in a fresh
process (Python start, imports, reading, lining up, validating and writing the TOML).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not SEEDS.is_dir():
        print(f"the published plans are not in {SEEDS}", file=sys.stderr)
        return 1
    from tests.helpers.docx_plans import docx_from_extract

    command = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]
    with tempfile.TemporaryDirectory() as tmp:
        documents = []
        for extract in sorted(SEEDS.glob("00[0234]_*.txt")):
            documents.append(extract)
            documents.append(docx_from_extract(extract, Path(tmp) / f"{extract.stem[:3]}.docx"))
        print(f"{'document':<34} {'size':>8}  median of {args.runs}")
        for document in documents:
            times = []
            for run in range(args.runs):
                out = Path(tmp) / f"draft-{run}.toml"
                start = time.perf_counter()
                subprocess.run([*command, "draft", str(document), "-o", str(out)], check=True,
                               capture_output=True, cwd=ROOT)
                times.append(time.perf_counter() - start)
            size = document.stat().st_size / 1024
            print(f"{document.name:<34} {size:>6.0f} kB  {statistics.median(times):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
