"""The aging buckets: the one definition read by the engine's SQL, the statement's fields,
the PDF, the workbooks, the portal and the digest.

An open item is aged by its days overdue at the statement end date. Credits not yet applied
(unapplied payments, credit notes) are never late: the engine ages them at 0 days (not due).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class AgingBucket:
    key: str  # the open item's ``aging_bucket`` value
    field: str  # the statement's total of the bucket
    label: str  # English label; translated through the field and the selection
    max_days: int | None  # last day in the bucket; None: no upper bound


BUCKETS = (
    AgingBucket("not_due", "aging_not_due", "Not Due", 0),
    AgingBucket("1_30", "aging_1_30", "1-30 Days", 30),
    AgingBucket("31_60", "aging_31_60", "31-60 Days", 60),
    AgingBucket("61_90", "aging_61_90", "61-90 Days", 90),
    AgingBucket("over_90", "aging_over_90", "Over 90 Days", None),
)

SELECTION = [(bucket.key, bucket.label) for bucket in BUCKETS]
FIELDS = tuple(bucket.field for bucket in BUCKETS)


def bucket_of(days):
    """The bucket of an item ``days`` overdue: the rule in Python, which the SQL is tested against."""
    for bucket in BUCKETS:
        if bucket.max_days is None or days <= bucket.max_days:
            return bucket
    raise AssertionError("the last bucket has no upper bound")
