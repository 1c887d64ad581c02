"""Rows of list_display values written as CSV records or JSON Lines objects.

A writer takes the values as the database (or a display method) gives them and encodes
each with its column's encoder (shop.admin.export.cells); a batch of rows becomes one
chunk of text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any, Protocol

from shop.admin.changelist.config import DisplayField
from shop.admin.export.cells import csv_encoder, json_encoder
from shop.admin.export.formats import CSV, headers, neutralize_formula


class Writer(Protocol):
    def header(self) -> str: ...

    def rows(self, rows: Iterable[Sequence[Any]]) -> str: ...


class CsvWriter:
    """Renders rows as CSV text; `csv` quotes separators, quotes and line breaks."""

    def __init__(self, fields: Sequence[DisplayField]) -> None:
        self._labels = [neutralize_formula(text) for text in headers(fields)]
        self._encoders = [csv_encoder(field) for field in fields]
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def header(self) -> str:
        self._writer.writerow(self._labels)
        return self._take()

    def rows(self, rows: Iterable[Sequence[Any]]) -> str:
        encoders = self._encoders
        self._writer.writerows(
            [encode(value) for encode, value in zip(encoders, values, strict=True)]
            for values in rows
        )
        return self._take()

    def _take(self) -> str:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


class JsonLinesWriter:
    """One JSON object per line, keyed by the list_display names (stable and unique).

    The text is json.dumps(dict(...), ensure_ascii=False) of the plain values: the keys
    and separators are fixed per export, so each line fills one template.
    """

    def __init__(self, fields: Sequence[DisplayField]) -> None:
        # A "%" in a key is literal text in the template.
        keys = [encode_basestring(field.name).replace("%", "%%") for field in fields]
        self._template = "{" + ", ".join(f"{key}: %s" for key in keys) + "}\n"
        self._encoders = [json_encoder(field) for field in fields]

    def header(self) -> str:
        return ""

    def rows(self, rows: Iterable[Sequence[Any]]) -> str:
        template, encoders = self._template, self._encoders
        return "".join(
            [
                template
                % tuple([encode(value) for encode, value in zip(encoders, values, strict=True)])
                for values in rows
            ]
        )


def writer_for(name: str, fields: Sequence[DisplayField]) -> Writer:
    return CsvWriter(fields) if name == CSV else JsonLinesWriter(fields)
