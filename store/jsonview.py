"""The JSON that read commands print with --json: a documented shape, versioned by its "schema" number.

Schema 1 (README, "JSON output"): every document is an object with "schema": 1 and "command"; dates are
ISO 8601 (YYYY-MM-DD), moments ISO 8601 in UTC; statuses and RAG are the stored words ("not_started").
Fields are only ever added within a schema; a removal or change of meaning brings schema 2.
Text is exactly as stored; control and bidi characters come as \\u escapes, never raw.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from store.text import escape_raw_controls

if TYPE_CHECKING:
    from store.queries import ActionDetail, ActionRow, OwnerCount
    from store.reports.content import Report, Tally

SCHEMA = 1


def dumps(command: str, **fields: Any) -> str:
    """The document for one command, as text ending in a newline."""
    document = {"schema": SCHEMA, "command": command, **fields}
    return escape_raw_controls(json.dumps(document, indent=2, ensure_ascii=False, default=_value)) + "\n"


def _value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def action_row(row: ActionRow) -> dict[str, Any]:
    """An action as lists show it."""
    return {
        "reference": row.reference, "text": row.text, "status": row.status.value, "owners": row.owners,
        "target": row.target, "target_reading": row.target_reading, "deadline": row.deadline,
        "recurring": row.every_months is not None, "every_months": row.every_months, "overdue": row.overdue,
        "missed": row.missed, "due_this_month": row.due_soon,
    }


def owner_count(owner: OwnerCount) -> dict[str, Any]:
    """An owner with their numbers of open and all actions."""
    return {"label": owner.label, "name": owner.name, "region": owner.region or None, "open": owner.open,
            "total": owner.total}


def action_detail(detail: ActionDetail) -> dict[str, Any]:
    """One action in full, with its ticks and history."""
    return {
        **action_row(detail.action), "plan": detail.plan_id, "plan_title": detail.plan_title,
        "region": detail.region, "addressee": detail.addressee, "recommendation": detail.recommendation_number,
        "recommendation_text": detail.recommendation_text, "agreement": detail.agreement,
        "owners_written": detail.owners_written, "transcription_note": detail.note or None,
        "withdrawn": detail.withdrawn, "ticked": detail.ticked,
        "revision": {"original": detail.revision.original, "revised": detail.revision.revised,
                     "reason": detail.revision.reason, "count": detail.revision.count} if detail.revision else None,
        "history": [{"at": h.at, "by": h.by, "change": h.kind, "from": h.from_status, "to": h.to_status,
                     "period": h.period, "note": h.note, "undone": h.undone, "from_target": h.from_target,
                     "to_target": h.to_target, "origin": h.origin or None} for h in detail.history],
    }


def tally(counts: Tally) -> dict[str, int]:
    """Counts by status and RAG."""
    return {"actions": counts.total, "complete": counts.complete, "ongoing": counts.ongoing,
            "not_started": counts.not_started, "red": counts.red, "amber": counts.amber, "green": counts.green}


def report_summary(report: Report) -> dict[str, Any]:
    """A report's summary: its scope, per plan its agreement counts and addressees, per owner the counts."""
    from store.reports.content import tally as count

    scope = report.scope
    return {
        "as_of": scope.as_of, "since": scope.since, "owner": scope.owner_label,
        "totals": tally(count(report.actions)),
        "plans": [{
            "id": plan.id, "title": plan.title, "region": plan.region, "agreement": plan.agreement_counts,
            "addressees": [{"name": a.name, "rag": a.rag.value, **tally(count(a.actions))} for a in plan.addressees],
        } for plan in report.plans],
        "owners": [{"label": label, **tally(counts)} for label, counts in report.by_owner.items()],
        "changes": [{"at": c.at, "by": c.by, "reference": c.reference, "change": c.what, "note": c.note}
                    for c in report.changes],
    }
