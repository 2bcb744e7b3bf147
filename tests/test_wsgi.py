"""The WSGI process keeps its memory flat: start-up objects frozen, a full collection every hundred requests."""

import gc
import itertools
from unittest import mock

from django.core.signals import request_finished


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
