"""Tests for store.targets: every target date written in the seed action plans, plus edge cases."""

from __future__ import annotations

import ast
import html
import re
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest

from store import targets
from store.months import Month, month_end
from store.targets import (
    Status,
    TargetDate,
    TargetKind,
    read_target,
    split_targets,
)

K = TargetKind
S = Status
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_PLANS = ("000_", "002_", "003_", "004_")  # the action plans (001 is the inspectorate's letter)

TBC_JUNE = (
    "June 19 TBC NB dependant on provision of framework from Central Team which is currently in development"
)
NB_OCT = (
    "Oct 19 (NB timing dependant on provision of framework from Central Team which is currently in development)"
)


class Row(NamedTuple):
    written: str
    kind: TargetKind
    deadline: date | None
    start: date | None
    every_months: int | None
    recurrence: str | None
    caveat: str | None
    first_status: Status


def one_off(written: str, y: int, m: int, caveat: str | None = None) -> Row:
    return Row(written, K.ONE_OFF, month_end(y, m), None, None, None, caveat, S.NOT_STARTED)


def unreadable(written: str) -> Row:
    return Row(written, K.UNREADABLE, None, None, None, None, None, S.NOT_STARTED)


# Every distinct target string of the four seed action plans (read with no plan date).
SEED_TABLE: list[Row] = [
    # one-off: due by the end of the month; two-digit years are years
    one_off("April 19", 2019, 4),
    one_off("April 2020", 2020, 4),
    one_off("August 2019", 2019, 8),
    one_off("August 2023", 2023, 8),
    one_off("Dec 19", 2019, 12),
    one_off("December 2023", 2023, 12),
    one_off("January 2020", 2020, 1),
    one_off("January 2024", 2024, 1),
    one_off("July 19", 2019, 7),
    one_off("July 2019", 2019, 7),
    one_off("July 2023", 2023, 7),
    one_off("July.19", 2019, 7),
    one_off("June 19", 2019, 6),
    one_off("June 2024", 2024, 6),
    one_off("March 20", 2020, 3),
    one_off("March 2020", 2020, 3),
    one_off("March 2024", 2024, 3),
    one_off("May 19", 2019, 5),
    one_off("May 2024", 2024, 5),
    one_off("November 2019", 2019, 11),
    one_off("November 2023", 2023, 11),
    one_off("Oct 19", 2019, 10),
    one_off("October 2019", 2019, 10),
    one_off("October 2023", 2023, 10),
    one_off("Sept 19", 2019, 9),
    one_off("September 2019", 2019, 9),
    one_off("September 2023", 2023, 9),
    # the same date written twice in one cell: the deadline is not in doubt
    one_off("September 2023 September 2023", 2023, 9),
    # one-off with caveat or checkpoint: the words are kept
    one_off(TBC_JUNE, 2019, 6, TBC_JUNE.removeprefix("June 19 ")),
    one_off(NB_OCT, 2019, 10, NB_OCT.removeprefix("Oct 19 ")),
    one_off("April 19 with checkpoint Sept 19", 2019, 4, "with checkpoint Sept 19"),
    # periods: deadline is the end of the last month
    Row("April 19 – July 19", K.PERIOD, date(2019, 7, 31), date(2019, 4, 1), None, None, None, S.NOT_STARTED),
    Row("May 19 – Sept 19", K.PERIOD, date(2019, 9, 30), date(2019, 5, 1), None, None, None, S.NOT_STARTED),
    Row("May19 – Aug 19", K.PERIOD, date(2019, 8, 31), date(2019, 5, 1), None, None, None, S.NOT_STARTED),
    # complete
    Row("Complete", K.COMPLETE, None, None, None, None, None, S.COMPLETE),
    Row("Completed", K.COMPLETE, None, None, None, None, None, S.COMPLETE),
    Row(
        "Wave 4 concluded April 2023",
        K.COMPLETE, date(2023, 4, 30), None, None, None, "Wave 4 concluded", S.COMPLETE,
    ),
    # complete and recurring / continuing
    Row("Complete and monthly", K.COMPLETE_RECURRING, None, None, 1, "monthly", None, S.ONGOING),
    Row("Complete and weekly", K.COMPLETE_RECURRING, None, None, 1, "weekly", None, S.ONGOING),
    Row("Complete and ongoing", K.COMPLETE_RECURRING, None, None, None, "ongoing", None, S.ONGOING),
    Row("Complete and on-going", K.COMPLETE_RECURRING, None, None, None, "ongoing", None, S.ONGOING),
    Row("Completed and ongoing", K.COMPLETE_RECURRING, None, None, None, "ongoing", None, S.ONGOING),
    Row("Completed and Ongoing", K.COMPLETE_RECURRING, None, None, None, "ongoing", None, S.ONGOING),
    Row(
        "Complete and as and when required",
        K.COMPLETE_RECURRING, None, None, None, "ongoing", "as and when required", S.ONGOING,
    ),
    # recurring
    Row("Monthly", K.RECURRING, None, None, 1, "monthly", None, S.NOT_STARTED),
    Row("Monthly from July 2023", K.RECURRING, None, date(2023, 7, 1), 1, "monthly", None, S.NOT_STARTED),
    Row("Monthly from August 2023", K.RECURRING, None, date(2023, 8, 1), 1, "monthly", None, S.NOT_STARTED),
    Row("Quarterly from July 2023", K.RECURRING, None, date(2023, 7, 1), 3, "quarterly", None, S.NOT_STARTED),
    Row(
        "August 2023 and quarterly thereafter",
        K.RECURRING, None, date(2023, 8, 1), 3, "quarterly", None, S.NOT_STARTED,
    ),
    # ongoing, from a start month where given
    Row("Ongoing", K.ONGOING, None, None, None, None, None, S.ONGOING),
    Row("Current and on-going", K.ONGOING, None, None, None, None, None, S.ONGOING),
    Row("From July 2023", K.ONGOING, None, date(2023, 7, 1), None, None, None, S.ONGOING),
    Row("From August 2019", K.ONGOING, None, date(2019, 8, 1), None, None, None, S.ONGOING),
    Row("From October 2019", K.ONGOING, None, date(2019, 10, 1), None, None, None, S.ONGOING),
    # a deadline, after which the work continues
    Row("September 2019 and on-going", K.DEADLINE_ONGOING, date(2019, 9, 30), None, None, None, None, S.NOT_STARTED),
    # several different targets run together in one cell (text extraction lost the paragraph
    # breaks): flagged, never guessed
    unreadable("Complete and monthly November 2023"),
    unreadable("Completed March 2024"),
    unreadable("Completed September 2023"),
    unreadable("Completed September 2023 September 2023"),
    unreadable("October 2023 March 2024"),
]

EDGE_TABLE: list[Row] = [
    one_off("May 2019", 2019, 5),
    one_off("Sep 2019", 2019, 9),
    one_off("Sept. 19", 2019, 9),
    one_off("May19", 2019, 5),
    one_off("may 19", 2019, 5),
    one_off("Feb 24", 2024, 2),
    one_off("  March   2024 ", 2024, 3),
    one_off("End of March 2024", 2024, 3),
    one_off("June 19, TBC", 2019, 6, "TBC"),
    Row("May - Aug 19", K.PERIOD, date(2019, 8, 31), date(2019, 5, 1), None, None, None, S.NOT_STARTED),
    Row("Nov 23 to Feb 24", K.PERIOD, date(2024, 2, 29), date(2023, 11, 1), None, None, None, S.NOT_STARTED),
    Row("Six-monthly from May 2023", K.RECURRING, None, date(2023, 5, 1), 6, "six-monthly", None, S.NOT_STARTED),
    Row("Bi-annually", K.RECURRING, None, None, 6, "six-monthly", None, S.NOT_STARTED),
    Row("Annually from April 2024", K.RECURRING, None, date(2024, 4, 1), 12, "annually", None, S.NOT_STARTED),
    Row("Complete and quarterly", K.COMPLETE_RECURRING, None, None, 3, "quarterly", None, S.ONGOING),
    Row("June 2023 onwards", K.ONGOING, None, date(2023, 6, 1), None, None, None, S.ONGOING),
    unreadable(""),
    unreadable("   "),
    # quarters: of a calendar year, or of a UK financial year (April to March)
    Row("End of Q3 2024", K.PERIOD, date(2024, 9, 30), date(2024, 7, 1), None, None, None, S.NOT_STARTED),
    Row("Q3 2024", K.PERIOD, date(2024, 9, 30), date(2024, 7, 1), None, None, None, S.NOT_STARTED),
    Row("Q3 2024/25", K.PERIOD, date(2024, 12, 31), date(2024, 10, 1), None, None, None, S.NOT_STARTED),
    Row("Q4 2024/25", K.PERIOD, date(2025, 3, 31), date(2025, 1, 1), None, None, None, S.NOT_STARTED),
    Row("end of 2024/25", K.ONE_OFF, date(2025, 3, 31), None, None, None, None, S.NOT_STARTED),
    Row("by end of FY 2024-25", K.ONE_OFF, date(2025, 3, 31), None, None, None, None, S.NOT_STARTED),
    unreadable("Q3 FY 2024"),  # which financial year is not said
    unreadable("end of 2024/26"),  # not a financial year
    # dates to the day (day first, as in the UK), alone or after a word
    Row("31 October 2016", K.ONE_OFF, date(2016, 10, 31), None, None, None, None, S.NOT_STARTED),
    Row("26/10/2016", K.ONE_OFF, date(2016, 10, 26), None, None, None, None, S.NOT_STARTED),
    Row("Completed: 31 October 2016", K.COMPLETE, date(2016, 10, 31), None, None, None, None, S.COMPLETE),
    Row("Complete and ongoing: 26/10/2016", K.COMPLETE_RECURRING, None, date(2016, 10, 26), None, "ongoing", None,
        S.ONGOING),
    unreadable("31/02/2020"),
    unreadable("Immediate"),  # due at once from the plan's date, and there is none here
    unreadable("asap"),
    unreadable("To be confirmed"),
    unreadable("garbage words 12"),
    unreadable("May"),
    unreadable("2023"),
    unreadable("May 19th"),
    Row("19 May 2019", K.ONE_OFF, date(2019, 5, 19), None, None, None, None, S.NOT_STARTED),
    Row("19/05/2019", K.ONE_OFF, date(2019, 5, 19), None, None, None, None, S.NOT_STARTED),
    unreadable("Aug 19 – May 19"),  # ends before it starts
    unreadable("May 1850"),
    unreadable("Fortnightly"),
]


def _check(row: Row, got: TargetDate) -> None:
    assert got.written == row.written
    assert (got.kind, got.deadline, got.start, got.every_months, got.recurrence, got.caveat) == (
        row.kind, row.deadline, row.start, row.every_months, row.recurrence, row.caveat,
    )
    assert got.first_status is row.first_status
    assert got.flagged is (row.kind is K.UNREADABLE)


@pytest.mark.parametrize("row", SEED_TABLE, ids=[r.written[:40] for r in SEED_TABLE])
def test_seed_targets(row: Row) -> None:
    _check(row, read_target(row.written))


@pytest.mark.parametrize("row", EDGE_TABLE, ids=[repr(r.written[:40]) for r in EDGE_TABLE])
def test_edge_targets(row: Row) -> None:
    _check(row, read_target(row.written))


def test_seed_table_has_no_duplicates() -> None:
    written = [r.written for r in SEED_TABLE]
    assert len(written) == len(set(written))


# --- the seeds themselves ----------------------------------------------------------------------

_P = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


def seed_target_strings(folder: Path) -> set[str]:
    """Every distinct target string: last cell of each table row, one per <p>, whitespace collapsed."""
    found: set[str] = set()
    for path in sorted(folder.glob("*.txt")):
        if not path.name.startswith(SEED_PLANS):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if len(cells) < 5:  # not an action-table row (definitions, summary counts, prose)
                continue
            cell = cells[-1]
            for part in _P.findall(cell) if "<p>" in cell else [cell]:
                text = " ".join(html.unescape(_TAG.sub(" ", part)).split())
                if text and text != "6. Target Date" and not re.fullmatch(r"-+", text):
                    found.add(text)
    return found


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed plans not available")
def test_every_seed_target_is_read_and_tabled() -> None:
    seen = seed_target_strings(SEEDS)
    assert len(seen) >= 50  # the extraction found the tables at all
    for written in seen:
        got = read_target(written)
        assert got.written == written
        assert isinstance(got.describe(), str)
    missing = seen - {r.written for r in SEED_TABLE}
    assert not missing, f"seed target strings missing from SEED_TABLE: {sorted(missing)}"


# --- specific behaviour ------------------------------------------------------------------------


def test_two_digit_year_is_a_year_not_a_day() -> None:
    got = read_target("May 19")
    assert got.deadline == date(2019, 5, 31)
    assert got.kind is K.ONE_OFF


def test_checkpoint() -> None:
    got = read_target("April 19 with checkpoint Sept 19")
    assert got.kind is K.ONE_OFF
    assert got.deadline == date(2019, 4, 30)
    assert got.checkpoints == (date(2019, 9, 30),)
    assert got.caveat == "with checkpoint Sept 19"
    assert read_target("June 19 with checkpoints Aug 19 and Oct 19").checkpoints == (
        date(2019, 8, 31),
        date(2019, 10, 31),
    )
    assert read_target(TBC_JUNE).checkpoints == ()


@pytest.mark.parametrize(
    ("written", "start", "every", "kind"),
    [
        ("Monthly", date(2023, 6, 1), 1, K.RECURRING),
        ("Complete and monthly", date(2023, 6, 1), 1, K.COMPLETE_RECURRING),
        ("Complete and weekly", date(2023, 6, 1), 1, K.COMPLETE_RECURRING),
        ("Monthly from July 2023", date(2023, 7, 1), 1, K.RECURRING),  # a given start wins
        ("August 2023 and quarterly thereafter", date(2023, 8, 1), 3, K.RECURRING),
    ],
)
def test_plan_date_starts_recurring_targets(written: str, start: date, every: int, kind: TargetKind) -> None:
    got = read_target(written, plan_date=date(2023, 6, 22))
    assert (got.kind, got.start, got.every_months, got.deadline) == (kind, start, every, None)
    assert got.is_recurring


def test_plan_date_does_not_touch_other_targets() -> None:
    for written in ("March 2024", "Ongoing", "Complete", "From July 2023", "May19 – Aug 19"):
        assert read_target(written, plan_date=date(2023, 6, 22)) == read_target(written)


@pytest.mark.parametrize(
    ("written", "first", "second"),
    [  # the reading as each plan's date gives it, whichever plan was read first
        ("Complete and quarterly", (K.COMPLETE_RECURRING, None, date(2023, 6, 1)),
         (K.COMPLETE_RECURRING, None, date(2019, 4, 1))),
        ("Immediate", (K.ONE_OFF, date(2023, 6, 22), None), (K.ONE_OFF, date(2019, 4, 12), None)),
        ("Rollout concluded September 2021", (K.COMPLETE, date(2021, 9, 30), None),
         (K.ONE_OFF, date(2021, 9, 30), None)),
    ],
)
def test_a_wording_read_in_one_plan_reads_by_the_next_plans_own_date(
        written: str, first: tuple[TargetKind, date | None, date | None],
        second: tuple[TargetKind, date | None, date | None]) -> None:
    for _ in range(2):  # and again, once both readings have been made
        one = read_target(written, plan_date=date(2023, 6, 22))
        other = read_target(written, plan_date=date(2019, 4, 12))
        assert (one.kind, one.deadline, one.start) == first
        assert (other.kind, other.deadline, other.start) == second


def test_milestone_after_the_plan_date_is_still_to_come() -> None:
    past = read_target("Wave 4 concluded April 2023", plan_date=date(2023, 6, 22))
    assert (past.kind, past.deadline, past.first_status) == (K.COMPLETE, date(2023, 4, 30), S.COMPLETE)
    future = read_target("Training completed March 2024", plan_date=date(2023, 6, 22))
    assert (future.kind, future.deadline, future.first_status) == (
        K.ONE_OFF, date(2024, 3, 31), S.NOT_STARTED,
    )


def test_is_recurring() -> None:
    assert read_target("Monthly").is_recurring
    assert read_target("Complete and monthly").is_recurring
    assert not read_target("Completed and ongoing").is_recurring  # continues, but on no schedule
    assert not read_target("Ongoing").is_recurring
    assert not read_target("March 2024").is_recurring


def test_occurs_in_monthly() -> None:
    got = read_target("Monthly from July 2023")
    assert not got.occurs_in(2023, 6)
    assert all(got.occurs_in(2023, m) for m in range(7, 13))
    assert got.occurs_in(2024, 1)
    assert not read_target("Monthly from July 2023").occurs_in(2022, 12)


def test_occurs_in_quarterly() -> None:
    got = read_target("Quarterly from July 2023")
    assert got.occurs_in(2023, 7)
    assert got.occurs_in(2023, 10)
    assert not got.occurs_in(2023, 8)
    assert not got.occurs_in(2023, 9)
    assert got.occurs_in(2024, 1)
    assert not got.occurs_in(2023, 4)  # not before the start
    assert not got.occurs_in(2022, 10)
    after = read_target("August 2023 and quarterly thereafter")
    assert [m for m in range(1, 13) if after.occurs_in(2023, m)] == [8, 11]
    assert [m for m in range(1, 13) if after.occurs_in(2024, m)] == [2, 5, 8, 11]


def test_occurs_in_with_plan_date_and_without_start() -> None:
    weekly = read_target("Complete and weekly", plan_date=date(2023, 6, 22))
    assert weekly.occurs_in(2023, 6) and weekly.occurs_in(2023, 7)
    assert not weekly.occurs_in(2023, 5)
    assert not read_target("Monthly").occurs_in(2030, 1)  # no start known: a plan file must give one
    assert not read_target("Bi-annually").occurs_in(2023, 6)  # no start known: cannot say which months


def test_occurs_in_is_false_for_non_recurring() -> None:
    for written in ("March 2024", "Complete", "Ongoing", "Completed and ongoing", "May19 – Aug 19", ""):
        got = read_target(written)
        assert not any(got.occurs_in(y, m) for y in (2019, 2023, 2024) for m in range(1, 13))


def test_occurs_in_matches_month_index_arithmetic() -> None:
    for written, every in (("Quarterly from July 2023", 3), ("Six-monthly from May 2023", 6)):
        got = read_target(written)
        assert got.start is not None
        for year in (2023, 2024, 2025):
            for month in range(1, 13):
                delta = Month(year, month).index - Month.of(got.start).index
                assert got.occurs_in(year, month) is (delta >= 0 and delta % every == 0)


@pytest.mark.parametrize(
    ("written", "plan_date", "expected"),
    [
        ("March 2024", None, "due by 31 Mar 2024"),
        ("Monthly from July 2023", None, "monthly from Jul 2023"),
        ("Quarterly from July 2023", None, "quarterly from Jul 2023"),
        ("Monthly", None, "monthly"),
        ("Monthly", date(2023, 6, 22), "monthly from Jun 2023"),
        ("Complete", None, "complete"),
        ("Complete and monthly", None, "complete; continues monthly"),
        ("Complete and monthly", date(2023, 6, 22), "complete; continues monthly"),
        ("Completed and ongoing", None, "complete; ongoing"),
        ("Complete and as and when required", None, "complete; continues as and when required"),
        ("From October 2019", None, "ongoing from Oct 2019"),
        ("Ongoing", None, "ongoing"),
        ("May19 – Aug 19", None, "May 2019 – Aug 2019, due by 31 Aug 2019"),
        (TBC_JUNE, None, "due by 30 Jun 2019 (TBC NB dependant on ...)"),
        (NB_OCT, None, "due by 31 Oct 2019 (NB timing dependant on ...)"),
        ("April 19 with checkpoint Sept 19", None, "due by 30 Apr 2019; checkpoint by 30 Sep 2019"),
        ("September 2019 and on-going", None, "due by 30 Sep 2019, then continuing"),
        # one cell, two entries (gm-2023/23/9): continuing, and a dated milestone of it
        ("Complete and ongoing September 2023", None, "complete; ongoing; checkpoint by 30 Sep 2023"),
        ("Completed: 31 October 2016", None, "complete by 31 Oct 2016"),
        ("Complete and ongoing: 26/10/2016", None, "complete by 26 Oct 2016; ongoing"),
        ("Immediate", date(2023, 6, 22), "due by 22 Jun 2023"),
        ("Immediate", None, "unreadable: not a date form I know"),
        ("Q3 2024/25", None, "Oct 2024 – Dec 2024, due by 31 Dec 2024"),
        ("end of 2024/25", None, "due by 31 Mar 2025"),
        ("Wave 4 concluded April 2023", None, "complete by 30 Apr 2023 (Wave 4 concluded)"),
        ("", None, "unreadable: no date"),
        ("End of Q3 2024", None, "Jul 2024 – Sep 2024, due by 30 Sep 2024"),
        ("Q3 FY 2024", None, "unreadable: not a date form I know"),
        (
            "Completed September 2023",
            None,
            "unreadable: several targets run together (Completed | September 2023)",
        ),
    ],
)
def test_describe(written: str, plan_date: date | None, expected: str) -> None:
    assert read_target(written, plan_date=plan_date).describe() == expected


def test_split_targets() -> None:
    assert split_targets("Complete and monthly  November 2023") == ("Complete and monthly", "November 2023")
    assert split_targets("Completed September 2023 September 2023") == (
        "Completed",
        "September 2023",
        "September 2023",
    )
    assert split_targets("October 2023 March 2024") == ("October 2023", "March 2024")
    assert split_targets("March 2024") == ("March 2024",)
    assert split_targets("Monthly from July 2023") == ("Monthly from July 2023",)
    assert split_targets("garbage") == ("garbage",)
    assert split_targets("") == ("",)


def test_month_end_and_index() -> None:
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2023, 2) == date(2023, 2, 28)
    assert month_end(2023, 12) == date(2023, 12, 31)
    assert month_end(2019, 9) == date(2019, 9, 30)
    assert Month.of(date(2023, 7, 15)).index == 2023 * 12 + 6
    assert Month.of(date(2023, 10, 1)).index - Month.of(date(2023, 7, 31)).index == 3


def test_target_date_is_frozen_and_written_kept() -> None:
    written = "  May19 –  Aug 19 "
    got = read_target(written)
    assert got.written == written
    with pytest.raises(AttributeError):
        got.kind = K.ONE_OFF  # type: ignore[misc]


def test_string_enums() -> None:
    assert K.COMPLETE_RECURRING == "complete-recurring"
    assert S.NOT_STARTED == "not_started"
    assert [k.value for k in K] == [
        "one-off", "recurring", "complete", "complete-recurring", "ongoing", "deadline-ongoing", "period",
        "unreadable",
    ]


def test_no_fuzzy_parser_and_no_ui_imports() -> None:
    tree = ast.parse(Path(targets.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert not any(name.startswith("dateutil.parser") for name in imported)
    assert not any(name.split(".")[0] in {"textual", "sqlmodel", "sqlalchemy"} for name in imported)
