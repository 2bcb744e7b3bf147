"""The browsable API: the answer's URLs linked as Django's ``urlize`` links them, in one pass (api.renderers), and
the filter form rendered once per FilterSet and values given (api.filters.FilterBackend.to_html)."""

import html
import re

import pytest
from django.template.defaultfilters import urlize

from api import filters
from api.renderers import BrowsableAPIRenderer, linked
from tests import factories

pytestmark = pytest.mark.django_db

ANSWER = re.compile(r"</span>(.*?)</pre>\s*</div>\s*</div>", re.DOTALL)


@pytest.fixture
def releases():
    lab = factories.make_organization(slug="lab", description="See https://lab.example/about. (https://lab.example/x)")
    for number in range(3):
        release = factories.make_model_release(
            slug=f"model-{number}", developer=lab, notes="Card: https://hf.co/m?a=1&b=2,"
        )
        factories.make_citation(release)


def page(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_the_answer_is_shown_with_its_urls_linked_as_urlize_links_them(client, releases):
    shown = page(client, "/api/v1/model-releases/?limit=2")
    assert BrowsableAPIRenderer.CONTENT_MARK not in shown
    (answer,) = ANSWER.findall(shown)
    text = html.unescape(re.sub(r"<[^>]+>", "", answer))
    assert '"slug": "model-0"' in text and "https://hf.co/m?a=1&b=2" in text
    # The same links, in the same order, as Django's urlize makes of the same text.
    by_django = urlize(text, autoescape=True)
    links = re.compile(r'<a href="([^"]+)" rel="nofollow">([^<]+)</a>')
    assert links.findall(answer) == links.findall(by_django)
    assert len(links.findall(answer)) > 5


def test_linked_keeps_trailing_punctuation_and_escapes_the_rest():
    assert linked('See <b>"https://a.example/x?y=1&z=2".') == (
        'See &lt;b&gt;&quot;<a href="https://a.example/x?y=1&amp;z=2" rel="nofollow">https://a.example/x?y=1&amp;z=2</a>&quot;.'
    )
    assert linked("(https://a.example/p).") == '(<a href="https://a.example/p" rel="nofollow">https://a.example/p</a>).'


def test_the_filter_form_is_rendered_once_per_question(client, releases, monkeypatch, settings):
    settings.API_CACHE_SECONDS = 0
    monkeypatch.setattr(filters, "FILTER_FORMS", {})
    first = page(client, "/api/v1/model-releases/?weights=open_weights&limit=1")
    assert len(filters.FILTER_FORMS) == 1
    second = page(client, "/api/v1/model-releases/?weights=open_weights&limit=1&offset=1")
    assert len(filters.FILTER_FORMS) == 1  # the next page: the same form
    form = re.compile(r'<form class="form" action="" method="get">.*?</form>', re.DOTALL)
    assert form.findall(first) == form.findall(second)
    assert 'value="open_weights" selected' in form.findall(first)[0]
    other = page(client, "/api/v1/model-releases/?weights=api_only")
    assert len(filters.FILTER_FORMS) == 2
    assert 'value="api_only" selected' in form.findall(other)[0]


def test_the_answer_is_linked_in_one_pass_not_by_the_templates_urlize(client, releases, monkeypatch):
    from api import renderers

    texts = []

    def counting(text):
        texts.append(text)
        return linked(text)

    monkeypatch.setattr(renderers, "linked", counting)
    shown = page(client, "/api/v1/model-releases/?limit=2")
    assert len(texts) == 1 and '"model-0"' in texts[0]
    assert "model-releases/model-0/" in shown


QUERIES = [
    "",
    "weights=open_weights",
    "weights=api_only&weights=open_weights&developer=lab&released_on_after=2024-01-01",
    "released_on_after=not-a-date&weights=no-such-weights",  # fields with errors
    "developer_country=CN&developer_country__not=US&ordering=-released_on&q=deep",
    "weights=open_weights",
]


def test_the_filter_forms_kept_labels_and_widgets_are_djangos(releases, monkeypatch):
    """Rendered through the labels and widgets kept from the selections before it, or through Django's own
    BoundField, each selection's filter form is the same HTML."""
    from django.forms.boundfield import BoundField
    from django.http import QueryDict

    from api.filtersets import ModelReleaseFilterSet
    from datasets.models import ModelRelease

    kept = filters.Rendered(limit=10**7)
    monkeypatch.setattr(filters, "RENDERED", kept)

    def form_html(query):
        form = ModelReleaseFilterSet(QueryDict(query), queryset=ModelRelease.objects.all()).form
        return form.is_valid(), form.as_p()

    ours = [form_html(query) for query in QUERIES]
    assert kept
    form_class = type(ModelReleaseFilterSet(QueryDict(""), queryset=ModelRelease.objects.all()).form)
    monkeypatch.setattr(form_class, "bound_field_class", BoundField)
    by_django = [form_html(query) for query in QUERIES]
    assert ours == by_django
    assert [valid for valid, _ in ours] == [True, True, True, False, True, True]
    assert 'value="api_only" selected' in ours[2][1] and 'value="api_only" selected' not in ours[5][1]
