"""The registry's CSV cells, both ways: what the API and the release files write, and what a batch of drafts
reads back (``datasets.services.batches``).

A list (related records, citations, aliases, country codes) is one cell, its slugs or values joined with
``LIST_SEPARATOR``. No cell is a formula when a spreadsheet opens the file (OWASP's "CSV Injection"): a text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a single quote
``'`` in front (``neutralised``); reading a cell takes that quote off again (``unneutralised``), so that a file
the API wrote imports as the values it holds.
"""

import re

LIST_SEPARATOR = ";"

# What a spreadsheet reads as the start of a formula, as OWASP lists it
# (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMULA_GUARD = "'"
# Text written as a plain decimal number: no spreadsheet can read a formula into it (no operator after the
# sign, no function, no reference), so it is left alone and stays a number to a spreadsheet, like a number
# field. Anything more than that ("-1+A1", "-1e5", "+1") is neutralised as OWASP says.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def neutralised(text: str) -> str:
    """``text`` with a ``'`` in front if a spreadsheet would read it as a formula.

    The quote makes a spreadsheet take the cell as text (OWASP's remedy); text that already starts with one
    is not a formula, so neutralising twice changes nothing.
    """
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return FORMULA_GUARD + text
    return text


def unneutralised(text: str) -> str:
    """The value of a cell ``neutralised`` wrote: without the ``'`` put in front of a formula's start."""
    if text.startswith(FORMULA_GUARD) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def list_items(text: str) -> list[str]:
    """The items of a list cell, each as it was before it was neutralised; none for an empty cell."""
    return [unneutralised(item.strip()) for item in text.split(LIST_SEPARATOR) if item.strip()]
