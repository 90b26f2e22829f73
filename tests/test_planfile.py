"""Plan files: a valid file loads; a bad one is refused with one message naming file and place,
and the database is left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import dump, file_state

from store.db import Database, open_database
from store.importing import import_plan_files
from store.planfile import PlanFileError, read_plan_file

MINIMAL = '''\
[plan]
id = "test-2024"
title = "Test region: response to a test inspection"
region = "Test Region"
plan_submitted = 2024-01-15

[aliases]
"HoT" = "Head of Testing"

[[addressees]]
name = "Testtown PDU"
kind = "pdu"

[[addressees.recommendations]]
number = "1"
text = "Improve the testing."
agreement = "agreed"

[[addressees.recommendations.actions]]
text = "Write the tests."
owners = ["Head of PDU", "HoT"]
target = "March 2024"

[[addressees.recommendations.actions]]
text = "Run the tests."
owners = ["HoT"]
target = "Monthly"
'''


def write(folder: Path, text: str, name: str = "plan.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    return str(caught.value)


def test_minimal_file_loads(tmp_path: Path) -> None:
    plan = read_plan_file(write(tmp_path, MINIMAL))
    assert plan.plan.id == "test-2024"
    assert plan.aliases == {"HoT": "Head of Testing"}
    [addressee] = plan.addressees
    assert (addressee.name, addressee.kind) == ("Testtown PDU", "pdu")
    [rec] = addressee.recommendations
    assert (rec.number, rec.agreement) == ("1", "agreed")
    assert [a.text for a in rec.actions] == ["Write the tests.", "Run the tests."]
    assert rec.actions[0].owners == ["Head of PDU", "HoT"]
    assert rec.actions[1].target == "Monthly"


def test_every_bundled_sample_is_valid() -> None:
    from store.importing import bundled_plan_files

    files = bundled_plan_files()
    assert {f.stem for f in files} >= {"cgm-2019", "nw-2023", "nps-ne-2019"}
    for path in files:
        assert read_plan_file(path).plan.id == path.stem


# (what is broken, replace this, with this, words the message must hold)
BAD = [
    ("unknown agreement", 'agreement = "agreed"', 'agreement = "mostly"',
     ["recommendation '1'", "agreement", "agreed", "partly_agreed", "not_agreed"]),
    ("unknown kind", 'kind = "pdu"', 'kind = "council"',
     ["addressee 1 ('Testtown PDU')", "kind", "must be one of"]),
    ("missing title", 'title = "Test region: response to a test inspection"\n', "",
     ["[plan]", "title", "required"]),
    ("missing target", 'target = "March 2024"\n', "",
     ["recommendation '1'", "action 1", "target", "required"]),
    ("missing recommendation text", 'text = "Improve the testing."\n', "",
     ["recommendation '1'", "text", "required"]),
    ("number is an integer", 'number = "1"', "number = 1",
     ["addressee 1 ('Testtown PDU')", "recommendation 1", "number", "must be a string"]),
    ("owners is a string", 'owners = ["HoT"]', 'owners = "HoT"',
     ["recommendation '1'", "action 2", "owners", "must be a list"]),
    ("date is a string", "plan_submitted = 2024-01-15", 'plan_submitted = "15 January 2024"',
     ["[plan]", "plan_submitted", "date"]),
    ("unknown field", 'target = "Monthly"', 'target = "Monthly"\ndeadline = "soon"',
     ["action 2", "deadline", "not a field"]),
    ("empty owners, no note", 'owners = ["HoT"]', "owners = []",
     ["recommendation '1'", "action 2", "owners must not be empty"]),
    ("bad status", 'target = "Monthly"', 'target = "Monthly"\nstatus = "done"',
     ["action 2", "status", "not_started"]),
]


@pytest.mark.parametrize(("old", "new", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_file_is_refused_naming_file_and_place(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    message = refused(path)
    assert message.startswith(str(path))
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "\n" not in message


def test_empty_owners_with_a_note_is_accepted(tmp_path: Path) -> None:
    text = MINIMAL.replace('owners = ["HoT"]', 'owners = []\nnote = "The document gives no owner."')
    plan = read_plan_file(write(tmp_path, text))
    assert plan.addressees[0].recommendations[0].actions[1].owners == []


def test_duplicate_recommendation_number_is_refused(tmp_path: Path) -> None:
    extra = '''
[[addressees.recommendations]]
number = "1"
text = "Again."
agreement = "agreed"
'''
    message = refused(write(tmp_path, MINIMAL + extra))
    assert message.startswith(str(tmp_path / "plan.toml"))
    assert "recommendation '1' appears twice" in message


def test_duplicate_action_ref_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('text = "Write the tests."', 'ref = "1.1"\ntext = "Write the tests."')
    text = text.replace('text = "Run the tests."', 'ref = "1.1"\ntext = "Run the tests."')
    message = refused(write(tmp_path, text))
    assert "recommendation '1'" in message and "action '1.1' appears twice" in message


def test_explicit_ref_clashing_with_a_position_is_refused(tmp_path: Path) -> None:
    # The second action's default reference is its position, 2; the first claims "2" too.
    text = MINIMAL.replace('text = "Write the tests."', 'ref = "2"\ntext = "Write the tests."')
    assert "action '2' appears twice" in refused(write(tmp_path, text))


def test_duplicate_addressee_is_refused(tmp_path: Path) -> None:
    extra = '''
[[addressees]]
name = "testtown pdu"
kind = "pdu"
'''
    assert "addressee 'testtown pdu' appears twice" in refused(write(tmp_path, MINIMAL + extra))


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = MINIMAL.replace('number = "1"', 'number = "1')
    message = refused(write(tmp_path, text))
    line = MINIMAL.splitlines().index('number = "1"') + 1
    assert message.startswith(f"{tmp_path / 'plan.toml'}, line {line}")
    assert "TOML syntax error" in message


def test_missing_file_and_not_utf8_are_refused(tmp_path: Path) -> None:
    assert refused(tmp_path / "nowhere.toml") == f"{tmp_path / 'nowhere.toml'}: no such file"
    latin = tmp_path / "latin.toml"
    latin.write_bytes(MINIMAL.replace("Testtown", "Testtöwn").encode("latin-1"))
    message = refused(latin)
    assert message.startswith(f"{latin}, line 11") and "UTF-8" in message


# --- importing bad files writes nothing -----------------------------------------------------------


def test_import_of_bad_file_leaves_database_byte_for_byte_unchanged(db_path: Path, tmp_path: Path) -> None:
    bad = write(tmp_path, MINIMAL.replace('agreement = "agreed"', 'agreement = "mostly"'))
    before_dump, before_bytes = dump(db_path), file_state(db_path)
    db = open_database(db_path)
    try:
        with pytest.raises(PlanFileError):
            import_plan_files(db, [bad])
    finally:
        db.dispose()
    assert file_state(db_path) == before_bytes
    assert dump(db_path) == before_dump


def test_import_of_several_files_is_all_or_nothing(db: Database, tmp_path: Path) -> None:
    good = write(tmp_path, MINIMAL, "good.toml")
    other = MINIMAL.replace('id = "test-2024"', 'id = "other-2024"').replace('number = "1"', "number = 1")
    bad = write(tmp_path, other, "bad.toml")
    before = dump(db.path)
    with pytest.raises(PlanFileError) as caught:
        import_plan_files(db, [good, bad])
    assert str(caught.value).startswith(str(bad))
    assert dump(db.path) == before
    # the good file alone goes in
    [result] = import_plan_files(db, [good])
    assert result.added == 2


def test_import_of_two_files_with_one_plan_id_is_refused(db: Database, tmp_path: Path) -> None:
    one = write(tmp_path, MINIMAL, "one.toml")
    two = write(tmp_path, MINIMAL.replace("Write the tests.", "Write more tests."), "two.toml")
    before = dump(db.path)
    with pytest.raises(PlanFileError, match="test-2024"):
        import_plan_files(db, [one, two])
    assert dump(db.path) == before


def test_import_failing_while_writing_rolls_back_every_file(db: Database, tmp_path: Path) -> None:
    """The second plan is valid but SQLite refuses to store it: the first plan is not kept either."""
    good = write(tmp_path, MINIMAL, "good.toml")
    other = write(tmp_path, MINIMAL.replace('id = "test-2024"', 'id = "test-2025"'), "other.toml")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_2025 BEFORE INSERT ON action WHEN NEW.plan_id = 'test-2025' "
            "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    before = dump(db.path)
    with pytest.raises(Exception, match="disk says no"):
        import_plan_files(db, [good, other])
    assert dump(db.path) == before
