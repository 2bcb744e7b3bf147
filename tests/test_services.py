"""Review-state changes go through explicit service functions that refuse disallowed transitions."""

import pytest

from datasets import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_draft_goes_through_review_before_publication():
    record = factories.make_chip(review_status="draft")
    with pytest.raises(services.TransitionError, match="draft"):
        services.publish(record)
    services.submit_for_review(record)
    services.publish(record)
    record.refresh_from_db()
    assert record.review_status == "published"


def test_withdraw_needs_a_reason_and_keeps_it():
    record = factories.make_source()
    with pytest.raises(services.TransitionError, match="reason"):
        services.withdraw(record, "  ")
    services.withdraw(record, "URL points to a different article")
    record.refresh_from_db()
    assert record.review_status == "withdrawn"
    assert "URL points to a different article" in record.curator_notes


def test_withdrawn_record_returns_to_draft_not_straight_to_public():
    record = factories.make_organization(review_status="withdrawn")
    with pytest.raises(services.TransitionError):
        services.publish(record)
    services.return_to_draft(record)
    assert record.review_status == "draft"


def test_default_grantor_is_the_model_developer():
    release = factories.make_model_release()
    assert services.default_grantor(release) == release.developer
    assert services.default_grantor(None) is None
