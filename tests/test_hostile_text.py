"""Hostile text: plan text holding markup, terminal escapes and control characters is stored as
written and shown as plain, visible text; no raw control byte ever reaches the terminal, and no
markup is ever interpreted, in the CLI or in the screen."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers.cli import Run, run_inprocess, run_process
from helpers.screen import settle

from store.config import Config, config_path
from store.planfile import read_plan_file
from store.text import escape_raw_controls, one_line, visible, visible_line

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile.toml"
TODAY = "2023-09-15"
EVIL_USER = "\x1b[31mevil [b]user[/b]\x07"
EVIL_NOTE = "Evidence \x1b]0;pwned\x07 [@click=app.quit]minutes[/] \x9b2J \u202eevil"

# What must never reach a terminal: C0 controls but tab and newline, DEL, the C1 controls (as UTF-8),
# bidi marks, embeddings, overrides and isolates, and the line/paragraph separators.
FORBIDDEN = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)
FORBIDDEN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def assert_safe(data: bytes | str, where: str) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    found = FORBIDDEN.search(raw)
    assert found is None, f"{where}: raw control bytes {found.group(0)!r} at {found.start()}: {raw[max(found.start() - 40, 0):found.end() + 10]!r}"


def test_the_hostile_file_holds_every_kind_of_trap() -> None:
    plan = read_plan_file(HOSTILE)
    raw = HOSTILE.read_text(encoding="utf-8")
    assert raw.isascii()  # the traps are TOML escapes, so the file itself is harmless to cat
    everything = " ".join([plan.plan.title, plan.plan.region, plan.plan.inspection, plan.plan.source, plan.plan.notes,
                           *plan.aliases, *plan.aliases.values(), plan.addressees[0].name,
                           *(r.text + r.reason + r.note for r in plan.addressees[0].recommendations),
                           *(a.text + a.target + a.note + "".join(a.owners)
                             for r in plan.addressees[0].recommendations for a in r.actions)])
    for trap in ("[b]", "[@click=app.quit]", "[link=http://x]", "\x1b[31m", "\x1b]0;", "\x07", "\x1b[2J", "\x08",
                 "\r", "\x7f", "\x9b", "\x85", "\u202e", "\u2066", "\x1b[?1049h", "\x1b[6n"):
        assert trap in everything, trap


@pytest.fixture
def hostile_db(db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The sample database with the hostile plan imported, a hostile user and a hostile history."""
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that listings show whole texts
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('user = "\\u001b[31mevil [b]user[/b]\\u0007"\n', encoding="utf-8")
    imported = run_inprocess(capsys, "--db", str(db_path), "import", str(HOSTILE))
    assert imported.code == 0, imported.err
    assert_safe(imported.out, "import")
    assert "hostile-2023: 3 added" in imported.out
    # the unreadable target is warned about, visibly
    assert "warning: target not understood, no due date: hostile-2023/1/1.2: '[b]soon[/b] \\x1b]0;pwned\\x07'" \
        in imported.out
    changed = run_inprocess(capsys, "--db", str(db_path), "status", "hostile-2023/1/1.1", "ongoing",
                            "--note", EVIL_NOTE)
    assert changed.code == 0, changed.err
    noted = run_inprocess(capsys, "--db", str(db_path), "note", "hostile-2023/1/1.3", "[b]bold[/b] \x1b[2J")
    assert noted.code == 0, noted.err
    yield db_path


def test_hostile_text_is_stored_exactly_as_written(hostile_db: Path) -> None:
    conn = sqlite3.connect(hostile_db)
    try:
        text = conn.execute("SELECT text FROM action WHERE reference = 'hostile-2023/1/1.1'").fetchone()[0]
        note, by = conn.execute("SELECT note, by FROM change WHERE kind = 'status'").fetchone()
    finally:
        conn.close()
    assert text == read_plan_file(HOSTILE).addressees[0].recommendations[0].actions[0].text
    assert (note, by) == (EVIL_NOTE, EVIL_USER)


COMMANDS: dict[str, list[str]] = {
    "check": ["check", str(HOSTILE)],
    "due": ["due", "--owner", "everyone"],
    "overdue": ["overdue", "--owner", "everyone"],
    "owners": ["owners"],
    "show 1.1": ["show", "hostile-2023/1/1.1"],
    "show 1.2": ["show", "hostile-2023/1/1.2"],
    "show 1.3": ["show", "hostile-2023/1/1.3"],
    "export": ["export", "--plan", "hostile-2023"],
    "due for a hostile owner": ["due", "--owner", "[b]Head of Evil PDU[/b] (Evil [link=http://x]Region[/link] \x1b[2J)"],
}
# words each output must show literally: markup as brackets, escapes as visible symbols
SHOWN: dict[str, list[str]] = {
    "check": ["'[b]soon[/b] \\x1b]0;pwned\\x07' → unreadable"],
    "due": ["hostile-2023/1/1.1", "[b]Action text[/b] [@click=app.quit]quit[/] ␛[2J␛[31mred"],
    "overdue": ["hostile-2023/1/1.3", "Overdue [@click=app.quit] ␛[6n cursor report"],
    "owners": ["[b]Head of Evil PDU[/b] (Evil [link=http://x]Region[/link] ␛[2J)", "␛[31mSPOs␛[0m"],
    "show 1.1": ["Plan:           [b]Bold title[/b] ␛[31mred␛[0m ␛]0;pwned title␇ [@click=app.quit]quit[/]",
                 "Addressee:      [b]Evil PDU[/b] ␛[2J␛[H",
                 "[@click=app.quit]click me[/] ␛[31mred␛[0m <U+202E>evil<U+202C>",
                 "[b]Action text[/b] [@click=app.quit]quit[/] ␛[2J␛[31mred ␛]0;title␇ <U+009B>2J <U+2066>isolate<U+2069>",
                 "Transcription note: [dim]transcription note[/dim] ␛[8m hidden",
                 "␛[31mevil [b]user[/b]␇: not started → ongoing",
                 "Evidence ␛]0;pwned␇ [@click=app.quit]minutes[/] <U+009B>2J <U+202E>evil"],
    "show 1.2": ["Second [/] action [bold red] ␛[?1049h alt screen", "'[b]soon[/b] \\x1b]0;pwned\\x07'"],
    "show 1.3": ["[b]bold[/b] ␛[2J"],
    "export": ['text = "[b]Action text[/b] [@click=app.quit]quit[/] \\u001b[2J', "\\u009B2J", "\\u202E"],
    "due for a hostile owner": ["hostile-2023/1/1.1"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_cli_shows_hostile_text_as_plain_visible_text(
    command: str, hostile_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_inprocess(capsys, "--db", str(hostile_db), "--today", TODAY, *COMMANDS[command])
    assert run.code == 0, run.err
    assert_safe(run.out, command)
    assert_safe(run.err, command)
    for words in SHOWN[command]:
        assert words in run.out, f"{words!r} not shown by {command}:\n{run.out}"


def test_errors_echoing_hostile_input_stay_plain(hostile_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["show", "hostile-2023/1/\x1b[31m9"], ["due", "--owner", "\x1b]0;x\x07nobody"],
                 ["import", str(hostile_db.parent / "\x1b[2Jmissing\n.toml")]):
        run = run_inprocess(capsys, "--db", str(hostile_db), *args)
        assert run.code == 1
        assert_safe(run.err, " ".join(args))
        assert len(run.err.splitlines()) == 1


def test_a_real_process_writes_no_raw_control_byte(hostile_db: Path) -> None:
    """The bytes a terminal would receive, from a real process."""
    for args in (["show", "hostile-2023/1/1.1"], ["due", "--owner", "everyone"], ["owners"]):
        run: Run = run_process("--db", str(hostile_db), "--today", TODAY, *args)
        assert run.code == 0, run.err
        assert_safe(run.out_bytes, " ".join(args))
        assert b"[@click=app.quit]" in run.out_bytes or args == ["owners"]


def test_export_of_hostile_text_imports_back_unchanged(
    hostile_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "hostile-export.toml"
    assert run_inprocess(capsys, "--db", str(hostile_db), "export", "--plan", "hostile-2023", "-o", str(exported)).code == 0
    assert_safe(exported.read_bytes().replace(b"\n", b"").replace(b"\t", b""), "export file")
    back, original_plan = read_plan_file(exported), read_plan_file(HOSTILE)
    assert (back.plan.title, back.plan.inspection, back.plan.notes, back.aliases, back.addressees[0].name) == (
        original_plan.plan.title, original_plan.plan.inspection, original_plan.plan.notes, original_plan.aliases,
        original_plan.addressees[0].name)
    fresh = tmp_path / "fresh.sqlite"
    assert run_inprocess(capsys, "--db", str(fresh), "import", str(exported)).code == 0
    conn = sqlite3.connect(fresh)
    try:
        rows = dict(conn.execute("SELECT reference, text FROM action"))
    finally:
        conn.close()
    original = read_plan_file(HOSTILE).addressees[0].recommendations[0].actions
    assert [rows[f"hostile-2023/1/{a.ref}"] for a in original] == [a.text for a in original]


@pytest.mark.parametrize("text", ["\x1b[31m", "\x07", "\x9b", "\x85", "\u202e", "\u2066", "\u2028", "\x00", "\r", "\x7f"])
def test_visible_leaves_no_control_character(text: str) -> None:
    for shown in (visible(f"a{text}b"), visible_line(f"a{text}\n\tb"), one_line(f"a{text}b", 80)):
        assert FORBIDDEN_TEXT.search(shown) is None, repr(shown)
        assert shown.startswith("a") and shown.endswith("b")
    assert "\n" not in visible_line("a\nb") and visible("a\n\tb") == "a\n\tb"


def test_escape_raw_controls_keeps_toml_meaning() -> None:
    import tomllib

    import tomli_w

    value = "C1 \x9b2J NEL \x85 bidi \u202eevil\u202c sep \u2028 ok é"
    text = escape_raw_controls(tomli_w.dumps({"t": value, "m": value + "\nline two"}, multiline_strings=True))
    assert FORBIDDEN.search(text.replace("\n", "").encode()) is None
    assert tomllib.loads(text) == {"t": value, "m": value + "\nline two"}


# -- the screen --------------------------------------------------------------------------------------

async def test_the_screen_shows_hostile_text_literally_and_does_not_quit(hostile_db: Path) -> None:
    from rich.text import Text

    from store.db import open_database
    from store.queries import find_owner
    from tui.app import ActionTrackApp
    from tui.screens.main import MainScreen
    from tui.widgets.detail import DetailPane
    from tui.widgets.due_panel import DuePanel
    from tui.widgets.plan_tree import PlanTree

    db = open_database(hostile_db)
    with db.read() as session:
        owner = find_owner(session, "[b]Head of Evil PDU[/b] (Evil [link=http://x]Region[/link] \x1b[2J)")
        conn = session.connection()
        ids = dict(conn.exec_driver_sql("SELECT reference, id FROM action WHERE plan_id = 'hostile-2023'").all())
    app = ActionTrackApp(db, today=date(2023, 9, 15), config=Config(user="tester"), owner=owner)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            for reference in ("hostile-2023/1/1.1", "hostile-2023/1/1.2", "hostile-2023/1/1.3"):
                screen.select_action(ids[reference])
                await settle(pilot)
                assert screen.current is not None and screen.current.reference == reference
                detail = screen.query_one(DetailPane).text
                assert_safe(detail, f"detail of {reference}")
                assert "[@click=app.quit]" in detail  # shown, not made a link that quits
            detail = screen.query_one(DetailPane).text
            assert "Overdue [@click=app.quit] ␛[6n cursor report" in detail

            screen.select_action(ids["hostile-2023/1/1.1"])
            await settle(pilot)
            detail = screen.query_one(DetailPane).text
            for words in ("[b]Action text[/b] [@click=app.quit]quit[/]", "␛[2J␛[31mred", "<U+202E>evil",
                          "[b]Evil PDU[/b]", "Evidence ␛]0;pwned␇ [@click=app.quit]minutes[/]"):
                assert words in detail, f"{words!r} not in the detail pane:\n{detail}"

            tree = screen.query_one(PlanTree)
            labels: list[str] = []

            def walk(node) -> None:  # type: ignore[no-untyped-def]
                for child in node.children:
                    label = child.label
                    assert isinstance(label, Text)  # a Text label is never parsed as markup
                    labels.append(label.plain)
                    walk(child)

            walk(tree.root)
            tree_text = "\n".join(labels)
            assert_safe(tree_text, "tree")
            assert "[b]Evil PDU[/b] ␛[2J␛[H" in tree_text
            assert "[b]Action text[/b]" in tree_text
            panel = screen.query_one(DuePanel)
            due = "\n".join(str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count))
            assert_safe(due, "due panel")

            # What the terminal would be sent, as a picture: nothing raw in it either.
            assert_safe(app.export_screenshot(), "screenshot")
            await pilot.press("down", "down", "enter", "up")
            await settle(pilot)
            assert app.is_running and app.return_code is None
    finally:
        db.dispose()


def test_every_character_is_shown_as_itself_or_as_its_picture() -> None:
    """`visible` skips the replacing for text Python calls printable: no character it must replace is; and
    `is_visible` never says a text is left as it is, line breaks among it, when `visible` would change it."""
    from store.text import _PICTURES, _PICTURES_OF_LINE, is_visible, visible, visible_line

    for code in range(0x30000):
        if 0xD800 <= code <= 0xDFFF:  # surrogates are no characters of their own
            continue
        char = chr(code)
        text = f"a{char}b"
        assert visible(text) == f"a{_PICTURES.get(code, char)}b", hex(code)
        assert visible_line(text) == f"a{_PICTURES_OF_LINE.get(code, char)}b", hex(code)
        assert not is_visible(f"a\n{char}b") or visible(text) == text, hex(code)  # never wrongly
