"""The command line is parsed by a parser of only the subcommands it names (quicker to build), and it
means the same, says the same and helps the same as the parser of every command."""

from __future__ import annotations

import argparse

import pytest

from tui import cli

SAME = [
    [],
    ["--owner", "Head of Tameside PDU", "--theme", "light"],
    ["--db", "x.sqlite", "--today", "2023-09-15", "due", "--owner", "Head of Tameside PDU"],
    ["--tod", "2023-09-15", "due", "--month", "2023-10", "--status", "ongoing", "--status", "not-started", "--json"],
    ["overdue", "--owner", "everyone", "--include-closed"],
    ["owners", "--json"],
    ["--db", "due", "owners"],  # a database file called `due`
    ["note", "gm-2023/6/2", "due"],  # a note that says `due`
    ["import", "a.toml", "b.toml", "--dry-run", "--mapping", "m.toml"],
    ["report", "--plan", "gm-2023", "--plan", "nw-2023", "--format", "csv", "--since", "2023-01-01"],
    ["status", "gm-2023/6/2", "complete", "--note", "@evidence.txt"],
    ["revise", "gm-2023/6/2", "March 2025", "--reason", "staffing"],
    ["plan", "close", "cgm-2019", "--note", "signed off"],
    ["generate", "--actions", "10", "--seed", "3", "-o", "out"],
]


@pytest.mark.parametrize("argv", SAME, ids=" ".join)
def test_a_command_line_means_what_the_parser_of_every_command_makes_of_it(
        argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = cli.build_parser().parse_args(argv)
    built: list[int] = []
    build = cli.build_parser

    def counted(only: list[str] | None = None) -> argparse.ArgumentParser:
        parser = build(only)
        built.append(len(parser._subparsers._group_actions[0].choices))  # type: ignore[union-attr]
        return parser

    monkeypatch.setattr(cli, "build_parser", counted)
    assert cli.parse_args(argv) == whole
    assert built == [len({arg for arg in argv if arg in cli.COMMANDS})]  # one parser, of the commands named


def test_the_subcommands_listed_are_every_command_in_order() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert tuple(sub.choices) == cli.COMMANDS


WRONG = [
    ["--help"],
    ["--he"],
    ["due", "--help"],
    ["bogus"],
    ["--db", "due", "bogus"],  # names `due`, but as a file: the command is unknown
    ["due", "--month", "2023-13"],
    ["due", "--bogus"],
    ["show"],
    ["status", "gm-2023/6/2", "finished"],
    ["--version"],
]


@pytest.mark.parametrize("argv", WRONG, ids=" ".join)
def test_help_and_refusals_say_what_the_parser_of_every_command_says(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as whole:
        cli.build_parser().parse_args(argv)
    expected = capsys.readouterr()
    with pytest.raises(SystemExit) as parsed:
        cli.parse_args(argv)
    said = capsys.readouterr()
    assert (parsed.value.code, said.out, said.err) == (whole.value.code, expected.out, expected.err)
    assert said.out or said.err


def test_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    out = capsys.readouterr().out
    assert all(f"    {command}" in out for command in cli.COMMANDS)
