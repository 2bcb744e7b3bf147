"""Helpers for tests that use the admin as curators and reviewers do: accounts in a role, and the form a
browser would send back from a change page."""

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse


def staff(username, group=None, **flags):
    """A staff account in ``group`` ("Curators", "Reviewers"; none for a superuser), and a client logged in."""
    user = User.objects.create_user(username, password=None, is_staff=True, **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


def admin_url(record, view="change", *args):
    """A record's admin page: change, delete, history, transition (with its name), simple_history (with a
    version's id)."""
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_{view}", args=[record.pk, *args])


def form_data(page, **changes):
    """The values a browser sends back from a change page, ``changes`` applied. As a browser does, a text
    area's line ends are sent as ``\\r\\n``; each inline's existing rows are sent back as shown."""
    data = {}

    def put(form, prefix=""):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = f"{prefix}{name}"
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value).replace("\r\n", "\n").replace("\n", "\r\n")

    put(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management[name].value())
        for form in formset.initial_forms:
            put(form, f"{form.prefix}-")
    data.update(changes)
    return data


def take_step(client, record, name, **data):
    """Post a workflow step from a record's page, as its button does; a revision's Publish first shows what it
    changes, which this confirms, as the reviewer reading it would (with the version shown)."""
    url = admin_url(record, "transition", name)
    response = client.post(url, data, follow=True)
    if response.status_code == 200 and "seen_version" in response.content.decode() and "seen_version" not in data:
        seen = response.content.decode().split('name="seen_version" value="', 1)[1].split('"', 1)[0]
        response = client.post(url, {**data, "seen_version": seen}, follow=True)
    return response
