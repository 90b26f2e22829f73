"""How tree nodes, due items and details read on screen: rich Text built from data, never markup."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from rich.style import Style
from rich.text import Text

from store.identity import is_unnumbered
from store.months import Month
from store.rag import Rag
from store.rows import (
    ActionDetail,
    ActionRow,
    AddresseeNode,
    HistoryRow,
    Progress,
    RecommendationNode,
    RegionNode,
)
from store.targets import Status
from store.text import (
    agreement_words,
    describe_change,
    one_line,
    recommendation_number,
    recommendation_title,
    status_word,
    visible,
)

MARKS = {Status.NOT_STARTED: "○", Status.ONGOING: "◐", Status.COMPLETE: "●"}
EVIDENCE = "✎"  # after an action's reference: it has evidence (a note given with a change)
Colours = Mapping[str, str]
HANG = "hang"  # a style's meta key: the column a line's wrapped continuation starts at


def rag_mark(rag: Rag, colours: Colours) -> Text:
    """The rating's letter (R, A, G, C) on its theme colour, then a space: read with or without colour."""
    letter, ground = colours.get("rag-letter", "black"), colours.get(f"rag-{rag.value}", "white")
    text = Text()
    text.append(rag.letter, style=f"bold {letter} on {ground}")
    text.append(" ")
    return text


def _progress(text: Text, progress: Progress, colours: Colours) -> Text:
    style = colours.get("complete", "green") if progress.done == progress.total else colours.get("muted", "")
    text.append(f"  {progress.label}", style=style)
    if progress.overdue:
        text.append(f"  {progress.overdue} overdue", style=f"bold {colours.get('overdue', 'red')}")
    return text


def region_label(node: RegionNode, colours: Colours) -> Text:
    """'R Greater Manchester  3/12  2 overdue'."""
    text = rag_mark(node.progress.rag, colours)
    text.append(visible(node.region), style="bold")
    return _progress(text, node.progress, colours)


def addressee_label(node: AddresseeNode, colours: Colours) -> Text:
    """'R Tameside PDU · 2023 plan  1/5  rated Requires improvement': the figures before the words."""
    text = rag_mark(node.progress.rag, colours)
    text.append(visible(node.name), style="bold")
    text.append(f" · {node.plan_year} plan", style=colours.get("muted", ""))
    if node.closed:
        text.append(" (closed)", style=f"bold {colours.get('muted', '')}")
    _progress(text, node.progress, colours)
    if node.rating:
        text.append(f"  rated {visible(node.rating)}", style="italic")
    return text


def recommendation_label(node: RecommendationNode, colours: Colours) -> Text:
    """'6 [agreed]  1/3  Improve the quality of …': the counts come before the text, so a narrow tree keeps them."""
    text = rag_mark(node.progress.rag, colours)
    text.append("• " if is_unnumbered(node.number) else f"{visible(node.number)} ", style="bold")
    style = "" if node.agreement == "agreed" else colours.get("warning", "yellow")
    text.append(f"[{agreement_words(node.agreement, node.inferred)}]", style=style)
    _progress(text, node.progress, colours)
    text.append("  ")
    text.append(one_line(node.text, 70) if node.text else "(wording missing from the source)")
    return text


def deadline_word(row: ActionRow) -> str:
    """The short due word of an action: 'Mar 2024', 'monthly', 'ongoing', '?'."""
    if row.target_kind == "unreadable":
        return "no date?"
    if row.every_months is not None:
        return "recurring"
    if row.deadline is not None and row.target_kind != "complete":
        return f"{row.deadline:%b %Y}"
    return {"complete": "done", "complete-recurring": "continuing", "ongoing": "ongoing"}.get(row.target_kind, "")


def _status_style(row: ActionRow, colours: Colours) -> str:
    if row.overdue:
        return f"bold {colours.get('overdue', 'red')}"
    if row.due_soon:
        return colours.get("due-soon", "yellow")
    if row.status == Status.COMPLETE:
        return colours.get("complete", "green")
    if row.status == Status.ONGOING:
        return colours.get("ongoing", "blue")
    return ""


def late_word(row: ActionRow) -> str:
    """How an action is late, short enough for a tree row: '58d late', '2 missed', 'due now', ''."""
    if row.missed:
        return f"{row.missed} missed"
    if row.overdue and row.days_overdue is not None:
        return f"{row.days_overdue}d late"
    return "due now" if row.due_soon else ""


def missed_words(periods: tuple[str, ...]) -> str:
    """'missed: Jul 2023, Aug 2023'; a long run is shortened to its ends and count."""
    labels = [Month.parse(period).label for period in periods]
    if len(labels) > 3:
        return f"missed: {labels[0]}, {labels[1]} … {labels[-1]} ({len(labels)})"
    return "missed: " + ", ".join(labels)


def days_overdue_words(days: int) -> str:
    """'1 day overdue', '58 days overdue'."""
    return f"{days} day{'s' if days != 1 else ''} overdue"


def action_label(row: ActionRow, colours: Colours) -> Text:
    """'R ○ 6/2✎   Mar 2024   58d late The Head of Tameside PDU will …': the RAG mark, the status mark, the
    reference (✎: it has evidence), the deadline, how late, and the text; late ones in the overdue colour."""
    style = _status_style(row, colours)
    text = rag_mark(row.rag, colours)
    text.append(f"{MARKS[row.status]} ", style=style)
    short_ref = visible(row.reference.split("/", 1)[1])
    text.append(short_ref, style="bold")
    # a longer reference ('ue4676aa/1') keeps its space
    text.append(f"{EVIDENCE if row.evidence else '':<{max(0, 6 - len(short_ref))}} ", style="bold")
    when, late = deadline_word(row), late_word(row)
    if late:  # the deadline and how late, in the deadline column and the one after it
        cell = f"{when:<10} {late} "
        text.append(cell if len(cell) <= 19 else f"{when} {late} ".ljust(19), style=style or colours.get("muted", ""))
    else:
        text.append(f"{when:<10} ", style=style or colours.get("muted", ""))  # 'continuing' fills the column
    text.append(one_line(row.text, 90))
    return text


def due_label_height(row: ActionRow, *, late: bool = False) -> int:
    """How many lines `due_label` gives `row`: the reference line, the periods missed (in the overdue list), the
    text."""
    return 3 if late and row.missed_periods else 2


def due_label(row: ActionRow, colours: Colours, *, late: bool = False) -> Text:
    """A due-panel entry: RAG and status marks, reference (✎: evidence), target as written, then the text; in
    the overdue list (`late`) how many days overdue, and the periods missed on a line of their own."""
    style = _status_style(row, colours)
    text = rag_mark(row.rag, colours)
    text.append(f"{MARKS[row.status]} ", style=style)
    text.append(visible(row.reference), style="bold")
    if row.evidence:
        text.append(EVIDENCE, style="bold")
    text.append(f"  {one_line(row.target, 30)}", style=style or colours.get("muted", ""))
    if late and row.days_overdue is not None and not row.missed_periods:
        text.append(f"  {days_overdue_words(row.days_overdue)}", style=style)
    if late and row.missed_periods:
        text.append(f"\n  {missed_words(row.missed_periods)}", style=style)
        if row.days_overdue is not None:
            text.append(f" · {days_overdue_words(row.days_overdue)}", style=style)
    text.append(f"\n  {one_line(row.text, 200)}")
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


FIELD_WIDTH = 15  # the detail pane's label column; a value that wraps continues under its own column


def _field(text: Text, name: str, value: str, style: str = "") -> None:
    text.append(f"{name:<{FIELD_WIDTH}}", style=hanging(FIELD_WIDTH, "bold"))
    text.append(visible(value) + "\n", style=style)


def hanging(indent: int, style: str = "") -> Style:
    """A style that marks its line as wrapping under column `indent` (the detail pane reads it)."""
    return Style.parse(style) + Style(meta={HANG: indent}) if style else Style(meta={HANG: indent})


def action_detail_text(detail: ActionDetail, today: date, colours: Colours) -> Text:
    """The detail pane for one action: text, owners, target as written and read, status, history."""
    row = detail.action
    text = rag_mark(row.rag, colours)
    text.append(f"{MARKS[row.status]} {status_word(row.status)}", style=_status_style(row, colours) or "bold")
    if row.overdue:
        text.append("  OVERDUE", style=f"bold reverse {colours.get('overdue', 'red')}")
        if row.days_overdue is not None:
            text.append(f" {days_overdue_words(row.days_overdue)}", style=f"bold {colours.get('overdue', 'red')}")
    if detail.withdrawn:
        text.append("  withdrawn from the plan", style="italic")
    text.append(f"   {visible(row.reference)}\n\n", style=colours.get("muted", ""))
    text.append(visible(row.text) + "\n\n")
    _field(text, "Owners", "; ".join(row.owners.split("; ")) or "(none given in the plan)")
    if detail.owners_written and "; ".join(detail.owners_written) != row.owners:
        _field(text, "  as written", "; ".join(detail.owners_written), colours.get("muted", ""))
    _field(text, "Target", f"“{row.target}”" if row.target else "(no date given in the plan)")
    reading_style = colours.get("overdue", "red") if row.target_kind == "unreadable" else ""
    _field(text, "  read as", row.target_reading, reading_style)
    if detail.revision is not None:
        _field(text, "  first agreed", f"“{detail.revision.original}” (revised {detail.revision.count}×: "
                                       f"{detail.revision.reason})", colours.get("muted", ""))
    if detail.ticked:
        _field(text, "Ticked off", ", ".join(detail.ticked))
    if row.missed_periods:
        _field(text, "Missed", missed_words(row.missed_periods).removeprefix("missed: ") +
               " ([ ] reach the month in the due panel, t ticks it off)", colours.get("overdue", "red"))
    _field(text, "Recommendation",
           f"{recommendation_number(detail.recommendation_number)} "
           f"({agreement_words(detail.agreement, detail.inferred)}) "
           f"to {detail.addressee}")
    _field(text, "Plan", f"{detail.plan_title} [{detail.plan_id}]")
    if detail.note:
        text.append("\nTranscription note\n", style="bold")
        text.append(visible(detail.note) + "\n", style="italic")
    text.append("\nHistory\n", style="bold")
    if not detail.history:
        text.append("  no changes yet\n", style=colours.get("muted", ""))
    for change in detail.history:
        text.append_text(history_line(change, colours.get("muted", "")))
    return text


@lru_cache(maxsize=4096)
def history_line(change: HistoryRow, muted: str) -> Text:
    """One change in the detail pane's history, with its note and where it was made (`muted`: that part's
    style). Kept once made: a status key shows the whole history again, one change more (appended, never changed)."""
    text = Text()
    when = change.at.strftime("%Y-%m-%d %H:%M") if change.at else "?"
    what = describe_change(change.kind, change.from_status, change.to_status, change.period, change.from_target,
                           change.to_target)
    column = len(when) + 4  # where the change's words start: its wrapped lines and a note's lines go under it
    text.append(f"  {when}  ", style=hanging(column))
    text.append(f"{visible(change.by)}: {visible(what)}", style="strike" if change.undone else "")
    if change.undone:
        text.append(" (undone)", style="italic")
    if change.note:  # a note of several lines keeps them, each under the change's words
        first, *more = visible(change.note).split("\n")
        text.append(f" — {first}", style="italic")
        for line in more:
            text.append("\n" + " " * column, style=hanging(column))
            text.append(line, style="italic")
    if change.origin:
        text.append(f" · on {visible(change.origin)}", style=muted)
    text.append("\n")
    return text


def recommendation_detail_text(number: str, text_: str, agreement: str, reason: str, note: str,
                               addressee: str, plan_title: str, colours: Colours) -> Text:
    """The detail pane for a recommendation (`agreement` in words, from `agreement_words`)."""
    text = Text()
    text.append(visible(recommendation_title(number)), style="bold")
    text.append(f"  {agreement}\n\n", style=colours.get("muted", ""))
    text.append((visible(text_) if text_ else "(its wording is missing from the source document)") + "\n\n")
    if reason:
        text.append("Reason given\n", style="bold")
        text.append(visible(reason) + "\n\n")
    _field(text, "Addressee", addressee)
    _field(text, "Plan", plan_title)
    if note:
        text.append("\nTranscription note\n", style="bold")
        text.append(visible(note) + "\n", style="italic")
    return text


def change_words(kind: str, from_status: str | None, to_status: str | None, period: str | None,
                 note: str = "", from_target: str | None = None, to_target: str | None = None) -> str:
    """One change named for a message: 'not started → complete', 'the tick of 2023-09', 'the note “…”'."""
    if kind == "note":
        return f"the note “{one_line(note, 40)}”"
    if kind in ("tick", "untick") and period:
        return f"the {'tick' if kind == 'tick' else 'untick'} of {period}"
    return describe_change(kind, from_status, to_status, period, from_target, to_target)


def branch_detail_text(item: RegionNode | AddresseeNode, colours: Colours) -> Text:
    """The detail pane for a region or an addressee: its name, plan and rating, and its counts."""
    text = Text()
    if isinstance(item, RegionNode):
        text.append(f"{visible(item.region)}\n\n", style="bold")
    else:
        text.append(f"{visible(item.name)}\n", style="bold")
        text.append(f"{item.kind} · plan {visible(item.plan_id)} ({item.plan_year})"
                    f"{' · closed: P hides closed plans' if item.closed else ''}\n\n")
        if item.rating:
            text.append(f"Rated by the inspectorate: {visible(item.rating)}\n\n")
    p = item.progress
    text.append(f"{p.done} of {p.total} actions complete")
    if p.overdue:
        text.append(f", {p.overdue} overdue", style=f"bold {colours.get('overdue', 'red')}")
    text.append(".\nRight arrow opens a branch, left closes it.")
    return text
