"""A draft as plan-file TOML, opening with how many actions need a look."""

from __future__ import annotations

from typing import Any

import tomli_w

from store.drafting.model import Draft, check_note
from store.text import escape_raw_controls


def draft_toml(draft: Draft, source_name: str) -> str:
    """The plan file text: a short header comment, then the plan in the project's format."""
    actions = draft.actions()
    flagged = draft.to_check()
    recs = [r for a in draft.addressees for r in a.recommendations]
    flagged_recs = sum(1 for r in recs if r.checks)
    head = [
        f"# Draft plan file made by actiontrack from {source_name}.",
        f"# {flagged} of {len(actions)} actions need a look (note = \"check: ...\"),"
        f" and {flagged_recs} of {len(recs)} recommendations.",
        "# `actiontrack check THIS-FILE` lists every check; delete a check note once it is resolved.",
        "",
    ]
    return "\n".join(head) + escape_raw_controls(tomli_w.dumps(draft_dict(draft), multiline_strings=True))


def draft_dict(draft: Draft) -> dict[str, Any]:
    """The draft as the plan file's tables, optional fields left out where empty."""
    plan = dict(draft.plan)
    if draft.plan_checks:
        plan["notes"] = check_note(draft.plan_checks)
    addressees = []
    for addressee in draft.addressees:
        recs = []
        for rec in addressee.recommendations:
            item: dict[str, Any] = {"number": rec.number, "text": rec.text, "agreement": rec.agreement}
            if rec.reason:
                item["reason"] = rec.reason
            if rec.inferred:
                item["inferred"] = True
            if rec.checks:
                item["note"] = check_note(rec.checks)
            actions = []
            for action in rec.actions:
                entry: dict[str, Any] = {}
                if action.ref:
                    entry["ref"] = action.ref
                entry.update(text=action.text, owners=action.owners, target=action.target)
                if action.checks:
                    entry["note"] = action.note
                actions.append(entry)
            if actions:
                item["actions"] = actions
            recs.append(item)
        addressees.append({"name": addressee.name, "kind": addressee.kind, "recommendations": recs})
    result: dict[str, Any] = {"plan": plan}
    if draft.aliases:
        result["aliases"] = dict(sorted(draft.aliases.items(), key=lambda kv: kv[0].lower()))
    result["addressees"] = addressees
    return result
