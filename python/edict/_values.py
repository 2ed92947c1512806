"""Python values to and from Edict's: how a case given as Python data is written as the JSON a
case file holds (which the native decoder then reads, as `edict eval` does), and the one outcome
type Python lacks (durations). Numbers stay exact: a float is refused unless the caller opts in."""

import datetime
import decimal
import fractions
import json
import math
import numbers
from typing import NamedTuple


class Duration(NamedTuple):
    """An Edict duration: whole months and whole days, kept apart (a month has no fixed length)."""

    months: int = 0
    days: int = 0

    def __str__(self):
        parts = []
        years, months = divmod(abs(self.months), 12)
        sign = "-" if self.months < 0 else ""
        if years:
            parts.append(f"{sign}{years} year{'s' if years != 1 else ''}")
        if months:
            parts.append(f"{sign}{months} month{'s' if months != 1 else ''}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'s' if abs(self.days) != 1 else ''}")
        return " + ".join(parts)


class ValueProblem(Exception):
    """A Python value that has no exact Edict spelling; `field` is its dotted path in the case."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def _path(path):
    return ".".join(str(p) for p in path) or None


def decimal_text(value, path=()):
    """The exact decimal literal of an int, Fraction or Decimal; a ValueProblem when it has none."""
    if isinstance(value, bool):
        raise ValueProblem(_path(path), "expected a number, found a bool")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueProblem(_path(path), f"expected a finite number, found Decimal('{value}')")
        return format(value, "f")
    if isinstance(value, fractions.Fraction):
        den, twos, fives = value.denominator, 0, 0
        while den % 2 == 0:
            den, twos = den // 2, twos + 1
        while den % 5 == 0:
            den, fives = den // 5, fives + 1
        if den != 1:
            raise ValueProblem(
                _path(path),
                f"the fraction {value} has no finite decimal expansion; a case gives numbers as decimals",
            )
        digits = max(twos, fives)
        scaled = value * 10**digits
        sign = "-" if scaled < 0 else ""
        text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
        return sign + (text[:-digits] + "." + text[-digits:] if digits else text)
    raise ValueProblem(_path(path), f"expected a number, found {type(value).__name__}")


class Number(str):
    """A number's exact decimal literal, written into JSON as a number (not a string)."""


def dumps(data):
    """JSON text of what to_json_data gives, its Numbers written as JSON numbers."""
    if isinstance(data, Number):
        return str(data)
    if isinstance(data, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in data.items()) + "}"
    if isinstance(data, list):
        return "[" + ",".join(dumps(v) for v in data) + "]"
    return json.dumps(data)


def to_json_data(value, allow_float=False, path=()):
    """The value as plain JSON data (dicts, lists, str, int, bool, None), exact numbers other than
    int as Numbers (their decimal literal), which dumps writes as JSON numbers."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (fractions.Fraction, decimal.Decimal)):
        return Number(decimal_text(value, path))
    if isinstance(value, float):
        if not allow_float:
            raise ValueProblem(
                _path(path),
                f"the float {value!r} is not exact; give a fractions.Fraction, a decimal.Decimal, an int or "
                "a string, or pass allow_float=True to read floats as their shortest decimal spelling",
            )
        if not math.isfinite(value):
            raise ValueProblem(_path(path), f"expected a finite number, found {value!r}")
        return Number(decimal_text(decimal.Decimal(repr(value)), path))
    if isinstance(value, datetime.datetime):
        raise ValueProblem(_path(path), "expected a date (datetime.date), found a datetime.datetime")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Duration):
        if value.months and value.days:
            raise ValueProblem(_path(path), f"a case gives a duration in one unit: {value} has months and days")
        return f"{value.months} months" if value.months else f"{value.days} days"
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueProblem(_path(path), f"field names are strings, found {k!r}")
            out[k] = to_json_data(v, allow_float, path + (k,))
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [to_json_data(v, allow_float, path + (i,)) for i, v in enumerate(items)]
    if hasattr(value, "item") and callable(value.item):  # a NumPy scalar (from pandas)
        return to_json_data(value.item(), allow_float, path)
    if isinstance(value, numbers.Integral):
        return int(value)
    raise ValueProblem(_path(path), f"no Edict value is a {type(value).__name__}")


def csv_text(value, allow_float=False, column=None):
    """One CSV field: the text the CSV case reader takes for the value (empty for a missing one)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""  # pandas' missing value
    try:
        import pandas

        if value is pandas.NaT or value is pandas.NA:
            return ""
        if isinstance(value, pandas.Timestamp):
            if value != value.normalize():
                raise ValueProblem(column, f"expected a date, found the timestamp {value}")
            return value.date().isoformat()
    except ImportError:
        pass
    data = to_json_data(value, allow_float, (column,) if column else ())
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, (dict, list)):
        raise ValueProblem(column, "a CSV column holds one value: name the fields with dotted columns")
    return str(data)
