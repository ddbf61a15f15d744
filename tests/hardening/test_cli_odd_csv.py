"""Odd CSV exports at the command line (issue #20, second audit).

What spreadsheets and survey tools write: a byte-order mark, CRLF line ends,
semicolons or tabs (locales with a decimal comma), Excel's ``sep=`` line,
quoted fields, trailing empty columns, thousands separators, decimal commas,
day-first or serial dates, other encodings. Each gives the same result as the
plain file, or one line ``cxmetrics: error: ...`` and exit status 2, never a
traceback.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cxmetrics.cli import main

ROWS = [("10", "n"), ("9", "n"), ("3", "s"), ("7", "s"), ("0", "e"), ("8", "e")]


def _survey(rows: list[str], header: str = "nps,region") -> str:
    return "\n".join([header, *rows]) + "\n"


PLAIN = _survey([f"{a},{b}" for a, b in ROWS])
SAME_AS_PLAIN = {
    "bom": "\ufeff" + PLAIN,
    "crlf": PLAIN.replace("\n", "\r\n"),
    "bom_crlf": "\ufeff" + PLAIN.replace("\n", "\r\n"),
    "semicolon": _survey([f"{a};{b}" for a, b in ROWS], "nps;region"),
    "tab": _survey([f"{a}\t{b}" for a, b in ROWS], "nps\tregion"),
    "excel_sep": "sep=;\n" + _survey([f"{a};{b}" for a, b in ROWS], "nps;region"),
    "quoted": _survey([f'"{a}","{b}"' for a, b in ROWS], '"nps","region"'),
    "trailing_columns": _survey([f"{a},{b},," for a, b in ROWS], "nps,region,,"),
    "blank_lines": PLAIN.replace("\n", "\n\n"),
    "float_scores": _survey([f"{a}.0,{b}" for a, b in ROWS]),
}
REFUSED = {
    # an ambiguous number: a thousands separator or a decimal comma
    "thousands": (
        _survey([f'{a},{b},"1,234"' for a, b in ROWS], "nps,region,w"),
        ["--weight-col", "w"],
    ),
    "decimal_comma": (
        _survey([f"{a};{b};1,5" for a, b in ROWS], "nps;region;w"),
        ["--weight-col", "w"],
    ),
    "header_only": ("nps,region\n", []),
    "only_bom": ("\ufeff", []),
    "ragged": ("nps,region\n10,n,x\n9\n", []),
}


def _run(capsys, path, *args):
    status = main(["survey", str(path), "--metric", "nps", "--by", "region", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("name", sorted(SAME_AS_PLAIN))
def test_an_odd_export_gives_the_result_of_the_plain_file(tmp_path, capsys, name):
    plain = tmp_path / "plain.csv"
    plain.write_text(PLAIN, encoding="utf-8", newline="")
    odd = tmp_path / f"{name}.csv"
    odd.write_text(SAME_AS_PLAIN[name], encoding="utf-8", newline="")
    status, expected, _ = _run(capsys, plain)
    assert status == 0
    status, out, err = _run(capsys, odd)
    assert (status, err) == (0, "")
    assert out.replace(str(odd), str(plain)) == expected


def _one_line_error(status: int, err: str) -> None:
    assert status == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("cxmetrics: error: ")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_unreadable_export_is_one_line_and_exit_2(tmp_path, capsys, name):
    text, args = REFUSED[name]
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8", newline="")
    status, _, err = _run(capsys, path, *args)
    _one_line_error(status, err)


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_another_encoding_is_one_line_and_exit_2(tmp_path, capsys, encoding):
    path = tmp_path / "answers.csv"
    path.write_bytes("nps,région\n10,nörd\n".encode(encoding))
    status, _, err = _run(capsys, path)
    _one_line_error(status, err)
    assert "UTF-8" in err


def test_a_row_error_after_an_excel_sep_line_names_the_right_line(tmp_path, capsys):
    path = tmp_path / "answers.csv"
    path.write_text("sep=;\nnps;region\n10;n\n9;n;extra\n", encoding="utf-8")
    status, _, err = _run(capsys, path)
    _one_line_error(status, err)
    assert "line 4 has 3 field(s)" in err


DAYS = [dt.date(2024, 1, 5), dt.date(2024, 2, 11), dt.date(2024, 1, 20)]
DATES = {
    "us": [d.strftime("%m/%d/%Y") for d in DAYS],
    "day_first_dots": [d.strftime("%d.%m.%Y") for d in DAYS],
    "excel_serial": [str((d - dt.date(1899, 12, 30)).days) for d in DAYS],
    "us_with_time": [d.strftime("%m/%d/%Y %H:%M") for d in DAYS],
}


@pytest.mark.parametrize("name", sorted(DATES))
def test_excel_style_dates_are_refused_in_one_line(tmp_path, capsys, name):
    # 01/05/2024 is 5 January or 1 May: an ISO date is asked for, not guessed
    path = tmp_path / "activity.csv"
    rows = [f"{c},{t},," for c, t in zip("aab", DATES[name], strict=True)]
    path.write_text("customer,time,,\r\n" + "\r\n".join(rows) + "\r\n")
    status = main(["retention", str(path), "--freq", "month"])
    _, err = capsys.readouterr()
    _one_line_error(status, err)
    assert "line 2" in err
