"""The export's per-type encoders write exactly what the formats define (csv_text, and
json.dumps of plain_value) for any value, and the read-ahead reader hands over every
batch, passes its failures on and stops when the writer does."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils.html import format_html
from hypothesis import given
from hypothesis import strategies as st

from shop.admin.changelist.config import DisplayField
from shop.admin.export.cells import csv_encoder, json_encoder
from shop.admin.export.formats import csv_text, plain_value
from shop.admin.export.readahead import read_ahead
from shop.admin.export.writers import CsvWriter, JsonLinesWriter

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(minutes=330)), ZoneInfo("Etc/UTC")]
)
FORMULA_TEXT = st.sampled_from(["=1+2", "+A1", "-3", "@cmd", "\tx", "\rx", '"q"', "a,b", "é\n"])
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(),
    FORMULA_TEXT,
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=ZONES),
    st.builds(lambda text: format_html("<b>{}</b> &amp;", text), st.text()),
)
FIELDS = [
    DisplayField("name", "Name", "path"),
    DisplayField("flag", "Flag", "method", boolean=True),
]


def _csv_line(cells: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


@given(VALUES, st.sampled_from(FIELDS))
def test_a_csv_cell_is_the_formats_cell(value: Any, display: DisplayField) -> None:
    expected = _csv_line(["x", csv_text(value, display)])
    assert _csv_line(["x", csv_encoder(display)(value)]) == expected


@given(VALUES, st.sampled_from(FIELDS))
def test_a_json_value_is_json_dumps_of_the_plain_value(value: Any, display: DisplayField) -> None:
    expected = json.dumps(plain_value(value, display), ensure_ascii=False)
    assert json_encoder(display)(value) == expected


@given(st.lists(st.text(min_size=1), min_size=1, max_size=4, unique=True), st.data())
def test_a_json_line_is_json_dumps_of_the_row(names: list[str], data: Any) -> None:
    fields = [DisplayField(name, name, "path") for name in names]
    rows = data.draw(st.lists(st.lists(VALUES, min_size=len(names), max_size=len(names))))
    expected = "".join(
        json.dumps(
            {f.name: plain_value(v, f) for f, v in zip(fields, row, strict=True)},
            ensure_ascii=False,
        )
        + "\n"
        for row in rows
    )
    assert JsonLinesWriter(fields).rows(rows) == expected


def test_numbers_are_never_taken_for_formulas() -> None:
    number = DisplayField("n", "N", "path")
    assert csv_text(Decimal("-1.50"), number) == "-1.50"
    assert csv_text(-3, number) == "-3"
    assert csv_text(Decimal("-Infinity"), number) == "'-Infinity"
    assert csv_text("-1.50", number) == "'-1.50"  # text that looks like one is still text


def test_csv_rows_neutralize_formulas_and_keep_numbers() -> None:
    fields = [DisplayField(name, name, "path") for name in ("a", "b", "c", "d")]
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("Etc/UTC"))
    text = CsvWriter(fields).rows([["=SUM(A1)", -3, Decimal("-1.50"), moment]])
    assert text == "'=SUM(A1),-3,-1.50,2026-01-02T03:04:05+00:00\r\n"
    assert CsvWriter(fields).rows([[None, True, date(2020, 2, 29), "plain"]]) == (
        ",true,2020-02-29,plain\r\n"
    )


# Reading ahead


class Result:
    """A result whose batches are made on demand, as a server-side cursor fetches them."""

    def __init__(self, batches: int | None, fail_after: int | None = None) -> None:
        self.batches, self.fail_after, self.made = batches, fail_after, 0

    def partitions(self) -> Iterator[list[int]]:
        while self.batches is None or self.made < self.batches:
            if self.made == self.fail_after:
                raise RuntimeError("connection lost")
            self.made += 1
            yield [self.made]


def _readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "export-reader"]


def test_every_batch_arrives_in_order() -> None:
    assert list(read_ahead(Result(50))) == [[n] for n in range(1, 51)]
    assert _readers() == []


def test_a_failure_while_reading_reaches_the_writer() -> None:
    batches = read_ahead(Result(None, fail_after=2))
    assert next(batches) == [1]
    assert next(batches) == [2]
    with pytest.raises(RuntimeError, match="connection lost"):
        next(batches)
    assert _readers() == []


def test_a_writer_that_stops_stops_the_reader() -> None:
    result = Result(None)  # endless
    batches = read_ahead(result)
    assert [next(batches) for _ in range(3)] == [[1], [2], [3]]
    batches.close()  # the client went away
    assert _readers() == []
    made = result.made
    assert made <= 5  # one batch waiting, one being fetched
    assert result.made == made  # and nothing more is fetched
