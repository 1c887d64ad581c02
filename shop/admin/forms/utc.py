"""Date and time inputs. Timestamps are entered, shown and stored in UTC, whatever the
active time zone: staff in different places see and type the same value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import SafeString

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M:%S"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT)
# Years every supported database stores (MariaDB's DATE/DATETIME start at 1000).
MIN_YEAR = 1000


def year_validator(value: date) -> None:
    if value.year < MIN_YEAR:
        raise ValidationError(
            "Enter a date between the years %(low)s and 9999.",
            code="date_range",
            params={"low": MIN_YEAR},
        )


class UTCSplitDateTimeWidget(forms.SplitDateTimeWidget):
    """A date input and a time input, showing the value in UTC."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs,
            date_format=DATE_FORMAT,
            time_format=TIME_FORMAT,
            date_attrs={"type": "date"},
            time_attrs={"type": "time", "step": "1"},
        )

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # One box for both inputs, so that the layout treats them as one field.
        return format_html(
            '<div class="datetime">{}</div>', super().render(name, value, attrs, renderer)
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime):
            # Django's widget would convert to the active time zone; the admin speaks UTC.
            if value.tzinfo is not None:
                value = value.astimezone(UTC)
            return [value.date(), value.time().replace(microsecond=0, tzinfo=None)]
        return [None, None]


class UTCSplitDateTimeField(forms.SplitDateTimeField):
    """Date + time parts read as UTC; the cleaned value is an aware UTC datetime."""

    widget = UTCSplitDateTimeWidget

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("help_text"):
            kwargs["help_text"] = "Date and time in UTC."
        super().__init__(**kwargs)
        # The field's <label> has no `for` (two inputs, as in Django): each input names
        # itself, for screen readers and for finding it by its label.
        name = str(self.label) if self.label else "Date and time"
        date_input, time_input = self.widget.widgets
        date_input.attrs.setdefault("aria-label", f"{name}: date")
        time_input.attrs.setdefault("aria-label", f"{name}: time (UTC)")

    def compress(self, data_list: list[Any]) -> datetime | None:
        if not data_list:
            return None
        day, moment = data_list
        if day in self.empty_values:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if moment in self.empty_values:
            raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        year_validator(day)
        return datetime.combine(day, moment).replace(tzinfo=UTC)
