"""Reading the environment variables that configure the registry (``config.settings``).

Every variable is read through one of these functions, so that each is parsed one way and a value that does not
parse stops the service at start with a message naming the variable, rather than running with a default nobody
chose. An empty value counts as not set, except for a list (``env_list``), where it means an empty one.
docs/deploy.md lists every variable (``tests/test_settings.py`` checks that the list is complete).
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["api_rate", "env_bool", "env_int", "env_list", "env_path", "env_str"]

# A DRF rate: how many requests per second, minute, hour or day (DRF reads the period's first letter only).
RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def env_str(name: str, default: str) -> str:
    """Read a text environment variable, without surrounding blanks."""
    return os.environ.get(name, "").strip() or default


def env_path(name: str, default: Path) -> Path:
    """Read a file or folder path from the environment."""
    raw = env_str(name, "")
    return Path(raw) if raw else default


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable; refuse anything that is not clearly true or false."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Read a whole-number environment variable; refuse anything else, or a number below ``minimum``."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more; got {value}")
    return value


def api_rate(name: str, default: str) -> str | None:
    """An API rate limit such as ``120/minute``; ``off`` is no limit (None)."""
    raw = env_str(name, default)
    if raw.lower() == "off":
        return None
    if not RATE.fullmatch(raw):
        raise ImproperlyConfigured(f"{name} must be a rate such as 120/minute or 5000/hour, or off; got {raw!r}")
    return raw
