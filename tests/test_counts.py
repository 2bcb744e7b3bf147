"""Large counts as curators write and read them (datasets.counts, the admin's CountField): 671B, 1.6T, exact."""

import re

import pytest

from datasets.choices import ReviewStatusChoices
from datasets.counts import format_count, parse_count
from tests import factories
from tests.admin_testing import admin_url, form_data


@pytest.mark.parametrize(
    ("text", "value", "shown"),
    [
        ("671B", 671_000_000_000, "671B"),
        ("1.6T", 1_600_000_000_000, "1.6T"),
        ("49b", 49_000_000_000, "49B"),
        ("37 B", 37_000_000_000, "37B"),
        ("355000000000", 355_000_000_000, "355B"),
        ("355,000,000,000", 355_000_000_000, "355B"),
        ("7.25B", 7_250_000_000, "7.25B"),
        ("1.2345B", 1_234_500_000, "1,234,500,000"),  # four decimals: digits read better
        ("7,241,748,480", 7_241_748_480, "7,241,748,480"),
        ("128K", 128_000, "128K"),
        ("999", 999, "999"),
        ("0", 0, "0"),
    ],
)
def test_a_count_reads_as_written_and_is_shown_in_a_form_that_reads_back(text, value, shown):
    assert parse_count(text) == value
    assert format_count(value) == shown
    assert parse_count(shown) == value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1.23456789012B", "not a whole number"),
        ("1.5", "not a whole number"),
        ("-5", "not a count"),
        ("12 34", "not a count"),  # separators only between groups of three
        ("1.5Q", "not a count"),
        ("B", "not a count"),
    ],
)
def test_what_is_not_a_whole_count_is_refused_saying_what_is_expected(text, says):
    with pytest.raises(ValueError, match=says):
        parse_count(text)


@pytest.fixture
def draft(db):
    return factories.make_model_release(
        slug="deepseek-v3",
        parameters_total=671_000_000_000,
        parameters_active=37_000_000_000,
        review_status=ReviewStatusChoices.DRAFT,
    )


def count_input(page, name: str) -> str:
    return re.search(rf'<input type="text" name="{name}" value="([^"]*)"', page.content.decode()).group(1)


def test_the_admin_shows_parameter_counts_humanely_and_stores_them_exactly(admin_client, draft):
    page = admin_client.get(admin_url(draft))
    assert count_input(page, "parameters_total") == "671B"
    assert count_input(page, "parameters_active") == "37B"
    assert "As 671B, 1.6T" in page.content.decode()  # the field's help says how to write one
    response = admin_client.post(admin_url(draft), form_data(page, parameters_total="1.6T", parameters_active="49B"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert (draft.parameters_total, draft.parameters_active) == (1_600_000_000_000, 49_000_000_000)


def test_a_count_that_is_not_whole_is_an_error_on_its_field(admin_client, draft):
    page = admin_client.get(admin_url(draft))
    response = admin_client.post(admin_url(draft), form_data(page, parameters_total="1.23456789012B"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "not a whole number" in errors["parameters_total"][0]
    draft.refresh_from_db()
    assert draft.parameters_total == 671_000_000_000


def test_the_release_list_shows_parameter_counts_humanely(admin_client, draft):
    from django.urls import reverse

    page = admin_client.get(reverse("admin:datasets_modelrelease_changelist")).content.decode()
    assert re.search(r'<td class="field-parameters">671B</td>', page)


def test_a_published_releases_read_only_page_shows_counts_humanely(admin_client, draft):
    from datasets.choices import ReviewStatusChoices

    type(draft).objects.filter(pk=draft.pk).update(review_status=ReviewStatusChoices.PUBLISHED)
    page = admin_client.get(admin_url(draft)).content.decode()
    # A count not given shows as Django shows any empty read-only field.
    type(draft).objects.filter(pk=draft.pk).update(parameters_active=None)
    empty = admin_client.get(admin_url(draft)).content.decode()
    assert re.search(r"Parameters active:</label>\s*<div class=\"readonly\">-</div>", empty)
    total = re.search(r"Parameters total:</label>\s*<div class=\"readonly\">([^<]*)</div>", page)
    active = re.search(r"Parameters active:</label>\s*<div class=\"readonly\">([^<]*)</div>", page)
    assert (total.group(1), active.group(1)) == ("671B", "37B")
    assert "671000000000" not in page
