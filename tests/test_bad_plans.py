"""Bad plan files: each is refused with one line naming the file and the place, exit code 1, no
traceback, and the database left byte-for-byte as it was.

The corpus lives in tests/bad_plans/ (one broken file each); the cases too big or too odd to
commit (a folder, a missing path, a 50 MB file, a 200,000-character text) are made here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import assert_one_clean_line, fingerprint, run_inprocess, run_process

from store.importing import open_or_create

CORPUS = Path(__file__).resolve().parent / "bad_plans"

# file -> words its message must hold besides the file's path: the place, then what is wrong.
EXPECTED: dict[str, list[str]] = {
    # TOML syntax errors: the line (and column)
    "syntax_unclosed_string.toml": ["line 4, column", "TOML syntax error"],
    "syntax_missing_equals.toml": ["line 5, column 8", "TOML syntax error", "expected '='"],
    "syntax_duplicate_key.toml": ["line 6, column", "TOML syntax error", "cannot overwrite"],
    "syntax_broken_table_header.toml": ["line 12, column", "TOML syntax error", "]]"],
    "syntax_invalid_date.toml": ["line 6, column", "TOML syntax error", "invalid date"],
    "syntax_unterminated_multiline.toml": ["line 28", "unterminated string", "end of the file"],
    "syntax_raw_escape_character.toml": ["line 19, column", "illegal character", "\\x1b"],
    # missing required keys: the table or addressee/recommendation/action, then the key
    "missing_plan_table.toml": ["[plan]", "required but missing"],
    "missing_plan_id.toml": ["[plan] › id", "required but missing"],
    "missing_addressee_kind.toml": ["addressee 1 ('Testtown PDU') › kind", "required but missing"],
    "missing_recommendation_text.toml": ["recommendation '1' › text", "required but missing"],
    "missing_action_target.toml": ["recommendation '1' › action '1.1' › target", "required but missing"],
    # wrong types
    "wrong_type_number_is_integer.toml": ["addressee 1 ('Testtown PDU') › recommendation 1 › number",
                                          "must be a string"],
    "wrong_type_owners_is_string.toml": ["action '1.1' › owners", "must be a list"],
    "wrong_type_date_is_string.toml": ["[plan] › plan_submitted", "must be a date"],
    "wrong_type_inferred_is_string.toml": ["recommendation '1' › inferred", "must be true or false"],
    "wrong_type_addressees_is_table.toml": ["addressees", "must be a list"],
    "wrong_type_aliases_is_list.toml": ["[aliases]", "must be a table"],
    # values outside the format
    "unknown_agreement.toml": ["recommendation '1' › agreement", "must be one of", "'partly_agreed'"],
    "unknown_kind.toml": ["addressee 1 ('Testtown PDU') › kind", "must be one of", "'provider'"],
    "unknown_status.toml": ["action '1.2' › status", "must be one of", "'not_started'"],
    "unknown_field.toml": ["action '1.1' › deadline", "is not a field of the plan format"],
    "bad_plan_id.toml": ["[plan] › id", "characters it may not hold"],
    "bad_ticked_period.toml": ["action '1.2' › ticked › item 1", "characters it may not hold"],
    "bad_history_change.toml": ["action '1.2' › history entry 1 › change", "must be one of"],
    # duplicates
    "duplicate_recommendation_number.toml": ["recommendation '1'", "appears twice"],
    "duplicate_action_ref.toml": ["recommendation '1' › action '1.1'", "appears twice"],
    "duplicate_action_ref_of_a_position.toml": ["recommendation '2' › action '1'", "appears twice"],
    "duplicate_addressee.toml": ["addressee 'testtown pdu'", "appears twice"],
    # empty things
    "empty_owners.toml": ["action '1.1' › owners", "must not be empty"],
    "empty_owner_name.toml": ["action '1.2' › owners › item 2", "must not be empty"],
    "empty_addressees.toml": ["addressees", "must not be empty"],
    "empty_plan_no_recommendations.toml": ["the plan has no recommendations"],
    "empty_file.toml": ["holds no plan"],
    "only_comments.toml": ["holds no plan"],
    # not text
    "not_utf8_latin1.toml": ["line 19", "not UTF-8"],
    "utf16.toml": ["UTF-16", "save it as UTF-8"],
    "nul_byte.toml": ["line 19", "NUL byte"],
    "binary.png": ["line 3", "NUL byte", "binary"],
    "deeply_nested.toml": ["nested too deeply"],
}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if not p.name.startswith("."))


def valid_plan() -> str:
    """The plan the corpus files break, unbroken (unknown_kind.toml differs from it in one word)."""
    return (CORPUS / "unknown_kind.toml").read_text(encoding="utf-8").replace('kind = "council"', 'kind = "pdu"')


def test_the_corpus_holds_every_expected_file_and_no_other() -> None:
    names = {p.name for p in corpus_files()}
    assert names == set(EXPECTED)
    assert len(names) >= 25


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database holding the sample plans and some history, checkpointed into its one file."""
    path = tmp_path_factory.mktemp("bad-plans") / "actiontrack.sqlite"
    db = open_or_create(path)
    try:
        from store import commands
        from store.targets import Status

        with db.write() as session:
            action = commands.find_action(session, "gm-2023/1/2")
            assert action.id is not None
            commands.set_status(session, action.id, Status.ONGOING, by="tester", note="started")
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM action").fetchone()[0] > 100
        assert conn.execute("SELECT count(*) FROM change").fetchone()[0] == 1
    finally:
        conn.close()
    yield path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_of_a_bad_file_is_refused_and_writes_nothing(
    name: str, sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CORPUS / name
    before = fingerprint(sample_db)
    run = run_inprocess(capsys, "--db", str(sample_db), "import", str(path))
    assert_one_clean_line(run, str(path), *EXPECTED[name])
    assert run.out == ""
    assert fingerprint(sample_db) == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_of_a_bad_file_is_refused(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / name
    run = run_inprocess(capsys, "check", str(path))
    assert_one_clean_line(run, str(path), *EXPECTED[name])


def test_import_refuses_a_bad_file_among_good_ones_and_writes_none(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(valid_plan())
    assert run_inprocess(capsys, "check", str(good)).code == 0
    bad = CORPUS / "unknown_kind.toml"
    before = fingerprint(sample_db)
    run = run_inprocess(capsys, "--db", str(sample_db), "import", str(good), str(bad))
    assert_one_clean_line(run, str(bad), "addressee 1 ('Testtown PDU') › kind")
    assert fingerprint(sample_db) == before


def _made_here(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    """The bad inputs made at test time: path and words its message must hold."""
    folder = tmp_path / "a-folder.toml"
    folder.mkdir()
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as fh:  # a 50 MB text field: refused before it is read in full
        fh.write(b'[plan]\nid = "huge"\ntitle = "')
        chunk = b"x" * (1024 * 1024)
        for _ in range(50):
            fh.write(chunk)
        fh.write(b'"\n')
    long_text = tmp_path / "long-text.toml"
    long_text.write_text(valid_plan().replace('text = "Write the tests."', 'text = "' + "y" * 200_000 + '"'))
    odd_name = tmp_path / "bad\x1b[31mname\nwith newline.toml"
    odd_name.write_text("this is = not [toml\n")
    return {
        "folder": (folder, [str(folder), "is a folder"]),
        "missing": (tmp_path / "no-such-plan.toml", [str(tmp_path / "no-such-plan.toml"), "no such file"]),
        "50 MB": (huge, [str(huge), "larger than 20 MB"]),
        "200,000-character text": (long_text, [str(long_text), "action '1.1' › text", "too long",
                                               "100,000 characters"]),
        "control characters in the name": (odd_name, ["bad␛[31mname␊with newline.toml", "line 1"]),
    }


@pytest.mark.parametrize("case", ["folder", "missing", "50 MB", "200,000-character text",
                                  "control characters in the name"])
def test_odd_inputs_are_refused_and_write_nothing(
    case: str, sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, words = _made_here(tmp_path)[case]
    before = fingerprint(sample_db)
    run = run_inprocess(capsys, "--db", str(sample_db), "import", str(path))
    line = assert_one_clean_line(run, *words)
    assert "\x1b" not in line
    assert fingerprint(sample_db) == before
    assert_one_clean_line(run_inprocess(capsys, "check", str(path)), *words)


def test_as_separate_processes_bad_files_are_refused_and_write_nothing(sample_db: Path, tmp_path: Path) -> None:
    """What a user sees at the terminal: a few of the corpus, run as real processes."""
    made = _made_here(tmp_path)
    cases = [(CORPUS / n, EXPECTED[n]) for n in ("syntax_unclosed_string.toml", "binary.png",
                                                 "deeply_nested.toml", "duplicate_action_ref.toml")]
    cases += [(made["folder"][0], made["folder"][1]), (made["50 MB"][0], made["50 MB"][1])]
    before = fingerprint(sample_db)
    for path, words in cases:
        run = run_process("--db", str(sample_db), "import", str(path))
        assert_one_clean_line(run, str(path), *words)
        assert run.out == ""
        assert fingerprint(sample_db) == before


def test_unreadable_file_is_refused(sample_db: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text(valid_plan())
    secret.chmod(0)
    before = fingerprint(sample_db)
    run = run_process("--db", str(sample_db), "import", str(secret), permissions_apply=True)
    assert_one_clean_line(run, str(secret), "permission denied")
    assert fingerprint(sample_db) == before
