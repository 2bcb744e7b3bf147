"""The WSGI process keeps its memory flat: start-up objects frozen, a full collection every hundred requests."""

import gc
import itertools
from unittest import mock

import pytest
from django.core.signals import request_finished
from django.db.models import Model
from rest_framework.response import Response

from tests import factories
from tests.wsgi_testing import connection_kept, environ


def test_the_start_up_objects_are_frozen_and_a_collection_runs_every_hundred_finished_requests():
    from config import wsgi

    assert gc.get_freeze_count() > 10_000  # Django, the apps, the URLconf and the views
    wsgi.collector.finished = itertools.count(1)  # other tests' requests counted too
    with mock.patch.object(wsgi.gc, "collect") as collect:
        for _ in range(wsgi.Collector.EVERY * 3):
            wsgi.collector(sender=None)
    assert collect.call_count == 3
    # It listens to every finished request.
    assert request_finished.disconnect(dispatch_uid="config.wsgi.collector")
    request_finished.connect(wsgi.collector, dispatch_uid="config.wsgi.collector")


@pytest.fixture
def releases(db, settings):
    settings.API_CACHE_SECONDS = 0  # every answer built by its view
    lab = factories.make_organization(slug="lab")
    for number in range(5):
        release = factories.make_model_release(slug=f"model-{number}", developer=lab)
        factories.make_citation(release)


def left_in_cycles(url: str, accept: str) -> list:
    """The records and DRF responses that answering ``url`` through the WSGI application left only in reference
    cycles: what the next full collection would free. (Not through the test client, which keeps what a page's
    templates were given, the response among it.)"""
    from config.wsgi import django_application

    path, _, query = url.partition("?")
    statuses = []
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        with connection_kept():
            answer = django_application(
                environ(path, query, HTTP_ACCEPT=accept), lambda status, headers, exc_info=None: statuses.append(status)
            )
            body = b"".join(answer)
            answer.close()
            del answer
        gc.collect()
        # type(): no lazy object is evaluated.
        return [found for found in gc.garbage if issubclass(type(found), Model | Response)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        assert statuses == ["200 OK"] and b"model-1" in body


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/v1/model-releases/?limit=50", "application/json"),
        ("/api/v1/model-releases/model-1/", "application/json"),
        ("/api/v1/model-releases/?limit=50", "text/html"),
    ],
)
def test_a_public_read_leaves_no_record_and_no_answer_to_the_collector(releases, url, accept):
    """A page's records and its answer are freed when it has been answered, not by a collection of the oldest
    generation: nothing of what only rendering needed is left in DRF's cycles (api.conditional.rendered_only).
    The browsable API's page itself stays in the cycle that Django's template engine makes of every context
    rendered (the context holds the response), until the next full collection; its records do not."""
    left = left_in_cycles(url, accept)
    if accept == "text/html":
        left = [found for found in left if not isinstance(found, Response)]
    assert left == []
