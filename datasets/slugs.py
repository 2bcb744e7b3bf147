"""The registry's one slug convention: lowercase ASCII letters and digits, words joined by single hyphens, where
every other character of the name (dots, spaces, slashes, underscores, brackets) becomes a hyphen and accents
are dropped: "GLM-4.6" is ``glm-4-6``, "DeepSeek V3.1-Terminus" ``deepseek-v3-1-terminus``, "Qwen2.5 (72B)"
``qwen2-5-72b``. Every slug in ``fixtures/`` follows it (tests/test_slugs.py).

A slug is a record's name in URLs and citations, so it never changes once published; a curator who types one
gets this check, and the admin fills it from the name as they type (``datasets/static/datasets/slug.js``, the
same rule). Revisions (``<slug>--revision-<n>``) are named by the workflow, not typed.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

CONVENTION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SEPARATORS = re.compile(r"[^a-z0-9]+")
RULE = (
    "lowercase letters and digits joined by single hyphens, every other character of the name made a hyphen "
    "(GLM-4.6 becomes glm-4-6)"
)


def slug_of(name: str) -> str:
    """The slug of ``name`` by the convention."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return SEPARATORS.sub("-", ascii_name.lower()).strip("-")


def check_slug(slug: str) -> None:
    """A ValidationError, in curators' words, for a slug outside the convention, with the one it would be."""
    if CONVENTION.fullmatch(slug):
        return
    suggestion = slug_of(slug)
    hint = f": {suggestion}" if suggestion else ""
    raise ValidationError(f"A slug is {RULE}. This one is not{hint}?", code="slug_convention")
