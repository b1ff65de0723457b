"""The dates of a customer's ledger: the order of day and month of a column, and dates split
in year, month and day columns. Pure Python."""

import re
import unicodedata
from datetime import date

from .reading import MAX_DATE, MAX_YEAR, MIN_DATE, MIN_YEAR, Formula, LedgerError, _lt
from .values import _DATE_XXY, guess_day_first, without_time

NOT_A_DATE = _lt("%(file)s, row %(row)s, column %(column)s: %(value)s is not a date.")
OUTSIDE_DATES = _lt(
    "%(file)s, row %(row)s, column %(column)s: %(value)s is outside the dates that can be "
    "imported (%(min_date)s to %(max_date)s)."
)
DATE_BOUNDS = {"min_date": MIN_DATE.isoformat(), "max_date": MAX_DATE.isoformat()}


class DayOrder:
    """d/m/yyyy or m/d/yyyy: ``fixed`` (the user's choice), else decided by the first date of
    the column that proves it (see ``values.guess_day_first``); month first until then.
    ``seen``: the column has x/y/yyyy dates (at the end, undecided: the file cannot tell)."""

    __slots__ = ("day_first", "decided", "seen")

    def __init__(self, fixed=None):
        self.day_first = bool(fixed)
        self.decided = fixed is not None
        self.seen = False

    def see(self, value):
        """Whether ``value`` needs the order to be read (a x/y/yyyy text); decides it when it
        can."""
        if not isinstance(value, str) or not any(char in value for char in "/.-"):
            return False
        text = without_time(unicodedata.normalize("NFKC", value))
        if not _DATE_XXY.fullmatch(text):
            return False
        self.seen = True
        if not self.decided:
            guess = guess_day_first([text])
            if guess or int(_DATE_XXY.fullmatch(text)[3]) > 12:
                self.day_first, self.decided = guess, True
        return True


# A year in a title block, the clearest form first: 2026年 / 2026年度, then 2026.01 or 2026-01,
# then a year alone (an account code such as 2121 is only taken when nothing else is there).
_TITLE_YEARS = (
    re.compile(r"(?<!\d)(19\d\d|2[01]\d\d)\s*年"),
    re.compile(r"(?<!\d)(19\d\d|2[01]\d\d)\s*[.\-/]\s*\d{1,2}(?!\d)"),
    re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)"),
)
_PART_NUMBER = re.compile(r"\s*(\d{1,4})\s*[年月日号號]?\s*")


class DateParts:
    """Dates split in year, month and day columns (用友): the year and the month carried down
    from the row that last gave them, the year from the title block when no row gives it."""

    def __init__(self, title_rows):
        self.year = None
        self.month = None
        texts = [cell for _number, cells in title_rows for cell in cells if isinstance(cell, str)]
        for pattern in _TITLE_YEARS:
            found = next((match for text in texts if (match := pattern.search(text))), None)
            if found:
                self.year = int(found[1])
                break

    @staticmethod
    def _number(reader, cells, role, row):
        raw = reader.cell(cells, role)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
            return int(raw)
        text = unicodedata.normalize("NFKC", str(raw)) if not isinstance(raw, Formula) else ""
        if match := _PART_NUMBER.fullmatch(text):
            return int(match[1])
        reader.error(NOT_A_DATE_PART, row, role, raw)
        return None

    def carry(self, reader, cells):
        """The year and the month a row that is not a line gives (an opening row of a month
        gives its month to the rows below)."""
        found = {}
        for role in ("year", "month"):
            if role in reader.mapping:
                raw = reader.cell(cells, role)
                text = unicodedata.normalize("NFKC", str(raw)) if raw is not None else ""
                if isinstance(raw, float) and raw.is_integer():
                    text = str(int(raw))
                if match := _PART_NUMBER.fullmatch(text):
                    found[role] = int(match[1])
        self._advance(found.get("year"), found.get("month"))

    def _advance(self, year, month):
        """Take a row's year and month; a month of the first quarter after one of the last,
        without a year of its own, is in the next year (December, then January)."""
        if not year and month and self.year and self.month and month <= 3 < 9 < self.month:
            self.year += 1
        self.year = year or self.year
        self.month = month or self.month

    def date(self, reader, cells, row):
        year = self._number(reader, cells, "year", row) if "year" in reader.mapping else None
        month = self._number(reader, cells, "month", row)
        day = self._number(reader, cells, "day", row)
        self._advance(year, month)
        if day is None:
            reader.error(
                _lt("%(file)s, row %(row)s, column %(column)s: the day is missing."), row, "day", ""
            )
        if self.year is None or self.month is None:
            raise LedgerError(
                _lt(
                    "%(file)s, row %(row)s: no year for its date. Map the year column, or give the "
                    "year in the title of the file (e.g. 2026年)."
                )
                if self.year is None
                else _lt(
                    "%(file)s, row %(row)s: no month for its date. Map the month column, or give "
                    "the month on the first row of each month."
                ),
                file=reader.filename,
                row=row,
            )
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            reader.error(OUTSIDE_DATES, row, "year" if year else "day", self.year, **DATE_BOUNDS)
        try:
            return date(self.year, self.month, day)
        except ValueError:
            return reader.error(NOT_A_DATE, row, "day", f"{self.year}-{self.month}-{day}")


NOT_A_DATE_PART = _lt(
    "%(file)s, row %(row)s, column %(column)s: %(value)s is not a year, month or day."
)
