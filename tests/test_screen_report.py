"""The report key and the palette's report entries: a file of what the screen shows, and where it went."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers.screen import NotifySpy, make_app, press, settle
from tui.commands import ActionCommands


async def test_the_report_key_writes_the_owners_view_and_says_where(db_path: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "actiontrack-report-2023-09-15.xlsx").write_bytes(b"someone's spreadsheet")
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        spy = NotifySpy(app)
        await press(pilot, "h")  # hide complete actions: the report follows the view
        await press(pilot, "R")
        written = tmp_path / "actiontrack-report-2023-09-15-2.xlsx"  # the file of the same name was not ours
        assert spy.last == f"Report of 12 actions written to {written}"
        assert (tmp_path / "actiontrack-report-2023-09-15.xlsx").read_bytes() == b"someone's spreadsheet"
        book = load_workbook(written)
        assert book.sheetnames == ["Summary", "gm-2023"]
        assert book["gm-2023"].max_row == 13  # heading and the owner's 12 actions, none complete
        assert book["Summary"]["A1"].value == ("Progress report · Head of Tameside PDU (Greater Manchester) "
                                               "(not complete) · as of 15 September 2023")
        await press(pilot, "R")
        assert spy.last == f"Report of 12 actions written to {written}"  # its own report is written again


async def test_the_palette_offers_each_report_format(db_path: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        commands = ActionCommands(app.screen)._commands()
        names = [command.name for command in commands]
        assert [n for n in names if n.startswith("Report")] == [
            "Report: Excel (xlsx)", "Report: CSV", "Report: Markdown", "Report: HTML"]
        assert len(names) == len(set(names))
        await next(c for c in commands if c.name == "Report: HTML").run()  # type: ignore[misc]
        await settle(pilot)
        page = (tmp_path / "actiontrack-report-2023-09-15.html").read_text(encoding="utf-8")
        assert "Progress report · Head of Tameside PDU (Greater Manchester) · as of 15 September 2023" in page
