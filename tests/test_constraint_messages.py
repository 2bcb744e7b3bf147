"""Every check constraint says what is wrong in curators' words, on the field to fix (datasets.models.base)."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from datasets.choices import ReviewStatusChoices
from datasets.models.base import ON_FIELD
from tests import factories
from tests.admin_testing import admin_url, form_data

pytestmark = pytest.mark.django_db

CHECKS = [
    (constraint, model)
    for model in apps.get_app_config("datasets").get_models()
    for constraint in model._meta.constraints
    if isinstance(constraint, models.CheckConstraint)
]


@pytest.mark.parametrize(("constraint", "model"), CHECKS, ids=[constraint.name for constraint, _ in CHECKS])
def test_every_check_constraint_names_a_field_of_its_model_and_says_what_is_wrong(constraint, model):
    assert constraint.violation_error_code.startswith(ON_FIELD)
    field = model._meta.get_field(constraint.violation_error_code.removeprefix(ON_FIELD))
    assert field.editable
    assert "Constraint" not in str(constraint.violation_error_message)
    assert str(constraint.violation_error_message).endswith(".")


def refused(record) -> dict:
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    return {field: [str(message) for message in messages] for field, messages in error.value.message_dict.items()}


def test_a_release_before_its_announcement_is_refused_on_its_release_date():
    release = factories.make_model_release(slug="glm-4-6", review_status=ReviewStatusChoices.DRAFT)
    release.announced_on, release.released_on = datetime.date(2025, 9, 30), datetime.date(2025, 9, 1)
    errors = refused(release)
    assert list(errors) == ["released_on"]
    assert "Released before it was announced" in errors["released_on"][0]


def test_more_active_parameters_than_in_total_is_refused_on_the_active_count():
    release = factories.make_model_release(slug="glm-4-6", parameters_total=355 * 10**9)
    release.parameters_active = 10**12
    assert "More parameters active than in total" in refused(release)["parameters_active"][0]


def test_a_grant_without_grantee_or_model_is_refused_on_each_field():
    grant = factories.make_access_grant(slug="a-grant")
    grant.grantee, grant.grantee_description, grant.model, grant.model_description = None, "", None, ""
    errors = refused(grant)
    assert "Say who got" in errors["grantee"][0] and "Say which model" in errors["model"][0]


def test_a_measure_ended_without_reason_is_refused_on_its_end_reason():
    control = factories.make_export_control(slug="a-measure")
    control.ends_on, control.end_reason = datetime.date(2099, 1, 1), ""
    assert "needs the reason it ended" in refused(control)["end_reason"][0]


def test_a_negative_chip_figure_is_refused_on_its_field():
    chip = factories.make_chip(slug="a-chip")
    chip.memory_gb = -1
    assert "Cannot be negative." in refused(chip)["memory_gb"]


def test_the_admin_shows_a_constraints_message_on_its_field(admin_client):
    release = factories.make_model_release(slug="glm-4-6", review_status=ReviewStatusChoices.DRAFT)
    page = admin_client.get(admin_url(release))
    response = admin_client.post(
        admin_url(release), form_data(page, announced_on="2025-09-30", released_on="2025-09-01")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Released before it was announced" in form.errors["released_on"][0]
    assert not form.non_field_errors()
    assert "is violated" not in response.content.decode()
