"""Config and plan paths that are not what they seem, and values at the edges (cases 11 and 12 of the
issue that introduced uids): each is refused at once in one sentence, or read correctly."""

from __future__ import annotations

import json
import os
import time
import tomllib
from pathlib import Path

import pytest
from conftest import dump, load_sample
from helpers.cli import assert_one_clean_line, run_inprocess, run_process

from store.config import Config, config_path, load_config, save_config
from store.errors import StoreError

pytestmark = pytest.mark.skipif(os.name == "nt", reason="FIFOs and /dev/zero are POSIX")


def _config_file(private_home: Path) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --- case 11: the config ----------------------------------------------------------------------------


def test_a_config_that_is_a_fifo_is_refused_at_once(private_home: Path) -> None:
    os.mkfifo(_config_file(private_home))
    start = time.monotonic()
    with pytest.raises(StoreError, match="is not a regular file"):
        load_config()
    assert time.monotonic() - start < 1


def test_a_config_symlinked_to_dev_zero_is_refused_without_reading_it(private_home: Path) -> None:
    _config_file(private_home).symlink_to("/dev/zero")
    with pytest.raises(StoreError, match="is not a regular file"):
        load_config()


def test_a_huge_config_is_refused_without_reading_it_all(private_home: Path) -> None:
    _config_file(private_home).write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    with pytest.raises(StoreError, match="larger than"):
        load_config()


def test_a_config_nested_thousands_deep_is_one_sentence(private_home: Path, db_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    _config_file(private_home).write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    run = run_inprocess(capsys, "--db", str(db_path), "owners")
    assert_one_clean_line(run, "config file")


def test_a_config_with_a_byte_order_mark_is_read(private_home: Path) -> None:
    _config_file(private_home).write_bytes('\ufeffuser = "jsmith"\n'.encode())
    assert load_config().user == "jsmith"


def test_saving_the_config_keeps_lines_it_did_not_set(private_home: Path) -> None:
    path = _config_file(private_home)
    path.write_text('# my settings\nuser = "jsmith"\nreminder = "added by hand"\n', encoding="utf-8")
    save_config(load_config().with_(theme="light"))  # what pressing T does
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text and 'reminder = "added by hand"' in text
    assert tomllib.loads(text) == {"user": "jsmith", "reminder": "added by hand", "theme": "light"}


def test_a_plan_path_that_is_a_fifo_is_refused_at_once_by_import_and_check(
    db_path: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)
    before = dump(db_path)
    for command in (["import", str(fifo)], ["check", str(fifo)]):
        run = run_process("--db", str(db_path), *command, timeout=10)
        assert_one_clean_line(run, str(fifo), "not a regular file")
    assert dump(db_path) == before


# --- case 12: edges -------------------------------------------------------------------------------


def test_a_user_name_too_long_for_an_export_is_refused_by_the_config(private_home: Path) -> None:
    save_config(Config(user="x" * 600))
    with pytest.raises(StoreError, match="user is longer than"):
        load_config()


def test_a_history_time_near_year_one_with_an_offset_is_one_sentence(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (Path(__file__).parent.parent / "sample_plans" / "nw-2023.toml").read_text(encoding="utf-8")
    marker = "[[addressees.recommendations.actions]]"
    first = text.index(marker)
    end = text.index("\n\n", first)
    text = text[:end] + '\n\n[[addressees.recommendations.actions.history]]\nat = 0001-01-01T00:00:00+05:00\n' \
        'by = "x"\nchange = "note"\nnote = "n"' + text[end:]
    path = tmp_path / "edge.toml"
    path.write_text(text, encoding="utf-8")
    before = dump(db_path)
    for command in (["import", str(path)], ["check", str(path)]):
        run = run_inprocess(capsys, "--db", str(db_path), *command)
        assert_one_clean_line(run, str(path), "too near year 1 or 9999")
    assert dump(db_path) == before


def test_check_json_escapes_c1_and_bidi_controls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = load_sample("nw-2023")
    document["addressees"][0]["recommendations"][0]["actions"][0]["target"] = "May 2024\u009b2J\u202e"
    import tomli_w

    path = tmp_path / "hostile.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    run = run_inprocess(capsys, "check", "--json", str(path))
    assert run.code == 0
    assert "\u009b" not in run.out and "\u202e" not in run.out
    report = json.loads(run.out)
    assert report[0]["actions"][0]["target"] == "May 2024\u009b2J\u202e"  # the same text, escaped
