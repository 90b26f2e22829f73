"""Plan files (TOML): reading and validating a whole file before anything is written.

The shape is documented in the README ("Plan files"); pydantic checks it, and every
problem is reported as one sentence naming the file and the place in it.
"""

from __future__ import annotations

import copyreg
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from store.errors import StoreError
from store.files import read_bounded
from store.identity import UID_PATTERN, as_utc, is_unnumbered, unnumbered_ref
from store.owners import is_blank
from store.targets import read_target
from store.text import one_line, visible_line

try:  # tomli's compiled build reads the same TOML ~3x faster than the stdlib's pure-Python copy of it
    import tomli as tomllib
except ImportError:  # pragma: no cover - the same parser, slower
    import tomllib  # type: ignore[no-redef]
try:  # rtoml (Rust) reads the same TOML ~3.5x faster again; tomli still words the error of a file that fails
    import rtoml
except ImportError:  # pragma: no cover - tomli reads every file
    rtoml = None  # type: ignore[assignment]
else:
    def _as_timezone(offset: tzinfo) -> tuple[type[timezone], tuple[timedelta]]:
        """rtoml's own offset type cannot be pickled (a reading process hands plans to the writer): it
        pickles as the standard library's timezone of the same offset."""
        return timezone, (offset.utcoffset(datetime(2000, 1, 1)) or timedelta(0),)  # a fixed offset

    copyreg.pickle(type(rtoml.loads("t = 2000-01-01T00:00:00Z")["t"].tzinfo), _as_timezone)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT = 100_000

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Uid = Annotated[str, StringConstraints(pattern=UID_PATTERN)]
Target = Annotated[str, StringConstraints(max_length=500)]
StatusName = Literal["not_started", "ongoing", "complete"]


class PlanFileError(StoreError):
    """A plan file cannot be read or is not valid; nothing was written."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _in_utc_range(at: datetime) -> datetime:
    """A history time that can be given in UTC (an offset moves a time by less than a day: only the end
    years can overflow)."""
    if 1 < at.year < 9999:
        return at
    try:
        as_utc(at)
    except OverflowError:
        raise ValueError("is too near year 1 or 9999 to be given in UTC") from None
    return at


Moment = Annotated[datetime, AfterValidator(_in_utc_range)]


class HistorySpec(_Strict):
    """One history event as exported; `uid` is its identity (files written before uids have none)."""

    uid: Uid | None = None
    at: Moment
    by: Name
    change: Literal["status", "tick", "untick", "note", "undo", "target", "close", "reopen"]
    from_: StatusName | None = Field(default=None, alias="from")
    to: StatusName | None = None
    period: Period | None = None
    note: Text = ""
    undoes: Uid | int | None = None  # the uid of the event undone (older files: its position, from 1)
    from_target: Target | None = None  # for change = "target": the target before and after a revision
    to_target: Target | None = None
    origin: Name | None = None  # where it was made: a laptop's machine id, or LOGIN@HOST on a server

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class OwnerEntry(_Strict):
    """An owner written as a table: a role with the holders named beside it (`role`, `holders`), or an
    organisation (`organisation`), as plans of councils and health trusts print them."""

    role: Name | None = None
    holders: list[Name] = Field(default_factory=list)
    organisation: Name | None = None

    @model_validator(mode="after")
    def _role_or_organisation(self) -> OwnerEntry:
        if (self.role is None) == (self.organisation is None):
            raise ValueError("an owner table holds either role (with optional holders) or organisation")
        if self.organisation is not None and self.holders:
            raise ValueError("holders go with a role, not an organisation")
        return self

    def as_written(self) -> str:
        """The owner as a plan prints it: 'Operations Managers (SF, CD)', 'MPS'."""
        if self.organisation is not None:
            return self.organisation
        return f"{self.role} ({', '.join(self.holders)})" if self.holders else str(self.role)


class ActionSpec(_Strict):
    """An action: its text, owners as written and target as written."""

    uid: Uid | None = None
    text: Text
    owners: list[Name | OwnerEntry]
    target: Target
    target_reason: Text = ""  # why a revision changed the target (recorded in the target's history event)
    ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$")] | None = None
    status: StatusName | None = None
    withdrawn: bool = False
    note: Text = ""
    progress: Text = ""  # the plan's progress update, as printed
    completed: Target = ""  # its completion date, as printed
    review: Target = ""  # its review date, as printed
    ticked: list[Period] = Field(default_factory=list)  # a factory, not `= []`: pydantic deep-copies
    history: list[HistorySpec] = Field(default_factory=list)  # a list default for every action

    def owners_stored(self) -> list[str | dict[str, Any]]:
        """The owners as the database keeps and an export writes them: strings, or tables."""
        return [o if isinstance(o, str) else o.model_dump(exclude_defaults=True) for o in self.owners]

    @model_validator(mode="after")
    def _owners_or_reason(self) -> ActionSpec:
        if not self.owners and not self.note.strip():
            raise ValueError("owners must not be empty (an action the document gives no owner needs a note saying so)")
        for number, owner in enumerate(self.owners, start=1):
            if isinstance(owner, str) and is_blank(owner):
                raise ValueError(f"owner {number} is only invisible characters; write the role's name")
        return self


class RecommendationSpec(_Strict):
    """A recommendation and HMPPS's response to it. `number` is as the document numbers it; one printed
    without a number holds its reference instead (its `ref`, else one made from its words: `PlanFile`)."""

    uid: Uid | None = None
    number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,15}$")]
    ref: str | None = None
    text: Text
    agreement: Literal["agreed", "partly_agreed", "not_agreed", "not_stated"] = "not_stated"
    reason: Text = ""
    inferred: bool = False
    withdrawn: bool = False
    note: Text = ""
    actions: list[ActionSpec] = []

    @property
    def numbered(self) -> bool:
        """Whether the document prints a number for it."""
        return not is_unnumbered(self.number)

    @property
    def label(self) -> str:
        """The recommendation as an error message names it: "recommendation '6'", or, printed without a
        number, "recommendation 'u3f9a2c1' (unnumbered: 'The CCG should ...')"."""
        if self.numbered:
            return f"recommendation {self.number!r}"
        return f"recommendation {self.number!r} (unnumbered: {one_line(visible_line(self.text), 40)!r})"

    @field_validator("number", mode="before")
    @classmethod
    def _not_empty(cls, number: Any) -> Any:
        if number == "":
            raise ValueError("is empty: leave number out where the document prints none")
        return number

    @field_validator("ref")
    @classmethod
    def _a_made_ref(cls, ref: str | None) -> str | None:
        if ref is not None and not is_unnumbered(ref):
            raise ValueError("is not a reference actiontrack made (u and seven hex digits, as an export writes "
                             "it); a recommendation the document numbers takes number")
        return ref

    @model_validator(mode="after")
    def _number_or_ref(self) -> RecommendationSpec:
        if self.ref is not None and self.ref != self.number:
            raise ValueError("gives both number and ref: ref is only for a recommendation printed without a number")
        return self


class AddresseeSpec(_Strict):
    """Who recommendations are addressed to."""

    uid: Uid | None = None
    name: Name
    kind: Literal["pdu", "region", "national", "provider", "other"]
    rating: Annotated[str, StringConstraints(max_length=200)] = ""
    recommendations: list[RecommendationSpec] = []


class PlanHeader(_Strict):
    """The [plan] table."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    uid: Uid | None = None
    title: Name
    region: Name
    inspection: Text = ""
    report_published: date | None = None
    plan_submitted: date | None = None
    source: Text = ""
    notes: Text = ""
    national_owners: list[Name] = []
    organisation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""

    @property
    def written_on(self) -> date | None:
        """When the plan was written: submitted, else published. Undated recurring targets start here."""
        return self.plan_submitted or self.report_published


class PlanFile(_Strict):
    """A whole plan file, validated."""

    plan: PlanHeader
    aliases: dict[Name, Name] = {}
    addressees: Annotated[list[AddresseeSpec], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _refer_to_unnumbered(cls, data: Any) -> Any:
        """Give each recommendation printed without a number its reference: its `ref`, else one made from
        its words (`identity.unnumbered_ref`), clear of every number and ref the file gives."""
        recs = [r for a in _items(data, "addressees") for r in _items(a, "recommendations")]
        if all("number" in r for r in recs):
            return data  # a plan that numbers every recommendation, as HMPPS's do: nothing to do
        taken = {r.get("number", r.get("ref")) for r in recs}
        seen: dict[str, int] = {}
        addressees = []
        for addressee in data["addressees"]:
            if not isinstance(addressee, dict) or not isinstance(addressee.get("recommendations"), list):
                addressees.append(addressee)
                continue
            keyed = []
            for rec in addressee["recommendations"]:
                if isinstance(rec, dict) and "number" not in rec:
                    ref = rec.get("ref")
                    if not (isinstance(ref, str) and is_unnumbered(ref)):
                        words = str(rec.get("text", ""))
                        key = " ".join(words.split()).casefold()
                        nth = seen.get(key, 0) + 1
                        while (ref := unnumbered_ref(words, nth)) in taken:  # another's seven digits: the next
                            nth += 1
                        seen[key] = nth
                        taken.add(ref)
                    rec = {**rec, "number": ref}
                keyed.append(rec)
            addressees.append({**addressee, "recommendations": keyed})
        return {**data, "addressees": addressees}


def _items(table: Any, key: str) -> Iterator[dict[str, Any]]:
    """The tables of an array of tables in raw TOML, or none where it is not one (validation says so)."""
    items = table.get(key) if isinstance(table, dict) else None
    if isinstance(items, list):
        yield from (i for i in items if isinstance(i, dict))


def _place(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic location into the words a user would look for in the file."""
    words: list[str] = []
    node: Any = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if key in ("addressees", "recommendations", "actions", "history") and isinstance(nxt, int):
            child = node.get(key) if isinstance(node, dict) else None
            item = child[nxt] if isinstance(child, list) and nxt < len(child) else None
            singular = {"addressees": "addressee", "recommendations": "recommendation",
                        "actions": "action", "history": "history entry"}[key]
            label = f"{singular} {nxt + 1}"
            if isinstance(item, dict):
                if key == "addressees" and isinstance(item.get("name"), str):
                    label = f"addressee {nxt + 1} ({item['name'][:60]!r})"
                elif key == "recommendations" and isinstance(item.get("number"), str):
                    label = f"recommendation {item['number'][:16]!r}"
                elif key == "recommendations" and "number" not in item:
                    label = f"recommendation {nxt + 1} (unnumbered)"
                elif key == "actions" and isinstance(item.get("ref"), str):
                    label = f"action {item['ref'][:32]!r}"
            words.append(label)
            node = item
            i += 2
            continue
        if isinstance(key, int):
            words.append(f"item {key + 1}")
        else:
            words.append(f"[{key}]" if i == 0 and key in ("plan", "aliases") else visible_line(str(key))[:60])
        node = node.get(key) if isinstance(node, dict) else None
        i += 1
    return " › ".join(words) if words else "the top level"


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a field of the plan format"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "is not valid")))
    if kind == "string_too_long":
        return f"is too long (at most {error['ctx']['max_length']:,} characters)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return "has characters it may not hold"
    if kind in _WANTED:
        return f"must be {_WANTED[kind]}"
    return str(error.get("msg", "is not valid")).lower()


_UNION_TAGS = ("constrained-str", "OwnerEntry")  # how pydantic names the branches of `str | OwnerEntry`

_WANTED = {
    "string_type": "a string",
    "date_type": "a date like 2023-05-25",
    "datetime_type": "a date and time like 2023-09-15T10:31:00Z",
    "list_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "bool_type": "true or false",
    "int_type": "a whole number",
}


def validate_plan(raw: dict[str, Any], source: str) -> PlanFile:
    """Check a parsed plan file in full; raise PlanFileError naming the first problem's place."""
    if not raw:
        raise PlanFileError(f"{source}: holds no plan (the file is empty or only comments)")
    try:
        plan = PlanFile.model_validate(raw)
    except RecursionError:
        raise PlanFileError(f"{source}: arrays or tables are nested too deeply to be a plan file") from None
    except ValidationError as exc:
        # An owner is a string or a table: a table's problem is not that it is no string.
        errors = [e for e in exc.errors() if not (e["type"] == "string_type" and isinstance(e.get("input"), dict))]
        errors = [{**e, "loc": tuple(k for k in e["loc"] if k not in _UNION_TAGS)} for e in errors or exc.errors()]
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        joint = " › " if first.get("type") == "value_error" else " "  # a model's own check names its field
        raise PlanFileError(
            f"{source}: {_place(raw, tuple(first['loc']))}{joint}{_describe(dict(first))}{more}"
        ) from None
    _check_plan(plan, source, (action.history for action in actions_of(plan)), _MODEL_UID_UNDOES)
    return plan


# A history entry as an import reads it: HistorySpec's fields, in this order, as a tuple.
HistoryEntry = tuple[Any, ...]
HISTORY_FIELDS = tuple(HistorySpec.model_fields)
_ENTRY = attrgetter(*HISTORY_FIELDS)
# an event's uid and the event it undoes, from an entry or from a model: all the whole-file checks read of it
_ENTRY_UID_UNDOES = itemgetter(HISTORY_FIELDS.index("uid"), HISTORY_FIELDS.index("undoes"))
_MODEL_UID_UNDOES = attrgetter("uid", "undoes")


def history_entries(action: ActionSpec) -> list[HistoryEntry]:
    """The action's history as entries (tuples of HistorySpec's fields)."""
    return list(map(_ENTRY, action.history))


def actions_of(plan: PlanFile) -> Iterator[ActionSpec]:
    """Every action of the plan, in file order."""
    for addressee in plan.addressees:
        for rec in addressee.recommendations:
            yield from rec.actions


def _lists_of_tables(model: type[BaseModel]) -> TypeAdapter[list[list[dict[str, Any]]]]:
    """The validator of lists of lists of the model's tables: a TypedDict of its fields as a file writes them
    (by alias), each with its constraints and default, so that pydantic-core validates them as plain dicts
    by the model's own field rules, with no model built per item. A table's values come in the order of the
    model's fields."""
    decorators = model.__pydantic_decorators__
    assert not (decorators.model_validators or decorators.field_validators), "a table carries only field rules"
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        typed: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        if not info.is_required():
            typed = NotRequired[Annotated[typed, Field(default=info.get_default(call_default_factory=True))]]
        fields[info.alias or name] = typed
    typed_dict: Any = TypedDict  # called, not subclassed: its fields are the model's
    table = typed_dict(f"{model.__name__}Table", fields)
    table.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)
    lists: Any = list
    return TypeAdapter(lists[lists[table]])


_HISTORY_TABLES = _lists_of_tables(HistorySpec)


def validate_plan_apart(raw: dict[str, Any], source: str) -> tuple[PlanFile, list[list[HistoryEntry]]]:
    """validate_plan, with each action's history handed back apart, as entries, one list per action in
    file order: read an action's history from them (its own `history` may be left empty). The events (a
    national import's files give hundreds of thousands) are validated in bulk as plain tables, by
    HistorySpec's rules, not as a model each; a file that fails is worded by validate_plan, as any other."""
    histories: list[Any] = []
    bare = _without_history(raw, histories)
    if bare is not None:
        try:
            tables = _HISTORY_TABLES.validate_python(histories)
            plan = PlanFile.model_validate(bare)
        except (ValidationError, RecursionError):
            pass  # validate_plan says what is wrong, and where
        else:
            entries = [[tuple(table.values()) for table in action] for action in tables]
            _check_plan(plan, source, iter(entries), _ENTRY_UID_UNDOES)
            return plan, entries
    plan = validate_plan(raw, source)
    return plan, [history_entries(action) for action in actions_of(plan)]


def _without_history(raw: Any, histories: list[Any]) -> dict[str, Any] | None:
    """The parsed file with each action's table copied without its history, whose array is added to
    `histories` (an empty one where it has none), in file order; None where the file is not shaped as a
    plan file is (validate_plan says how)."""
    addressees = raw.get("addressees") if isinstance(raw, dict) and raw else None
    if not isinstance(addressees, list):
        return None
    bare_addressees = []
    for addressee in addressees:
        recs = addressee.get("recommendations", []) if isinstance(addressee, dict) else None
        if not isinstance(recs, list):
            return None
        bare_recs = []
        for rec in recs:
            actions = rec.get("actions", []) if isinstance(rec, dict) else None
            if not isinstance(actions, list):
                return None
            bare_actions = []
            for action in actions:
                if not isinstance(action, dict):
                    return None
                history = action.get("history", _NO_HISTORY)
                if not isinstance(history, list):
                    return None
                histories.append(history)
                if history is not _NO_HISTORY:
                    action = dict(action)
                    del action["history"]
                bare_actions.append(action)
            bare_recs.append({**rec, "actions": bare_actions})
        bare_addressees.append({**addressee, "recommendations": bare_recs})
    return {**raw, "addressees": bare_addressees}


_NO_HISTORY: list[Any] = []


def _check_plan(plan: PlanFile, source: str, histories: Iterator[Sequence[Any]],
                uid_undoes: Callable[[Any], tuple[Any, Any]]) -> None:
    """What a plan file must hold beside each field's own rules; `histories`: each action's history events (entries
    or models), in file order, whose uid and undone event `uid_undoes` gives."""
    _check_unique(plan, source, histories, uid_undoes)
    _check_recurring_starts(plan, source)


def _check_recurring_starts(plan: PlanFile, source: str) -> None:
    """A recurring target with no start month ("Monthly") starts at the plan's date: without one it
    could never fall due nor be ticked off, so the file must say."""
    if plan.plan.written_on:
        return
    for addressee in plan.addressees:
        for rec in addressee.recommendations:
            for position, action in enumerate(rec.actions, start=1):
                reading = read_target(action.target)
                if reading.every_months is not None and reading.start is None:
                    raise PlanFileError(
                        f"{source}: {rec.label} › action {action.ref or str(position)!r}: "
                        f"{visible_line(action.target)!r} recurs from no stated month and the plan has no date; "
                        "add plan_submitted to [plan], or write the start (e.g. 'Monthly from July 2023')"
                    )


def _check_unique(plan: PlanFile, source: str, histories: Iterator[Sequence[Any]],
                  uid_undoes: Callable[[Any], tuple[Any, Any]]) -> None:
    names: set[str] = set()
    numbers: set[str] = set()
    uids: set[str] = set()

    def once(uid: str | None, what: str) -> None:
        if uid is not None:
            if uid in uids:
                raise PlanFileError(f"{source}: {what} has the uid {uid} of another record in the file")
            uids.add(uid)

    once(plan.plan.uid, "[plan]")
    for addressee in plan.addressees:
        if addressee.name.casefold() in names:
            raise PlanFileError(f"{source}: addressee {addressee.name!r} appears twice")
        names.add(addressee.name.casefold())
        once(addressee.uid, f"addressee {addressee.name!r}")
        for rec in addressee.recommendations:
            if rec.number in numbers:
                raise PlanFileError(f"{source}: {rec.label} appears twice")
            numbers.add(rec.number)
            # a national file holds hundreds of thousands of uids: a label is made only for a uid seen twice
            if rec.uid in uids:
                once(rec.uid, rec.label)
            if rec.uid is not None:
                uids.add(rec.uid)
            refs: set[str] = set()
            for position, action in enumerate(rec.actions, start=1):
                ref = action.ref or str(position)
                if ref in refs:
                    raise PlanFileError(f"{source}: {rec.label} › action {ref!r} appears twice")
                refs.add(ref)
                if action.uid in uids:
                    once(action.uid, f"{rec.label} › action {ref!r}")
                if action.uid is not None:
                    uids.add(action.uid)
                for n, (uid, undoes) in enumerate(map(uid_undoes, next(histories)), start=1):
                    if uid is not None:
                        if uid in uids:
                            once(uid, f"{rec.label} › action {ref!r} › history entry {n}")
                        uids.add(uid)
                    if type(undoes) is int and not 1 <= undoes < n:
                        raise PlanFileError(f"{source}: {rec.label} › action {ref!r} › history entry {n} › "
                                            "undoes must name an earlier entry of the same action")
    if not numbers:
        raise PlanFileError(f"{source}: the plan has no recommendations")


_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)


def parse_toml(content: str) -> dict[str, Any]:
    """A plan file's text parsed: by rtoml where it reads it, else by tomli, whose error (with its line and
    column, and RecursionError for deep nesting) is the one a file that fails reports."""
    if rtoml is not None:
        try:
            return rtoml.loads(content)
        except Exception:  # rtoml's messages are worded otherwise: let tomli say what is wrong, and where
            pass
    return tomllib.loads(content)


def read_plan_file(path: Path | str) -> PlanFile:
    """Read and validate one plan file; every failure is a PlanFileError naming file and place."""
    return validate_plan(load_plan_toml(path), str(Path(path)))


def load_plan_toml(path: Path | str) -> dict[str, Any]:
    """Read one plan file's TOML, not yet validated (the first half of `read_plan_file`, which a
    reading process can do ahead of the writer); every failure is a PlanFileError naming file and place."""
    path = Path(path)
    data = read_bounded(path, MAX_FILE_BYTES, what="a plan file", error=PlanFileError)
    if len(data) > MAX_FILE_BYTES:
        raise PlanFileError(f"{path}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                            "a plan file is text")
    for bom, name in _UNICODE_BOMS:
        if data.startswith(bom):
            raise PlanFileError(f"{path}: is {name} text; save it as UTF-8")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise PlanFileError(f"{path}, line {line}: holds a NUL byte; is it a binary file?")
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PlanFileError(f"{path}, line {line}: is not UTF-8 text (byte {exc.start})") from None
    if content.startswith("\ufeff"):
        content = content[1:]
    try:
        raw = parse_toml(content)
    except RecursionError:
        raise PlanFileError(f"{path}: arrays or tables are nested too deeply to be a plan file") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _LINE.search(message)
        if found is None and "(at end of document)" in message:
            end = content.count("\n") + (0 if content.endswith("\n") else 1)
            message = message.replace("(at end of document)", f"at the end of the file (at line {end}, column 1)")
            found = _LINE.search(message)
        reason = _LINE.sub("", message).strip().rstrip(".")
        where = f", line {found.group(1)}, column {found.group(2)}" if found else ""
        raise PlanFileError(f"{path}{where}: TOML syntax error: {reason[:1].lower()}{reason[1:]}") from None
    return raw
