"""Checking that sources' addresses still answer (``manage.py check_sources``), politely: one request at a
time, at most ``rate`` a second, a timeout, a user agent that says who asks. HEAD first; a server that refuses
HEAD (405, 501) is asked again with GET. Redirects are followed (by GET, as browsers do). The result of each
address is kept as its ``LinkCheck``; the source itself is never changed."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from datasets.models import LinkCheck

USER_AGENT = "AIAccessRegistry-check_sources/1 (source link check; a curators' tool)"
HEAD_REFUSED = (405, 501)


@dataclass(frozen=True)
class Answer:
    status: int | None
    final_url: str
    error: str


def ask(url: str, timeout: float) -> Answer:
    """What ``url`` answers: its final status and address, or why nothing answered."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
                answer = Answer(response.status, response.url, "")
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.url or url, "")
        except TimeoutError:
            return Answer(None, "", f"no answer within {timeout:g} s")
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError | socket.timeout):
                return Answer(None, "", f"no answer within {timeout:g} s")
            return Answer(None, "", str(reason)[:300])
        if method == "HEAD" and answer.status in HEAD_REFUSED:
            continue
        return answer
    return answer


def check_sources(sources, *, timeout: float = 10, rate: float = 1.0, asker=ask) -> list[LinkCheck]:
    """Check each source's URL and archived URL, keeping each result; returns the checks made."""
    checks = []
    pause = 1 / rate if rate > 0 else 0
    last = None
    for source in sources:
        for which in ("url", "archived_url"):
            url = getattr(source, which)
            if not url or not url.startswith(("http://", "https://")):
                continue
            if last is not None and pause:
                time.sleep(max(0.0, pause - (time.monotonic() - last)))
            last = time.monotonic()
            answer = asker(url, timeout)
            check, _ = LinkCheck.objects.update_or_create(
                source=source,
                which=which,
                defaults={
                    "url": url,
                    "checked_at": timezone.now(),
                    "status": answer.status,
                    "final_url": answer.final_url if answer.final_url != url else "",
                    "error": answer.error,
                },
            )
            checks.append(check)
    return checks


def dead_links(limit: int = 25) -> list[LinkCheck]:
    """The published sources' addresses that did not answer with a page when last checked."""
    answered_with_a_page = Q(status__gte=200, status__lt=300)
    checks = LinkCheck.objects.filter(source__review_status="published").exclude(answered_with_a_page)
    return list(checks.select_related("source").order_by("-checked_at")[:limit])


__all__ = ["USER_AGENT", "Answer", "ask", "check_sources", "dead_links"]
