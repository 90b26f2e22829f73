"""The report as Markdown: headings and tables to paste into a paper. Every piece of text is escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import BinaryIO

from store.reports.columns import shown
from store.reports.content import AddresseeCount, PlanSection, ReportSource, Tally
from store.reports.halves import plan_parts
from store.reports.output import MARK, after_the_summary, following_lines
from store.text import recommendation_title, status_word

# Every character that means something inline in CommonMark or GitHub's tables; a backslash makes each literal.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~&$^:])")

ACTION_HEADINGS = ("Ref", "Action", "Owners", "Target", "Status", "RAG", "Days overdue", "Missed", "Latest evidence")


def md(text: str) -> str:
    """Text as literal Markdown on one line: specials escaped, control characters visible, breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(shown(text).split()))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(headings: tuple[str, ...] | list[str], rows: list[list[str]]) -> list[str]:
    return [_row(list(headings)), _row(["---"] * len(headings)), *(_row(r) for r in rows), ""]


def _tally_cells(counts: Tally) -> list[str]:
    return [str(counts.total), str(counts.complete), str(counts.ongoing), str(counts.not_started),
            str(counts.red), str(counts.amber), str(counts.green)]


TALLY_HEADINGS = ["Actions", "Complete", "Ongoing", "Not started", "Red", "Amber", "Green"]


def _addressee_rows(addressees: Sequence[AddresseeCount]) -> list[list[str]]:
    return [[md(a.plan_id), md(a.name), *_tally_cells(a.tally), a.rag.letter] for a in addressees]


def write_markdown(report: ReportSource, out: BinaryIO) -> None:
    """The Markdown file (UTF-8): the summary, then plan by plan, then the changes."""
    after_the_summary(out, plan_parts(report, plan_markdown), lambda: _summary(report))
    if report.scope.since:
        out.write(following_lines(_changes(report)))


def plan_markdown(plan: PlanSection) -> bytes:
    """A plan's part of the file."""
    return following_lines(_plan(plan))


def _summary(report: ReportSource) -> bytes:
    scope = report.scope
    lines = [f"<!-- {MARK}: generated; edit a copy -->", f"# {md(report.title)}", ""]
    if scope.since:
        lines += [f"Changes since {scope.since:%d %B %Y} are listed at the end.", ""]
    lines += ["## Summary", "", "### Agreement by plan", ""]
    lines += _table(["Plan", "Title", "Agreed", "Partly agreed", "Not agreed", "Recommendations"], [
        [md(p.id), md(p.title), *(str(p.agreement_counts.get(w, 0)) for w in ("agreed", "partly agreed", "not agreed")),
         str(sum(p.agreement_counts.values()))] for p in report.plans])
    lines += ["### By addressee", ""]
    lines += _table(["Plan", "Addressee", *TALLY_HEADINGS, "RAG"], _addressee_rows(report.addressees))
    lines += ["### By owner", ""]
    lines += _table(["Owner", *TALLY_HEADINGS], [[md(o), *_tally_cells(t)] for o, t in report.by_owner.items()])
    return "\n".join(lines).encode("utf-8")


def _plan(plan: PlanSection) -> list[str]:
    if not plan.addressees:
        return []
    lines = [f"## {md(plan.title)} ({md(plan.id)})", ""]
    for addressee in plan.addressees:
        lines += [f"### {md(addressee.name)}", ""]
        for rec in addressee.recommendations:
            agreement = rec.agreement + (f": {rec.reason}" if rec.reason else "")
            lines += [f"#### {md(recommendation_title(rec.number))} ({md(agreement)}) · RAG {rec.rag.letter}", "",
                      md(rec.text), ""]
            lines += _table(ACTION_HEADINGS, [[
                md(a.reference), md(a.text), md(a.owners),
                md(a.target + (f" → revised: {a.revised_target}" if a.revised_target else "")),
                status_word(a.status), f"{a.rag.letter} {a.rag.value}",
                "" if a.days_overdue is None else str(a.days_overdue), md(" ".join(a.missed)), md(a.evidence),
            ] for a in rec.actions])
    return lines


def _changes(report: ReportSource) -> list[str]:
    assert report.scope.since is not None
    lines = [f"## Changes since {report.scope.since:%d %B %Y}", ""]
    return lines + _table(["When (UTC)", "By", "Ref", "Change", "Note"], [
        [f"{c.at:%Y-%m-%d %H:%M}", md(c.by), md(c.reference), md(c.what), md(c.note)] for c in report.changes])
