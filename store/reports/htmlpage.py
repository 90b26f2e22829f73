"""The report as one self-contained HTML page: no script, no network, no external file; printable on A4."""

from __future__ import annotations

from html import escape
from typing import BinaryIO

from store.reports.columns import RAG_FILL, RAG_INK, shown
from store.reports.content import PlanSection, ReportSource, Tally, tally
from store.reports.halves import plan_parts
from store.reports.output import MARK, after_the_summary, following_lines
from store.text import recommendation_title, status_word

_STYLE = """
@page { size: A4; margin: 14mm 12mm; }
body { font: 10pt/1.35 "Segoe UI", Arial, sans-serif; color: #111; margin: 1.5em; }
h1 { font-size: 16pt; margin: 0 0 .3em; } h2 { font-size: 13pt; margin: 1.4em 0 .4em; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 1.1em 0 .3em; break-after: avoid; }
h4 { font-size: 10pt; margin: .9em 0 .2em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 .8em; font-size: 8.5pt; }
th, td { border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left; overflow-wrap: break-word; }
th { background: #eee; } thead { display: table-header-group; } tr { break-inside: avoid; }
td.n { text-align: right; white-space: nowrap; } td.k { white-space: nowrap; }
.bar { display: inline-block; width: 9em; height: .8em; border: 1px solid #666; vertical-align: middle;
       background: #fff; margin-right: .4em; }
.bar > span { display: block; height: 100%; background: #2E75B6; }
.rag { font-weight: bold; white-space: nowrap; }
.meta { color: #444; } p.rec { margin: 0 0 .3em; }
@media print { body { margin: 0; } a { color: inherit; } }
"""


def h(text: str) -> str:
    """Text escaped for HTML, control characters made visible."""
    return escape(shown(text), quote=True)


def _rag(word: str) -> str:
    return (f'<span class="rag" style="background:{RAG_FILL[word]};color:{RAG_INK[word]}">'
            f"{word[0].upper()} {word}</span>")


def _bar(counts: Tally) -> str:
    share = counts.complete / counts.total if counts.total else 0.0
    return (f'<span class="bar" role="img" aria-label="{counts.complete} of {counts.total} complete">'
            f'<span style="width:{share:.0%}"></span></span>{counts.complete}/{counts.total} complete')


def _table(headings: list[str], rows: list[list[str]]) -> list[str]:
    out = ["<table><thead><tr>", *(f"<th>{escape(t)}</th>" for t in headings), "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(row) + "</tr>" for row in rows]
    out.append("</tbody></table>")
    return out


def _td(text: str, numeric: bool = False, keep: bool = False) -> str:
    """A cell; numbers right-aligned, `keep` cells (references, words) never broken across lines."""
    return f'<td class="n">{text}</td>' if numeric else f'<td class="k">{text}</td>' if keep else f"<td>{text}</td>"


def _tally_tds(counts: Tally) -> list[str]:
    return [_td(str(n), True) for n in (counts.total, counts.complete, counts.ongoing, counts.not_started,
                                         counts.red, counts.amber, counts.green)]


TALLY_HEADINGS = ["Actions", "Complete", "Ongoing", "Not started", "Red", "Amber", "Green"]


def write_html(report: ReportSource, out: BinaryIO) -> None:
    """The page (UTF-8): the summary, then plan by plan, then the changes."""
    after_the_summary(out, plan_parts(report, plan_html), lambda: _summary(report))
    out.write(following_lines([*_changes(report), "</body></html>\n"]))


def plan_html(plan: PlanSection) -> bytes:
    """A plan's part of the file."""
    return following_lines(_plan(plan))


def _summary(report: ReportSource) -> bytes:
    scope = report.scope
    out = ['<!DOCTYPE html>', '<html lang="en-GB"><head><meta charset="utf-8">',
           f'<meta name="generator" content="{MARK}">',
           f"<title>{h(report.title)}</title>", f"<style>{_STYLE}</style></head><body>",
           f"<h1>{h(report.title)}</h1>"]
    if scope.since:
        out.append(f'<p class="meta">Changes since {scope.since:%d %B %Y} are listed at the end.</p>')
    out += ["<h2>Summary</h2>", "<h3>Agreement by plan</h3>"]
    out += _table(["Plan", "Title", "Agreed", "Partly agreed", "Not agreed", "Recommendations"], [
        [_td(h(p.id)), _td(h(p.title)),
         *(_td(str(p.agreement_counts.get(w, 0)), True) for w in ("agreed", "partly agreed", "not agreed")),
         _td(str(sum(p.agreement_counts.values())), True)] for p in report.plans])
    out.append("<h3>By addressee</h3>")
    out += _table(["Plan", "Addressee", "Progress", *TALLY_HEADINGS, "RAG"], [
        [_td(h(a.plan_id)), _td(h(a.name)), _td(_bar(a.tally)), *_tally_tds(a.tally), _td(_rag(a.rag))]
        for a in report.addressees])
    out.append("<h3>By owner</h3>")
    out += _table(["Owner", *TALLY_HEADINGS], [[_td(h(o)), *_tally_tds(t)] for o, t in report.by_owner.items()])
    return "\n".join(out).encode("utf-8")


def _plan(plan: PlanSection) -> list[str]:
    if not plan.addressees:
        return []
    out = [f"<h2>{h(plan.title)} ({h(plan.id)})</h2>"]
    for addressee in plan.addressees:
        out.append(f"<h3>{h(addressee.name)} {_bar(tally(addressee.actions))} {_rag(addressee.rag)}</h3>")
        for rec in addressee.recommendations:
            reason = f": {h(rec.reason)}" if rec.reason else ""
            out.append(f"<h4>{h(recommendation_title(rec.number))} ({h(rec.agreement)}{reason}) {_bar(rec.tally)} "
                       f"{_rag(rec.rag)}</h4>")
            out.append(f'<p class="rec">{h(rec.text)}</p>')
            out += _table(["Ref", "Action", "Owners", "Target", "Status", "RAG", "Days overdue", "Missed",
                           "Last change", "Latest evidence"], [[
                _td(h(a.reference), keep=True), _td(h(a.text)), _td(h(a.owners)),
                _td(h(a.target) + (f"<br>revised: {h(a.revised_target)}" if a.revised_target else "")),
                _td(status_word(a.status), keep=True), _td(_rag(a.rag)),
                _td("" if a.days_overdue is None else str(a.days_overdue), True), _td(h(" ".join(a.missed))),
                _td(f"{a.last_changed_at:%Y-%m-%d}<br>{h(a.last_changed_by)}" if a.last_changed_at else ""),
                _td(h(a.evidence)),
            ] for a in rec.actions])
    return out


def _changes(report: ReportSource) -> list[str]:
    since = report.scope.since
    if not since:
        return []
    out = [f"<h2>Changes since {since:%d %B %Y}</h2>"]
    return out + _table(["When (UTC)", "By", "Ref", "Change", "Note"], [
        [_td(f"{c.at:%Y-%m-%d %H:%M}"), _td(h(c.by)), _td(h(c.reference)), _td(h(c.what)), _td(h(c.note))]
        for c in report.changes])
