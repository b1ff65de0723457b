"""The parsed customer's ledger: its lines in columns, amounts in minor units. Pure Python."""

from array import array
from collections.abc import Sequence
from decimal import Decimal

from .reading import MAX_AMOUNT
from .row_kinds import HEADER, TITLE

# A line without a balance (its file has no balance column), in the balance column.
NO_BALANCE = -(2**63)


def _units_column(places):
    """A column of amounts in minor units: 8 bytes a value (an array) when they fit, as they
    do up to 5 decimals (amounts are below ``MAX_AMOUNT``)."""
    return array("q") if 2 * MAX_AMOUNT * 10**places < 2**63 else []


class LedgerLine:
    """One line of their ledger, a view of its row in the :class:`Ledger`'s columns. Amounts
    are integers in minor units of the statement's currency (``Ledger.places`` decimals,
    rounded half up as Odoo rounds them): ``units`` in their books (their debit positive),
    ``debit_units`` / ``credit_units`` as in the file, ``balance_units`` their running balance
    (None when the file has none). ``amount`` and ``balance`` are Decimals in our convention,
    from the signs ``Ledger.apply_sign`` sets."""

    __slots__ = ("index", "ledger")

    def __init__(self, ledger, index):
        self.ledger = ledger
        self.index = index

    row = property(lambda self: self.ledger.rows[self.index])
    date = property(lambda self: self.ledger.dates[self.index])
    reference = property(lambda self: self.ledger.references[self.index])
    voucher = property(lambda self: self.ledger.vouchers[self.index])
    description = property(lambda self: self.ledger.descriptions[self.index])
    debit_units = property(lambda self: self.ledger.debits[self.index])
    credit_units = property(lambda self: self.ledger.credits[self.index])
    units = property(lambda self: self.ledger.units[self.index])

    @property
    def balance_units(self):
        balance = self.ledger.balances[self.index]
        return None if balance == NO_BALANCE else balance

    @property
    def amount(self):
        sign = self.ledger.sign
        return None if sign is None else self.ledger.decimal(sign * self.units)

    @property
    def balance(self):
        sign, balance = self.ledger.balance_sign, self.balance_units
        if sign is None or balance is None:
            return None
        return self.ledger.decimal(sign * balance)

    @property
    def debit(self):
        return self.ledger.decimal(self.debit_units)

    @property
    def credit(self):
        return self.ledger.decimal(self.credit_units)


class _Lines(Sequence):
    """``Ledger.lines``: its lines as :class:`LedgerLine` views, made when read."""

    def __init__(self, ledger):
        self.ledger = ledger

    def __len__(self):
        return len(self.ledger.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [LedgerLine(self.ledger, i) for i in range(len(self))[index]]
        count = len(self)
        if not -count <= index < count:
            raise IndexError(index)
        return LedgerLine(self.ledger, index % count)


class Ledger:
    """The parsed ledger, in columns (one entry a line: a file of 200,000 lines holds no object
    a line): ``rows`` (row numbers), ``dates``, ``references``, ``vouchers``, ``descriptions``
    and the amounts in minor units ``debits``, ``credits``, ``units`` (their debit positive)
    and ``balances`` (``NO_BALANCE`` when none); ``lines`` shows them line by line.

    ``raw_opening`` / ``raw_closing``: (units, read from the balance column) or None.
    ``sign`` (+1 or -1, set by ``apply_sign``) turns their amounts into ours, ``balance_sign``
    their balances; ``opening`` / ``closing`` are then Decimals in our convention (or None).
    """

    def __init__(self, places=2):
        self.places = places
        self.rows = array("l")
        self.dates = []
        self.references = []
        self.vouchers = []
        self.descriptions = []
        self.debits = _units_column(places)
        self.credits = _units_column(places)
        self.units = _units_column(places)
        self.balances = _units_column(places)
        self.lines = _Lines(self)
        self.raw_opening = None
        self.raw_closing = None
        self.kinds = {}  # row_kinds kind: how many rows of the file are of it
        self.preview = []  # the first rows below the header: (row, kind, date, reference, units, text)
        self.day_order = None  # how x/y/yyyy dates were read: "day_first", "month_first"
        self.day_order_open = False  # the file could not tell which (month first was taken)
        self.balance_factor = None
        self.sign = None
        self.balance_sign = None
        self.opening = None
        self.closing = None

    @property
    def skipped(self):
        """The rows below the header row that are not lines."""
        return sum(count for kind, count in self.kinds.items() if kind not in (TITLE, HEADER))

    def append(self, row, date, reference, voucher, description, debit, credit, units, balance):
        self.rows.append(row)
        self.dates.append(date)
        self.references.append(reference)
        self.vouchers.append(voucher)
        self.descriptions.append(description)
        self.debits.append(debit)
        self.credits.append(credit)
        self.units.append(units)
        self.balances.append(NO_BALANCE if balance is None else balance)

    def decimal(self, units):
        return Decimal(units).scaleb(-self.places)

    def apply_sign(self, sign):
        """Convert to our convention: ``sign`` -1 when their credit is our debit (their payables)."""
        self.sign = sign
        # A balance column shows the balance on its natural side; balance_factor says which.
        # Unknown: positive means they owe us, whatever their convention.
        factor = self.balance_factor if self.balance_factor is not None else sign
        self.balance_sign = sign * factor

        def convert(found):
            if found is None:
                return None
            units, from_balance = found
            return self.decimal(sign * factor * units if from_balance else sign * units)

        self.opening = convert(self.raw_opening)
        self.closing = convert(self.raw_closing)
        lines = self.lines
        if self.closing is None and lines and lines[-1].balance is not None:
            self.closing = lines[-1].balance
        if self.opening is None and lines and lines[0].balance is not None:
            self.opening = lines[0].balance - lines[0].amount
        return self
