"""Receivables insight: the formulas, in one place, read by the snapshots, the customer
figures, the alerts and the tests.

DSO, count-back method (the one definition of the addon)
    Start from the receivable balance at the month end and walk back month by month over
    the last N months (the month of the month end first): while the balance left is at
    least the month's net sales (invoices less credit notes, tax included), the whole
    month's days count and its sales are taken off; the month that exhausts the balance
    counts its days in proportion (balance left / month's sales). A month without positive
    sales counts whole. If the N months' sales do not exhaust the balance, the excess counts
    at the window's average daily sales: a customer owing a year of sales shows a DSO beyond
    the window, not a capped one. When the window had no sales at all, the count-back goes
    on through the longest history given (12 months). A balance of zero or less: DSO 0. A
    balance without any sales in the whole history: no DSO (None).

    Example: balance 150, sales 100 (October, 31 days), 100 (September, 30 days):
    31 + 30 x 50 / 100 = 46 days.

Odoo's own ``days_sales_outstanding`` (res.partner, shown beside ours for comparison) is
    today's receivable / all invoices ever (tax included) x days since the first invoice:
    a lifetime average that hardly moves; ours follows the last months.

Payment behaviour (paid invoices, weighted by the amount paid)
    Each partial reconciliation of an invoice with a payment or credit is one payment of its
    amount on the later of the two dates. Over a window: days to pay = sum(amount x (payment
    date - invoice date)) / sum(amount); days late = the same with max(0, payment date -
    due date); on-time ratio = amount paid on or before the due date / amount paid.
"""

from dataclasses import dataclass
from datetime import timedelta

from dateutil.relativedelta import relativedelta

# Trend: a DSO (or days late) this many days worse than the previous period is "worsening".
TREND_TOLERANCE_DAYS = 3.0

CREDIT_ACTIONS = [
    ("raise", "Raise"),
    ("keep", "Keep"),
    ("lower", "Lower"),
    ("hold", "Hold"),
]
TRENDS = [("improving", "Improving"), ("stable", "Stable"), ("worsening", "Worsening")]


def month_end(day):
    """The last day of the month of ``day``."""
    return day + relativedelta(day=31)


def last_closed_month_end(today):
    return today.replace(day=1) - timedelta(days=1)


def month_ends_back(last, count):
    """``count`` month ends, the oldest first, ending with ``last``."""
    return [month_end(last - relativedelta(months=n)) for n in range(count - 1, -1, -1)]


def month_sales(sales, day, count):
    """[(net sales, days)] of the ``count`` months ending with the month of ``day``, newest
    first, from {first day of a month: sales}."""
    months = []
    start = day.replace(day=1)
    for _n in range(count):
        end = month_end(start)
        months.append((sales.get(start, 0.0), (end - start).days + 1))
        start -= relativedelta(months=1)
    return months


def count_back_dso(balance, months, history=None):
    """DSO by the count-back method. ``months``: [(net sales, days)] of the window, newest
    first; ``history``: the same over a longer period starting with the window, counted back
    instead when the window had no sales."""
    if balance <= 0:
        return 0.0
    if history and not any(sales > 0 for sales, _days in months):
        months = history
    left = balance
    dso = 0.0
    for sales, days in months:
        if sales <= 0 or left >= sales:
            dso += days
            left -= max(sales, 0)
            if left <= 0:
                return dso
            continue
        return dso + days * left / sales
    total_sales = sum(max(sales, 0) for sales, _days in months)
    if total_sales <= 0:
        return None
    total_days = sum(days for _sales, days in months)
    return dso + left * total_days / total_sales


def trend(current, previous, tolerance=TREND_TOLERANCE_DAYS):
    """'improving', 'stable' or 'worsening' (a higher figure is worse); None without both."""
    if current is None or previous is None:
        return None
    if current > previous + tolerance:
        return "worsening"
    if current < previous - tolerance:
        return "improving"
    return "stable"


@dataclass(frozen=True)
class Score:
    """The payment-behaviour score (0-100) and its components (each 0-100)."""

    on_time: float  # on-time ratio of the last 12 months, in %: weight 40
    lateness: float  # 100 at 0 days late, 0 at 60 days or more: weight 25
    overdue: float  # 100 - overdue share of the balance, in %: weight 20
    trend: float  # DSO trend: improving 100, stable 70, worsening 0: weight 15
    total: float


SCORE_WEIGHTS = {"on_time": 40, "lateness": 25, "overdue": 20, "trend": 15}
LATENESS_ZERO_DAYS = 60.0
TREND_POINTS = {"improving": 100.0, "stable": 70.0, "worsening": 0.0, None: 70.0}


def payment_score(on_time_ratio, days_late, balance, overdue, dso_trend):
    """The score of a customer's payment behaviour. Without paid invoices (no history) the
    on-time and lateness components are neutral (50)."""
    if on_time_ratio is None:
        on_time = lateness = 50.0
    else:
        on_time = 100.0 * max(0.0, min(1.0, on_time_ratio))
        lateness = 100.0 * max(0.0, 1.0 - max(days_late or 0.0, 0.0) / LATENESS_ZERO_DAYS)
    if balance > 0:
        overdue_part = 100.0 * (1.0 - max(0.0, min(1.0, overdue / balance)))
    else:
        overdue_part = 100.0
    trend_part = TREND_POINTS[dso_trend]
    parts = {"on_time": on_time, "lateness": lateness, "overdue": overdue_part, "trend": trend_part}
    total = sum(parts[key] * weight for key, weight in SCORE_WEIGHTS.items()) / sum(
        SCORE_WEIGHTS.values()
    )
    return Score(total=round(total, 1), **{key: round(value, 1) for key, value in parts.items()})


# The credit suggestion: thresholds of the score, and the sizes of a change.
RAISE_MIN_SCORE = 80.0
RAISE_MIN_USAGE = 0.8  # a limit worth raising is used: balance >= 80% of it
LOWER_MAX_SCORE = 50.0
HOLD_MAX_SCORE = 30.0
RAISE_FACTOR = 1.25
LOWER_FACTOR = 0.75


@dataclass(frozen=True)
class CreditSuggestion:
    action: str  # a key of CREDIT_ACTIONS
    limit: float  # the credit limit suggested (the current one when kept)


def _round_limit(amount):
    """A limit a person would write: to the 100 below for small ones, to the 1,000 above."""
    if amount < 10000:
        return float(max(100, int(amount // 100) * 100))
    return float(int(amount // 1000) * 1000)


def credit_suggestion(score, credit_limit, balance, overdue, peak_balance):
    """What to do with a customer's credit limit (0: none set).

    hold  overdue above the limit, or a score below 30: no new credit, the limit is lowered
          to the balance (never raised);
    lower score below 50: the limit (or the 12 months' peak balance when none is set) x 0.75,
          never below the balance;
    raise score of 80 or more and the limit used at 80% or more: the limit x 1.25; a good
          payer without a limit is proposed his 12 months' peak balance x 1.25;
    keep  otherwise.
    """
    if credit_limit > 0 and overdue > credit_limit or score < HOLD_MAX_SCORE:
        limit = credit_limit if credit_limit > 0 else peak_balance
        return CreditSuggestion("hold", _round_limit(max(min(limit, max(balance, 0)), 0)))
    if score < LOWER_MAX_SCORE:
        base = credit_limit if credit_limit > 0 else peak_balance
        return CreditSuggestion("lower", _round_limit(max(base * LOWER_FACTOR, balance, 0)))
    if score >= RAISE_MIN_SCORE:
        if credit_limit <= 0 and peak_balance > 0:
            return CreditSuggestion("raise", _round_limit(peak_balance * RAISE_FACTOR))
        if credit_limit > 0 and balance >= RAISE_MIN_USAGE * credit_limit:
            return CreditSuggestion("raise", _round_limit(credit_limit * RAISE_FACTOR))
    return CreditSuggestion("keep", credit_limit)


@dataclass(frozen=True)
class Swing:
    """The verdict on a month-end balance change (see ``swing_exceeds``)."""

    fired: bool
    basis: str | None  # "deviation" (value in standard deviations) or "percent" (value in %)
    value: float
    mean: float
    std: float


def swing_exceeds(history, change, k, percent=0.0, previous_balance=0.0):
    """Whether a month-end balance ``change`` is beyond the customer's own history: more than
    ``k`` standard deviations (sample) from the mean of the earlier monthly changes
    (``history``, at least 3 of them, not all equal), or, with ``percent`` set, more than that %
    of the previous month-end balance (in absolute value, when it is not zero).

    The standard deviations are reported first when both fire."""
    mean = std = 0.0
    if len(history) >= 3:
        mean = sum(history) / len(history)
        std = (sum((x - mean) ** 2 for x in history) / (len(history) - 1)) ** 0.5
        if std > 0 and abs(change - mean) > k * std:
            return Swing(True, "deviation", abs(change - mean) / std, mean, std)
    if percent and previous_balance:
        share = abs(change) / abs(previous_balance) * 100.0
        if share > percent:
            return Swing(True, "percent", share, mean, std)
    return Swing(False, None, 0.0, mean, std)
