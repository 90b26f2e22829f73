"""Evidence notes from the command line: several lines from a file (`@FILE`), links kept as written, and
`show` listing the evidence before the history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import dump

from tui.cli import main

REF = "gm-2023/8/3"
EVIDENCE = "QIP minutes of 12 Sept:\nhttps://example.org/qip?id=3&x=[b]red[/b]\n  - attendance 90%\n"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", "2023-09-15", *args])
    out, err = capsys.readouterr()
    return code, out, err


def notes(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT kind, change.note FROM change JOIN action ON action.id = change.action_id "
                            "WHERE reference = ? ORDER BY change.id", (REF,)).fetchall()
    finally:
        conn.close()


def test_a_note_from_a_file_keeps_its_lines_and_links(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                      tmp_path: Path) -> None:
    (tmp_path / "evidence.txt").write_text(EVIDENCE, encoding="utf-8")
    code, out, err = run(capsys, db_path, "note", REF, f"@{tmp_path / 'evidence.txt'}")
    assert (code, out, err) == (0, f"{REF}: note added\n", "")
    assert notes(db_path) == [("note", EVIDENCE.strip())]
    assert run(capsys, db_path, "status", REF, "ongoing", "--note", f"@{tmp_path / 'evidence.txt'}")[0] == 0
    assert notes(db_path)[-1] == ("status", EVIDENCE.strip())
    assert run(capsys, db_path, "note", REF, "@@home visits team")[0] == 0
    assert notes(db_path)[-1] == ("note", "@home visits team")


def test_show_lists_the_evidence_first_newest_first(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                   tmp_path: Path) -> None:
    (tmp_path / "evidence.txt").write_text(EVIDENCE, encoding="utf-8")
    run(capsys, db_path, "note", REF, f"@{tmp_path / 'evidence.txt'}")
    run(capsys, db_path, "status", REF, "ongoing", "--note", "Started the review")
    run(capsys, db_path, "note", REF, "a note taken back")
    run(capsys, db_path, "undo")
    out = run(capsys, db_path, "show", REF)[1]
    evidence = out.split("Evidence (newest first):\n")[1].split("\n\nHistory:")[0]
    lines = evidence.splitlines()
    assert [line.strip() for line in lines if not line.startswith("  20")] == [
        "Started the review", "QIP minutes of 12 Sept:", "https://example.org/qip?id=3&x=[b]red[/b]",
        "- attendance 90%"]
    assert "a note taken back" not in evidence  # undone: not evidence
    assert out.index("Evidence (newest first):") < out.index("History:")


@pytest.mark.parametrize(("content", "words"), [
    (None, ("cannot read the note file", "No such file")),
    (b"\xff\xfe\x00bad", ("is not UTF-8 text",)),
])
def test_a_note_file_that_cannot_be_read_says_why_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, content: bytes | None,
        words: tuple[str, ...]) -> None:
    path = tmp_path / "evidence.txt"
    if content is not None:
        path.write_bytes(content)
    before = dump(db_path)
    code, out, err = run(capsys, db_path, "note", REF, f"@{path}")
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("actiontrack: ") and "Traceback" not in err
    assert all(word in err for word in words), err
    assert dump(db_path) == before
