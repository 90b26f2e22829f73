"""The `actiontrack` command: opens the screen, or runs one subcommand on the database.

Every failure the user can cause (a bad file, a damaged or locked database, an unknown reference)
ends with one sentence on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

from store.collector import CollectorPaused
from store.errors import StoreError
from store.text import (
    agreement_words,
    counted,
    describe_change,
    one_line,
    recommendation_number,
    status_word,
    visible,
    visible_line,
)

if TYPE_CHECKING:
    from store.db import Database
    from store.lists import ActionRow
    from store.planfile import PlanFile
    from store.run import Run

T = TypeVar("T")

# Every subcommand, in the order --help lists them.
COMMANDS = ("import", "export", "draft", "check", "owners", "due", "overdue", "plan", "status", "tick", "note",
            "revise", "undo", "show", "report", "sync", "logins", "generate")
EXIT_ERROR = 1
EXIT_USAGE = 2
# Commands that only read the database (a file that may not be written still serves them).
READ_COMMANDS = ("export", "owners", "due", "overdue", "show", "report")  # and `plan list`
# Of those, the ones that skip the whole-file quick_check at open (~150 ms at 100,000 actions): a damaged
# page their queries meet fails the query, which ends the command with one sentence; damage elsewhere is
# reported by the next writing command or the screen's check after its first paint. `show` reads one action
# and its history, little enough to miss damage a sample database's tests put in the middle: it keeps the check.
UNCHECKED_COMMANDS = ("export", "owners", "due", "overdue", "report")
# Of those, the ones that read a database file without importing SQLAlchemy when they can (store.fastread).
FAST_COMMANDS = ("owners", "due", "overdue")
# Commands run with the garbage collector off from start to end (see main): the reading commands, which make
# little garbage, and `import`, whose reading and writing hold the collector off anyway (store.importing).
UNCOLLECTED_COMMANDS = (*FAST_COMMANDS, "import")
STATUS_WORDS = {"complete": "complete", "ongoing": "ongoing", "not-started": "not_started"}


class Read(Protocol):
    """Runs a function of `store.reads`' Run in one unit of reading, on one of the two paths."""

    def __call__(self, fn: Callable[[Run], T], /) -> T: ...


def _today(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2023-09-15") from None


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2023-07") from None
    return year, month


class _Refused(Exception):
    """A command line that a parser of only some subcommands does not take."""


class _PartialParser(argparse.ArgumentParser):
    """A parser of only the subcommands a command line names: what it refuses, the whole parser says (its
    messages and help name every command)."""

    def error(self, message: str) -> NoReturn:
        raise _Refused(message)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line parsed. Only the subcommands it names are built (all 18 take ~10 ms, a tenth of a
    reading command); help, and anything refused, goes to the parser of every command."""
    given = sys.argv[1:] if argv is None else list(argv)
    if not any(arg.startswith(("-h", "--h")) for arg in given):
        try:
            return build_parser(only=[arg for arg in given if arg in COMMANDS]).parse_args(given)
        except _Refused:
            pass
    return build_parser().parse_args(given)


def build_parser(only: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command line: global options, then an optional subcommand (of `only`'s, if given: a parser with
    fewer subcommands is quicker to build, and parses a command line naming one of them the same way)."""

    def want(command: str) -> bool:
        return only is None or command in only

    parser = (argparse.ArgumentParser if only is None else _PartialParser)(
        prog="actiontrack",
        description="Follow up inspection action plans: your actions, what is due, what is overdue. "
        "With no subcommand, opens the screen.",
    )
    parser.add_argument("--db", help="the database file (default: in your data directory), or a shared server's "
                        "postgresql://USER@HOST:PORT/DBNAME (also from ACTIONTRACK_DB)")
    parser.add_argument("--today", type=_today, help="take this date (YYYY-MM-DD) as today")
    parser.add_argument("--owner", help="whose actions to show in the screen ('everyone' for all)")
    parser.add_argument("--theme", help="the screen's theme: dark, light or high-contrast")
    parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    if want("import"):
        p = sub.add_parser("import", help="import plan files (TOML); all are checked before any is written")
        p.add_argument("files", nargs="+", type=Path, metavar="FILE")
        p.add_argument("--dry-run", action="store_true", help="print what the import would do; write nothing")
        p.add_argument("--mapping", type=Path, action="append", default=[], metavar="MAPFILE",
                       help="confirm how a revised plan's actions map onto the stored ones (the file an import "
                            "that was not certain wrote)")

    if want("export"):
        p = sub.add_parser("export", help="write plans as TOML with statuses and history")
        p.add_argument("--plan", help="the plan's id (default: every plan, one file each, into -o FOLDER)")
        p.add_argument("-o", "--output", type=Path, help="the file (or, for every plan, the folder) to write")

    if want("draft"):
        p = sub.add_parser("draft", help="draft a plan file from a published action plan (.docx or its PDF's text)")
        p.add_argument("document", type=Path, metavar="DOCUMENT")
        p.add_argument("-o", "--output", type=Path, metavar="PLAN.toml",
                       help="write the draft here (default: print it)")
        p.add_argument("--id", dest="plan_id", metavar="ID",
                       help="the plan's id: lower-case letters, digits, hyphens (default: from the region and year)")
        p.add_argument("--diff", type=Path, metavar="PLAN.toml",
                       help="compare the draft with this plan file, action by action")
        p.add_argument("--diff-stored", metavar="ID", help="compare the draft with plan ID as stored in the database "
                       "(exported, then compared as files)")

    if want("check"):
        p = sub.add_parser("check", help="validate plan files and show how each target date was read")
        p.add_argument("files", nargs="+", type=Path, metavar="FILE")
        p.add_argument("--json", action="store_true", help="print JSON for machines")

    if want("owners"):
        p = sub.add_parser("owners", help="list owners with their number of open actions")
        p.add_argument("--json", action="store_true", help="print JSON (schema 1, see the README)")

    if want("due"):
        p = sub.add_parser("due", help="actions due in a month (default: this month)")
        p.add_argument("--owner", dest="sub_owner", metavar="OWNER", help="one owner's ('everyone' for all)")
        p.add_argument("--month", type=_month, metavar="YYYY-MM")
        _status_filter(p)
        _include_closed(p)
        p.add_argument("--json", action="store_true", help="print JSON (schema 1, see the README)")

    if want("overdue"):
        p = sub.add_parser("overdue", help="actions past their deadline, or with missed periods, and not complete")
        p.add_argument("--owner", dest="sub_owner", metavar="OWNER", help="one owner's ('everyone' for all)")
        _status_filter(p)
        _include_closed(p)
        p.add_argument("--json", action="store_true", help="print JSON (schema 1, see the README)")

    if want("plan"):
        p = sub.add_parser("plan", help="list plans, close a plan once it is signed off, or reopen it")
        p.add_argument("what", choices=("list", "close", "reopen"))
        p.add_argument("plan_id", nargs="?", metavar="ID", help="the plan's id, e.g. cgm-2019")
        p.add_argument("--note", default="",
                       help="close: what signed the plan off (required); @FILE reads it from a file")

    if want("status"):
        p = sub.add_parser("status", help="set an action complete, ongoing or not started")
        p.add_argument("reference", metavar="REF", help="e.g. gm-2023/6/2")
        p.add_argument("status", choices=sorted(STATUS_WORDS))
        p.add_argument("--note", default="", help="e.g. the evidence; @FILE reads it from a text file")

    if want("tick"):
        p = sub.add_parser("tick", help="tick off this month's occurrence of a recurring action")
        p.add_argument("reference", metavar="REF")
        p.add_argument("--month", type=_month, metavar="YYYY-MM", help="another month's occurrence")
        p.add_argument("--note", default="", help="e.g. the evidence; @FILE reads it from a text file")

    if want("note"):
        p = sub.add_parser("note", help="add a note (e.g. evidence) to an action")
        p.add_argument("reference", metavar="REF")
        p.add_argument("text", help="the note; @FILE reads it (several lines, links kept as written) from a text file")

    if want("revise"):
        p = sub.add_parser("revise", help="revise an action's target date, with the reason (the original is kept)")
        p.add_argument("reference", metavar="REF")
        p.add_argument("target", metavar="TARGET", help="the new target as a plan writes it, e.g. 'March 2025'")
        p.add_argument("--reason", required=True, help="why the target moved (required)")

    if want("undo"):
        p = sub.add_parser("undo", help="undo your last change (of one action, if REF is given)")
        p.add_argument("reference", nargs="?", metavar="REF")

    if want("show"):
        p = sub.add_parser("show", help="show one action in full, with its history")
        p.add_argument("reference", metavar="REF")
        p.add_argument("--json", action="store_true", help="print JSON (schema 1, see the README)")

    if want("report"):
        p = sub.add_parser("report", help="a progress report for the governance meeting: xlsx, csv, md or html")
        p.add_argument("--plan", action="append", default=[], metavar="ID",
                       help="a plan to report on (repeat for several; default: every plan)")
        p.add_argument("--owner", dest="sub_owner", metavar="OWNER",
                       help="whose actions ('everyone' for all; default: the owner you chose)")
        p.add_argument("--as-of", type=_today, metavar="DATE", help="the date the report speaks for (default: today)")
        p.add_argument("--since", type=_today, metavar="DATE", help="also list every change from this date on")
        p.add_argument("--format", choices=("xlsx", "csv", "md", "html"), help="default: from -o's suffix")
        p.add_argument("-o", "--output", type=Path, metavar="FILE", help="the file to write (csv, md and html: "
                       "standard output if not given)")
        _include_closed(p)
        p.add_argument("--json", action="store_true", help="print the summary as JSON (schema 1) instead of a report")

    if want("sync"):
        p = sub.add_parser("sync", help="exchange changes with the region's server: send yours, receive the rest")
        p.add_argument("--server", metavar="URL", help="postgresql://USER@HOST:PORT/DBNAME (default: the config's "
                       "server, else the last one synced with)")

    if want("logins"):
        p = sub.add_parser("logins", help="on a server: which owner roles each login holds (the region's lead)")
        p.add_argument("what", choices=("list", "add", "remove"))
        p.add_argument("login", nargs="?", metavar="LOGIN", help="the database login")
        p.add_argument("owner", nargs="?", metavar="OWNER", help="an owner role, as `owners` lists it")
        p.add_argument("--lead", action="store_true", help="add: the login may import plans and keep this list")

    if want("generate"):
        p = sub.add_parser("generate",
                           help="make a synthetic national data set (made-up plans) to try out or benchmark")
        p.add_argument("--actions", type=_count, default=1000, metavar="N", help="how many actions (default 1000)")
        p.add_argument("--seed", type=int, default=1, help="the same seed gives the same data (default 1)")
        p.add_argument("-o", "--output", type=Path, metavar="FOLDER", help="write one plan file per plan into FOLDER")
        p.add_argument("--db", dest="sub_db", type=Path, metavar="FILE", help="save straight into this new database")
    return parser


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _generate(actions: int, seed: int, output: Path | None, db_path: Path | None) -> int:
    from store import generate

    if output is None and db_path is None:
        raise StoreError("say where to put the data set: -o FOLDER for plan files, --db FILE for a database")
    if output is not None:
        paths = generate.write_plan_files(output, actions, seed)
        print(f"wrote {len(paths)} plan files ({actions} actions) into {output}")
    if db_path is not None:
        from store.db import open_database

        db = open_database(db_path)
        try:
            results = generate.generate_into(db, actions, seed)
        finally:
            db.dispose()
        print(f"saved {len(results)} plans ({actions} actions) into {db_path}")
    return 0


def main(argv: Sequence[str] | None = None, *, exiting: bool = False) -> int:
    """Entry point: run and turn every expected failure into one line and an exit code. `exiting`: the process
    ends when this returns (`tui.entry`)."""
    args = parse_args(argv)
    if args.command not in UNCOLLECTED_COMMANDS:
        return _main(args)
    # The collector's passes over the objects of the modules these commands import free nothing: a tenth of a
    # reading command's time. Exiting, what is left (its connection closed) is frozen: the exit frees it without
    # a last full collection (about 0.2 s after a national import).
    with CollectorPaused(freeze=exiting):
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except StoreError as exc:
        print(f"actiontrack: {visible_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file given on the command line: say which and why
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"actiontrack: {visible_line(f'{where}{exc.strerror or exc}')}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # an SQLite failure mid-command: say it, keep data as it was
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            from store.config import default_db_path, is_server_url
            from store.db import describe_sqlite_error
            from store.server import display_url
            from store.server import problem as server_problem

            target = str(args.db or default_db_path())
            said = (str(server_problem(display_url(target), exc)) if is_server_url(target)
                    else describe_sqlite_error(Path(target), exc))
            print(f"actiontrack: {visible_line(said)}", file=sys.stderr)
            return EXIT_ERROR
        raise


def _run(args: argparse.Namespace) -> int:
    command = args.command
    if command == "check":
        return _check(args.files, as_json=args.json)
    if command == "draft":
        return _draft(args.document, args.output, args.plan_id, args.diff, _as_path(args.db), args.diff_stored)
    if command == "generate":
        return _generate(args.actions, args.seed, args.output, args.sub_db or _as_path(args.db))
    from store.config import load_config

    config = load_config()
    today = args.today or date.today()
    if command is None:
        # the screen's modules (Textual's, ours) make ~70,000 objects that live as long as it: loaded with the
        # collector off, and kept out of its passes, which found nothing to free among them
        with CollectorPaused(freeze=True):
            try:
                from tui.app import run_app
            except ModuleNotFoundError as exc:
                if exc.name not in ("tui.app", "textual") and not str(exc.name).startswith("textual."):
                    raise
                raise StoreError(f"the screen cannot start here ({exc.name} is missing); the subcommands work: "
                                 "see actiontrack --help") from None

        theme = None
        if args.theme is not None:
            from themes import theme_name

            try:
                theme = theme_name(args.theme)
            except ValueError as exc:
                raise StoreError(str(exc)) from None
        return run_app(db_path=_db_path(args.db), today=today, owner=args.owner,
                       theme=theme, config=config)
    path = _db_path(args.db)
    if command == "sync":
        from tui.sync_command import run_sync

        return run_sync(path, args.server)
    if command == "plan":
        from tui.plan_command import run_plan

        return run_plan(_open(path, read_only=args.what == "list"), args.what, args.plan_id,
                        _note_text(args.note), by=config.by)
    if command == "logins":
        from tui.sync_command import run_logins

        return run_logins(path, args.what, args.login, args.owner, lead=args.lead)
    if command == "import":  # all files or none; a failed import into a new file leaves no file behind
        return _import(path, args.files, mappings=args.mapping, dry_run=args.dry_run, by=config.by)
    if command in FAST_COMMANDS and isinstance(path, Path):
        done = _read_fast(path, args, config.owner, today)
        if done is not None:
            return done
    db = _open(path, read_only=command in READ_COMMANDS, check=command not in UNCHECKED_COMMANDS)
    try:
        if command in FAST_COMMANDS:
            return _read_command(_reading(db), args, config.owner, today)
        if command == "export":
            return _export(db, args.plan, args.output)
        if command == "show":
            return _show(db, args.reference, today, as_json=args.json)
        if command == "report":
            owner = args.sub_owner or args.owner or config.owner or "everyone"
            return _report(db, args, owner, args.as_of or today, db.path)
        return _change(db, args, config.by, today)
    finally:
        db.dispose()


def _reading(db: Database) -> Read:
    """Reading through sqlmodel: each function runs in one session (SQLite or a server)."""
    def read(fn: Callable[[Run], T], /) -> T:
        from store.queries import runner

        with db.read() as session:
            return fn(runner(session))

    return read


def _read_fast(path: Path, args: argparse.Namespace, chosen: str | None, today: date) -> int | None:
    """Run a reading command on the stored SQL with sqlite3 (no SQLAlchemy to import); None if this file
    must be read the full way (missing, at another schema version, damaged, locked ...: see store.fastread).
    Nothing is printed until every read is done, so a command given up here prints only once."""
    from store.fastread import Unavailable, reading

    try:
        with reading(path) as reader:
            return _read_command(lambda fn: fn(reader), args, chosen, today)
    except Unavailable:
        return None


def _read_command(read: Read, args: argparse.Namespace, chosen: str | None, today: date) -> int:
    """`owners`, `due` or `overdue`, the same on either path."""
    if args.command == "owners":
        return _owners(read, as_json=args.json)
    owner = args.sub_owner or args.owner or chosen or "everyone"
    month = args.month if args.command == "due" else None
    return _due(read, today, owner, month, overdue_only=args.command == "overdue", as_json=args.json,
                statuses=args.status or (), include_closed=args.include_closed)


def _as_path(given: str | None) -> Path | None:
    return None if given is None else Path(given)


DB_ENV = "ACTIONTRACK_DB"


def _db_path(given: str | None) -> Path | str:
    """The database: --db, else ACTIONTRACK_DB, else the default file in the data folder (made on first
    run). A server's URL is returned as it is; a file's folder must exist (a typo must not make a new
    database elsewhere)."""
    import os

    from store.config import default_db_path, is_server_url

    given = given or os.environ.get(DB_ENV) or None
    if given is None:
        return default_db_path()
    if is_server_url(given):
        return given
    path = Path(given).expanduser()
    if not path.parent.is_dir():
        raise StoreError(f"the folder {path.parent} of --db {path} does not exist; create it first, or check the path")
    return path


def _open(path: Path | str, *, read_only: bool, check: bool = True) -> Database:
    """Open the database; a new one is made from the sample plans (built beside, put in place whole).

    With check=False (a reading command only) the whole-file quick_check is skipped: a damaged page
    the command's queries meet still ends it with one sentence, and nothing is written to an unchecked
    file (open_database checks it before an upgrade). Commands that write keep the check. Neither
    writes a schema into a file that holds none (an empty file, another program's empty database)."""
    from store.db import open_database

    if isinstance(path, str):  # a shared server: reading commands never make its schema
        from store.server import open_server

        return open_server(path, init=not read_only)
    if path.exists():
        return open_database(path, read_only=read_only and not _writable(path), check=check, init=False)
    from store.importing import open_or_create

    return open_or_create(path)


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _import(path: Path | str, files: Sequence[Path], *, mappings: Sequence[Path], dry_run: bool, by: str) -> int:
    """Import the files in one transaction. They are read while the plans before them are written (a
    national import: 100,000 actions in seconds, a few plans in memory at a time), so a bad file is met
    after the database is opened: everything is rolled back. A new database is built beside its path
    and put in place only whole, and only if nobody made a file there meanwhile."""
    from store.changeset import preview
    from store.importing import UncertainImport, import_plan_files, preview_plan_files
    from store.matching import read_mapping
    from store.planfile import read_plan_file

    for file in files:  # a missing file, a folder or a FIFO is refused at once, before anything is opened
        if not file.is_file():
            read_plan_file(file)
    answers = [read_mapping(m) for m in mappings]
    try:
        with _import_target(path, dry_run=dry_run) as db:
            if dry_run:
                sets = preview_plan_files(db, files, mappings=answers)
            else:
                results = import_plan_files(db, files, mappings=answers, by=by)
        if dry_run:
            for changes in sets:
                print(visible("\n".join(preview(changes))))
            print("dry run: nothing was written")
            return 0
    except UncertainImport as exc:
        print(f"actiontrack: {visible_line(str(exc))}", file=sys.stderr)
        for changes in exc.changes:
            for line in preview(changes)[1:]:
                print(visible(line), file=sys.stderr)
            written = _write_mapping(Path(changes.source), exc.mapping(changes))
            if written is None:
                print("  (the proposed mapping could not be written beside the file; see --dry-run)", file=sys.stderr)
            else:
                print(visible(f"  proposed mapping written to {written}: check it, then run: actiontrack import "
                              f"--mapping {written} {changes.source}"), file=sys.stderr)
        return EXIT_ERROR
    for result in results:
        print(visible(result.summary()))
        for flagged in result.flagged_targets:
            print(f"  warning: target not understood, no due date: {visible(flagged)}")
    return 0


@contextmanager
def _import_target(path: Path | str, *, dry_run: bool) -> Iterator[Database]:
    """The database an import writes: a server; an existing file; or a new file, built beside its path
    and put in place whole (for a dry run, built and thrown away)."""
    from store.db import create_atomically, open_database

    db: Database
    if isinstance(path, str):
        from store.server import open_server

        db = open_server(path)
    elif path.exists():
        db = open_database(path, init=False)
    else:
        with create_atomically(path, keep=not dry_run) as made:
            yield made
        return
    try:
        yield db
    finally:
        db.dispose()


def _write_mapping(plan_path: Path, text: str) -> Path | None:
    """Write a proposed mapping beside the plan file, never over another file; its path, or None."""
    import os

    for n in range(1, 100):
        target = plan_path.with_name(f"{plan_path.stem}.mapping{'' if n == 1 else f'-{n}'}.toml")
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                if target.read_text(encoding="utf-8") == text:
                    return target  # the same proposal as last time
            except (OSError, UnicodeDecodeError):
                pass
            continue
        except OSError:
            return None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return target
    return None


def _export(db: Database, plan: str | None, output: Path | None) -> int:
    from store.exporting import export_toml
    from store.queries import plan_ids

    with db.read() as session:
        ids = [plan] if plan else list(plan_ids(session))
        texts = {plan_id: export_toml(session, plan_id) for plan_id in ids}
    if plan:
        if output is None:
            sys.stdout.write(texts[plan])
        else:
            _refuse_overwrite(output, db.path)
            _write_text(output, texts[plan])
        return 0
    if output is None:
        if len(texts) == 1:
            sys.stdout.write(next(iter(texts.values())))
            return 0
        raise StoreError("there are several plans: name one with --plan, or a folder with -o to write them all")
    if output.exists() and not output.is_dir():
        raise StoreError(f"{output} is a file: to export every plan, give a folder with -o (or one plan with --plan)")
    for plan_id in texts:
        _refuse_overwrite(output / f"{plan_id}.toml", db.path)
    from store.files import private_folder

    try:
        private_folder(output)
    except OSError as exc:
        raise StoreError(f"cannot make the folder {output}: {exc.strerror or exc}") from None
    for plan_id, text in texts.items():
        _write_text(output / f"{plan_id}.toml", text)
        print(f"wrote {output / f'{plan_id}.toml'}")
    return 0


def _refuse_overwrite(path: Path, db_path: Path) -> None:
    """An export replaces only an earlier export: never the database, another SQLite file, or any other file."""
    from store.exporting import is_plan_export
    from store.files import refuse_to_overwrite

    def ours(found: Path) -> bool:
        with found.open("rb") as fh:
            return is_plan_export(fh.read(64))

    refuse_to_overwrite(path, database=db_path, ours=ours, kind="a plan export")


def _write_text(path: Path, text: str) -> None:
    from store.files import write_atomically

    write_atomically(path, text.encode("utf-8"))


def _draft(document: Path, output: Path | None, plan_id: str | None, against: Path | None,
           db_path: Path | None, stored: str | None = None) -> int:
    """Draft a plan file from a published plan; print it, write it (-o) or compare it (--diff)."""
    from store.drafting import draft_plan
    from store.drafting.writing import draft_dict, draft_toml
    from store.planfile import PlanFileError, read_plan_file, validate_plan

    if output is not None:
        _refuse_to_overwrite(output, db_path)
    if against is not None and stored is not None:
        raise StoreError("compare with one plan: --diff FILE or --diff-stored ID, not both")
    old = read_plan_file(against) if against is not None else None
    old_name = str(against)
    if stored is not None:
        old, old_name = _stored_plan(db_path, stored), f"{stored} (stored)"
    draft = draft_plan(document, plan_id)
    text = draft_toml(draft, document.name)
    try:
        new = validate_plan(draft_dict(draft), f"the draft of {document}")
    except PlanFileError as exc:
        raise StoreError(f"{exc}; nothing was written") from None
    actions = draft.actions()
    summary = (f"{len(new.addressees)} addressees, {sum(len(a.recommendations) for a in new.addressees)} "
               f"recommendations, {len(actions)} actions; {draft.to_check()} need a look (note = \"check: ...\")")
    if old is not None:
        from store.drafting.diffing import describe_diff, diff_plans

        for line in describe_diff(diff_plans(old, new), old_name, f"draft of {document}"):
            print(visible(line))
    if output is not None:
        _write_text(output, text)
        print(visible(f"wrote {output}: {summary}"))
    elif old is None:
        sys.stdout.write(visible(text))
        print(visible(f"{document}: {summary}"), file=sys.stderr)
    return 0


def _stored_plan(db_path: Path | None, plan_id: str) -> PlanFile:
    """A plan as stored, exported to plan-file text and read back like any plan file."""
    import tomllib  # the standard library's: one small exported plan

    from store.config import default_db_path
    from store.exporting import export_toml
    from store.planfile import validate_plan

    path = db_path or default_db_path()
    if not path.exists():
        raise StoreError(f"{path}: no such database, so no stored plan {plan_id!r} to compare with")
    db = _open(path, read_only=True)
    try:
        with db.read() as session:
            text = export_toml(session, plan_id)
    finally:
        db.dispose()
    return validate_plan(tomllib.loads(text), f"stored plan {plan_id}")


def _refuse_to_overwrite(output: Path, db_path: Path | None) -> None:
    """-o writes a new file or replaces a plan file (an earlier draft); never a database or any other file."""
    from store.files import refuse_to_overwrite
    from store.planfile import PlanFileError, read_plan_file

    def ours(found: Path) -> bool:
        try:
            read_plan_file(found)
        except PlanFileError:
            return False
        return True

    refuse_to_overwrite(output, database=db_path, ours=ours, kind="a plan file")


def _check(files: list[Path], *, as_json: bool) -> int:
    from store.owners import owner_label
    from store.planfile import PlanFileError, read_plan_file
    from store.reading import owner_warnings, read_actions

    report: list[dict[str, Any]] = []
    failed = False
    for path in files:
        try:
            plan = read_plan_file(path)
        except PlanFileError as exc:
            failed = True
            report.append({"file": str(path), "ok": False, "error": str(exc)})
            if not as_json:
                print(f"actiontrack: {visible_line(str(exc))}", file=sys.stderr)
            continue
        readings = list(read_actions(plan))
        actions = []
        for one in readings:
            reading = one.target
            actions.append({
                "reference": one.reference,
                "owners": [owner_label(o.name, o.region, o.organisation) for o in one.owners],
                "target": reading.written, "kind": reading.kind.value,
                "deadline": reading.deadline.isoformat() if reading.deadline else None,
                "start": reading.start.isoformat() if reading.start else None,
                "every_months": reading.every_months, "caveat": reading.caveat,
                "checkpoints": [d.isoformat() for d in reading.checkpoints],
                "first_status": one.first_status, "reading": reading.describe(),
                "flagged": reading.flagged,
            })
        flagged = sum(bool(a["flagged"]) for a in actions)
        checks = _check_notes(plan)
        warnings = owner_warnings(readings)
        report.append({"file": str(path), "ok": True, "plan": plan.plan.id, "actions": actions, "flagged": flagged,
                       "checks": [{"place": place, "note": note} for place, note in checks], "warnings": warnings})
        if not as_json:
            recs = sum(len(a.recommendations) for a in plan.addressees)
            print(visible(f"{path}: plan {plan.plan.id}, {recs} recommendations, {len(actions)} actions, "
                          f"{flagged} target(s) not understood"))
            width = max((len(str(a["reference"])) for a in actions), default=0)
            for a in actions:
                mark = "  ! " if a["flagged"] else "    "
                print(visible(f"{mark}{a['reference']:<{width}}  {a['target']!r} → {a['reading']}"))
            for warning in warnings:
                print(visible(f"  warning: {warning}"))
            if checks:
                print(visible(f"{counted(len(checks), 'note')} to check:"))
                for place, note in checks:
                    print(visible(f"  {place}: {note}"))
    if as_json:
        import json

        from store.text import escape_raw_controls

        # JSON escapes C0 controls itself; C1 and bidi controls are escaped the same way (\\uXXXX)
        sys.stdout.write(escape_raw_controls(json.dumps(report, indent=2, ensure_ascii=False)) + "\n")
    return EXIT_ERROR if failed else 0


def _check_notes(plan: PlanFile) -> list[tuple[str, str]]:
    """Every note of the plan that starts "check:" (left by `draft` where its reading is uncertain)."""
    found: list[tuple[str, str]] = []
    if plan.plan.notes.lstrip().lower().startswith("check:"):
        found.append((f"plan {plan.plan.id}", plan.plan.notes.strip()))
    for addressee in plan.addressees:
        for rec in addressee.recommendations:
            if rec.note.lstrip().lower().startswith("check:"):
                found.append((f"{plan.plan.id}/{rec.number}", rec.note.strip()))
            for position, action in enumerate(rec.actions, start=1):
                if action.note.lstrip().lower().startswith("check:"):
                    found.append((f"{plan.plan.id}/{rec.number}/{action.ref or position}", action.note.strip()))
    return found


def _owners(read: Read, *, as_json: bool) -> int:
    from store.lists import owners

    rows = read(owners)
    if as_json:
        from store import jsonview

        sys.stdout.write(jsonview.dumps("owners", owners=[jsonview.owner_count(row) for row in rows]))
        return 0
    width = max((len(r.label) for r in rows), default=5)
    print(f"{'OWNER':<{width}}  OPEN  ALL")
    for row in rows:
        print(visible(f"{row.label:<{width}}  {row.open:>4}  {row.total:>3}"))
    return 0


def _owner_id(read: Read, owner: str) -> tuple[int | None, str]:
    if owner.strip().casefold() in ("everyone", "all", "*"):
        return None, "everyone"
    from store.lists import find_owner_row, row_label

    found = read(lambda run: find_owner_row(run, owner))
    return found.id, row_label(found)


def _include_closed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--include-closed", action="store_true",
                        help="closed plans' actions too (`actiontrack plan list` shows which are closed)")


def _status_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", action="append", choices=sorted(STATUS_WORDS), metavar="STATUS",
                        help="only actions of this status (complete, ongoing, not-started); repeat for several")


def _due(read: Read, today: date, owner: str, month: tuple[int, int] | None, *, overdue_only: bool,
         as_json: bool, statuses: Sequence[str] = (), include_closed: bool = False) -> int:
    from store.lists import due_in_month, overdue

    owner_id, label = _owner_id(read, owner)
    if overdue_only:
        rows = read(lambda run: overdue(run, today, owner_id, include_closed=include_closed))
        title = f"Overdue on {today.day} {today:%B %Y}"
    else:
        year, mon = month or (today.year, today.month)
        rows = read(lambda run: due_in_month(run, year, mon, today, owner_id, include_closed=include_closed))
        title = f"Due in {date(year, mon, 1):%B %Y}"
    only = ""
    if statuses:
        wanted = {STATUS_WORDS[word] for word in statuses}
        rows = [row for row in rows if row.status in wanted]
        only = " · " + " or ".join(dict.fromkeys(statuses)).replace("-", " ")
    if as_json:
        from store import jsonview

        where = {} if overdue_only else {"month": f"{year:04d}-{mon:02d}"}
        sys.stdout.write(jsonview.dumps("overdue" if overdue_only else "due", today=today, owner=label, **where,
                                        actions=[jsonview.action_row(row) for row in rows]))
        return 0
    print(visible(f"{title} · {label}{only} · {counted(len(rows), 'action')}"))
    _print_rows(rows)
    return 0


def _report(db: Database, args: argparse.Namespace, owner: str, as_of: date, db_path: Path) -> int:
    from store.files import atomic_file
    from store.queries import View
    from store.reports import ReportScope, build_report, format_for, write_report
    from store.reports.output import check_target

    output: Path | None = args.output
    if args.json and (output is not None or args.format):
        raise StoreError("--json prints the report's summary: leave out -o and --format")
    fmt = "json" if args.json else format_for(output, args.format)
    if output is None and fmt == "xlsx":
        raise StoreError("an xlsx report needs a file: give -o REPORT.xlsx")
    if output is not None:
        check_target(output, fmt, db_path)
    owner_id, label = _owner_id(_reading(db), owner)
    # a plan named with --plan is reported on even when it is closed
    scope = ReportScope(as_of=as_of, plan_ids=tuple(dict.fromkeys(args.plan)), owner_label=label, since=args.since,
                        view=View(owner_id=owner_id, include_closed=args.include_closed or bool(args.plan)))
    if args.json:
        from store import jsonview

        with db.read() as session:
            report = build_report(session, scope)
        sys.stdout.write(jsonview.dumps("report", **jsonview.report_summary(report)))
        return 0
    if output is None:
        with db.read() as session:
            write_report(session, scope, fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return 0
    with db.read() as session, atomic_file(output) as fh:
        written = write_report(session, scope, fmt, fh)
    print(visible(f"wrote {output}: {written.action_count} actions, {len(written.plans)} plans ({fmt})"))
    return 0


def _print_rows(rows: list[ActionRow]) -> None:

    if not rows:
        return
    import shutil

    width = shutil.get_terminal_size((120, 24)).columns
    ref_w = max(len(r.reference) for r in rows)
    for row in rows:
        head = f"  {row.reference:<{ref_w}}  {status_word(row.status):<11}  "
        missed = f" · {row.missed} missed" if row.missed else ""
        target = one_line(row.target or "(no date)", 40 - len(missed)) + missed
        line = f"{head}{target:<40}  "
        print(line + one_line(row.text, max(width - len(line), 20)))


def _show(db: Database, reference: str, today: date, *, as_json: bool) -> int:
    from store.commands import find_action
    from store.queries import action_detail

    with db.read() as session:
        action = find_action(session, reference)
        assert action.id is not None
        detail = action_detail(session, action.id, today)
    if as_json:
        from store import jsonview

        sys.stdout.write(jsonview.dumps("show", action=jsonview.action_detail(detail)))
        return 0
    a = detail.action
    lines = [
        f"{a.reference}  [{status_word(a.status)}]" + ("  (withdrawn from the plan)" if detail.withdrawn else ""),
        f"Plan:           {detail.plan_title} ({detail.plan_id})",
        f"Addressee:      {detail.addressee}",
        f"Recommendation: {recommendation_number(detail.recommendation_number)} "
        f"({agreement_words(detail.agreement, detail.inferred)}) "
        f"{detail.recommendation_text}",
        f"Owners:         {a.owners}",
        *([f"  as written:   {'; '.join(detail.owners_written)}"]
          if detail.owners_written and "; ".join(detail.owners_written) != a.owners else []),
        f"Target:         {a.target!r} → {a.target_reading}",
        *([f"  revised {detail.revision.count}×: first agreed {detail.revision.original!r}; "
           f"reason: {detail.revision.reason}"] if detail.revision is not None else []),
        "",
        a.text,
    ]
    for label, value in (("Progress", detail.progress), ("Completed", detail.completed), ("Review", detail.review)):
        if value:
            lines.append(f"{label + ':':<16}{value}")
    if detail.note:
        lines += ["", f"Transcription note: {detail.note}"]
    if detail.ticked:
        lines += ["", "Ticked off: " + ", ".join(detail.ticked)]
    evidence = [h for h in detail.history if h.note and not h.undone and h.kind != "target"]
    if evidence:
        lines += ["", "Evidence (newest first):"]
        for h in reversed(evidence):
            lines.append(f"  {h.at:%Y-%m-%d %H:%M} {h.by}:")
            lines += [f"    {line}" for line in h.note.splitlines()]
    if detail.history:
        lines += ["", "History:"]
        for h in detail.history:
            what = describe_change(h.kind, h.from_status, h.to_status, h.period, h.from_target, h.to_target)
            undone = " (undone)" if h.undone else ""
            note = f" — {one_line(h.note, 80)}" if h.note else ""
            where = f" · on {h.origin}" if h.origin else ""
            lines.append(f"  {h.at:%Y-%m-%d %H:%M} {h.by}: {what}{undone}{note}{where}")
    print(visible("\n".join(lines)))
    return 0


def _note_text(given: str) -> str:
    """A note as given: `@FILE` is the text of that file (UTF-8), `@@...` a note that starts with '@'."""
    if given.startswith("@@") or not given.startswith("@"):
        return given[1:] if given.startswith("@@") else given
    path = Path(given[1:]).expanduser()
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise StoreError(f"the note file {path} is not UTF-8 text; save it as UTF-8 (plain text)") from None
    except OSError as exc:
        raise StoreError(f"cannot read the note file {path}: {exc.strerror or exc}") from None


def _change(db: Database, args: argparse.Namespace, by: str, today: date) -> int:
    """Make one change; say so only once it is committed."""
    from store import commands
    from store.models import Action
    from store.targets import Status

    for name in ("note", "text"):
        if isinstance(getattr(args, name, None), str):
            setattr(args, name, _note_text(getattr(args, name)))

    with db.write() as session:
        if args.command == "undo":
            action_id = commands.find_action(session, args.reference).id if args.reference else None
            change = commands.undo_last(session, by=by, action_id=action_id)
            action = session.get(Action, change.action_id)
            assert action is not None
            said = f"{action.reference}: undone; " + (f"its target is {one_line(action.target, 60)!r} again"
                                                       if change.to_target is not None
                                                       else f"it is {status_word(action.status)}")
        else:
            action = commands.find_action(session, args.reference)
            assert action.id is not None
            if args.command == "status":
                status = Status(STATUS_WORDS[args.status])
                if action.status == status and args.note.strip():  # the evidence is kept all the same
                    commands.add_note(session, action.id, args.note, by=by)
                    said = f"{action.reference}: already {args.status.replace('-', ' ')}; note added"
                else:
                    commands.set_status(session, action.id, status, by=by, note=args.note)
                    said = f"{action.reference}: {args.status.replace('-', ' ')}"
            elif args.command == "revise":
                from store.revising import revise_target

                revise_target(session, action.id, args.target, reason=args.reason, by=by)
                session.refresh(action)
                said = (f"{action.reference}: target revised to {one_line(action.target, 60)!r} "
                        f"(read as {action.target_reading})")
            elif args.command == "tick":
                year, month = args.month or (today.year, today.month)
                period = f"{year:04d}-{month:02d}"
                commands.tick_occurrence(session, action.id, period, by=by, note=args.note)
                said = f"{action.reference}: {period} ticked off"
            else:
                commands.add_note(session, action.id, args.text, by=by)
                said = f"{action.reference}: note added"
    print(visible(said))
    return 0
