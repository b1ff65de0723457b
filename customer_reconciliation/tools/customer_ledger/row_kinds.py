"""What a row of a customer's ledger is when it is not a line: its kinds. Pure Python.

Every row of a file ends as a line, one of the kinds below, or an error (``parsing``): the
import shows how many rows of each kind it did not import, and never drops one silently.
"""

import re
import unicodedata

from .headers import simplified

TITLE = "title"  # above the header row: the tool's title block
HEADER = "header"
SUBTOTAL = "subtotal"  # 合计, 小计, 累计, Total for <vendor>...
CARRIED = "carried"  # a page's carry-over: 承上页, 过次页
OPENING = "opening"  # 期初余额, Beginning Balance: their opening balance
CLOSING = "closing"  # 期末余额, Ending Balance: their closing balance
NOTE = "note"  # no date and no amount: a signature, a printing date, a remark
ZERO = "zero"  # an entry of zero
LINE = "line"
KINDS = (TITLE, HEADER, SUBTOTAL, CARRIED, OPENING, CLOSING, NOTE, ZERO)

_SUBTOTAL = re.compile(
    r"(本日|当日|本月|当月|本期|当期|当前|本季|本年|全年|本页|月|年|日|期间)?(合计|小计|累计|总计)"
    r"|本期发生额合计|发生额合计|累计发生额|本期发生额|月计|年计|季计|日计"
    r"|sub-?totals?|totals?|grandtotal|pagetotal|reporttotal",
    re.IGNORECASE,
)
_CARRIED = re.compile(
    r"承上页|承前页|接上页|上页转来|过次页|转次页|转下页|carriedover|broughtover",
    re.IGNORECASE,
)
_OPENING = re.compile(
    r"期初余额|期初|期初数|期初结余|上期结转|上年结转|上月结转|上期余额|上年余额|上月余额|上期结余"
    r"|年初余额|年初数|月初余额"
    r"|openingbalance(asat.*)?|opening|beginningbalance|startingbalance|balancebroughtforward"
    r"|broughtforward|balancebroughtdown|broughtdown|balanceforward|(balance|bal)?b/?(f|fwd|d)",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"期末余额|期末|期末数|期末结余|本期余额|本月余额|本年余额|本期结余|月末余额|年末余额"
    r"|结转下年|下年结转|结转下期|结转下月"
    r"|closingbalance(asat.*)?|closing|endingbalance|endbalance|balancecarriedforward"
    r"|carriedforward|balancecarrieddown|carrieddown|(balance|bal)?c/?(f|fwd|d)",
    re.IGNORECASE,
)
_PATTERNS = ((SUBTOTAL, _SUBTOTAL), (CARRIED, _CARRIED), (OPENING, _OPENING), (CLOSING, _CLOSING))

# A cell of figures, dates and punctuation only names no kind of row.
_NO_WORDS = re.compile(r"[\d\s,.\-/:()+]*")
# What every text above holds, full-width and Traditional forms included: a row without it
# is an ordinary line (a first look, in C string methods, before the patterns).
_KIND_CHARS = re.compile("[计页期结初余計頁結餘\uff00-\uffef*]")
_KIND_WORDS = ("total", "open", "forward", "clos", "begin", "ending", "start", "over", "down")
# b/f, c/d, b/fwd...: a "b" or "c" then "f" or "d".
_BF = re.compile(r"[bc]\s*/?\s*[fd]")


def _may_name_kind(text):
    if _KIND_CHARS.search(text):
        return True
    low = text.lower()
    for word in _KIND_WORDS:
        if word in low:
            return True
    return ("f" in low or "d" in low) and bool(_BF.search(low))


# Totals that only a row without a date is taken for: "Total Accounts Payable" (Xero), "*"
# (SAP's total rows), "供应商合计".
_LOOSE_TOTAL = re.compile(
    r"(sub|grand)?totals?(\s+for)?\b.*|\*{1,3}|.{1,30}(合计|小计|总计)", re.IGNORECASE
)


def row_kind(cells):
    """SUBTOTAL, CARRIED, OPENING or CLOSING when a text of the row says so, else LINE."""
    texts = [cell for cell in cells if isinstance(cell, str)]
    if not _may_name_kind("\n".join(texts)):
        return LINE  # the usual row: one look at all its texts
    for cell in texts:
        if len(cell) <= 60 and _may_name_kind(cell) and not _NO_WORDS.fullmatch(cell):
            text = re.sub(r"[\s:：*]+", "", simplified(unicodedata.normalize("NFKC", cell)))
            for kind, pattern in _PATTERNS:
                if pattern.fullmatch(text):
                    return kind
    return LINE


def is_loose_total(cells):
    """Whether a text of a row without a date reads as a total of some kind."""
    for cell in cells:
        if isinstance(cell, str) and len(cell) <= 60:
            text = simplified(unicodedata.normalize("NFKC", cell)).strip()
            if text and _LOOSE_TOTAL.fullmatch(text):
                return True
    return False
