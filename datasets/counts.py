"""Large counts as people write them: ``671B``, ``1.6T``, ``49B``, ``7.2M``, stored as exact whole numbers.

Parameter counts are reported as "671B" or "1.6 trillion", and a raw ``355000000000`` invites a missing or extra
zero. ``parse_count`` reads a count with or without a suffix (K thousand, M million, B billion, T trillion; any
case; thousands separators ``,``, ``_`` or spaces allowed) and refuses what is not a whole number, so that
``1.2345B`` (1,234,500,000) is fine and ``1.23456789012B`` is not. ``format_count`` writes a count back in the
shortest such form that reads back to the same number, and with thousands separators when no suffix does.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import models

# The model field of a large count: the admin's forms read and show it as above (CountField), and so do a
# revision's changes.
COUNT_FIELD = models.PositiveBigIntegerField

SUFFIXES = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
# At most this many decimals after a suffix when writing (1.6T, 7.25B, 1.234M): beyond that, plain digits read better.
MAX_SHOWN_DECIMALS = 3
# Digits, in groups of three when separated (1,600 or 1 600 or 1_600), a decimal part, a suffix.
COUNT = re.compile(
    r"(?P<number>(?:[0-9]{1,3}(?:[,_ ][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<suffix>[KMBT])?", re.IGNORECASE
)
EXPECTED = "a whole number, or one with K, M, B or T (thousand, million, billion, trillion), e.g. 671B or 1.6T"


def parse_count(text: str) -> int:
    """The whole number that ``text`` writes; ValueError, saying what is expected, for anything else."""
    match = COUNT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a count: write {EXPECTED}.")
    digits = re.sub(r"[,_ ]", "", match["number"])
    try:
        number = Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a count: write {EXPECTED}.") from None
    suffix = (match["suffix"] or "").upper()
    value = number * SUFFIXES.get(suffix, 1)
    if value != value.to_integral_value():
        raise ValueError(f"{text.strip()!r} is not a whole number ({value.normalize():f}): give fewer decimals.")
    return int(value)


def format_count(value: int) -> str:
    """``value`` as the shortest of ``671B``, ``1.6T`` (at most three decimals) that reads back as it, else its
    digits with thousands separators (``7,241,748,480``)."""
    for suffix, unit in sorted(SUFFIXES.items(), key=lambda item: -item[1]):
        if value >= unit:
            shown = Decimal(value) / unit
            if shown == shown.quantize(Decimal(1).scaleb(-MAX_SHOWN_DECIMALS)):
                return f"{shown.normalize():f}{suffix}"
            break
    return f"{value:,}"
