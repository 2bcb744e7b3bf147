"""The explorer's pages: home, a list and a page per resource, search, the access matrix and the timeline of
export controls. Lists, records and search render the API's own answer to the same request (``api_answer``)."""

import datetime
import functools
import hashlib
import math
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import quote_etag
from rest_framework.exceptions import Throttled

from api import releases
from api.conditional import not_modified, tag_response, unknown_parameter, validators
from api.dataset import (
    COVERAGE_HORIZON,
    COVERAGE_STARTS_ON,
    DATA_LICENSE,
    DATA_LICENSE_URL,
    DATASET_DESCRIPTION,
    DATASET_NAME,
    DATASET_SLUG,
)
from api.explorer.present import api_url, facts, label_of, page_url, record_title
from api.throttling import AnonRateThrottle
from datasets.choices import ReviewStatusChoices
from datasets.models import Source
from datasets.resources import RESOURCES, published_counts, resource_named, resource_of

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "explorer"
STYLES = Path(__file__).resolve().parent.parent / "static" / "explorer"


@functools.cache
def pages_format() -> str:
    """What names the pages' markup: a hash of the explorer's templates and styles, read once per process, so
    that after an upgrade no browser keeps a page of the old layout as current."""
    digest = hashlib.sha256()
    for path in sorted([*TEMPLATES.rglob("*"), *STYLES.rglob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def conditional(view):
    """A page answered like the API's reads: an ETag of the data's state, the request and the pages' format, a
    Last-Modified of the data's last change, and a 304 when the reader's copy is current."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        # The API's anonymous rate limit, counted per address together with the API's reads (a page costs as
        # much as the answer it renders).
        try:
            AnonRateThrottle().allow_request(request, None)
        except Throttled as refused:
            response = error_page(request, 429, {"detail": refused.detail})
            if refused.wait is not None:
                response["Retry-After"] = str(math.ceil(refused.wait))
            return response
        tag, last_modified = validators(request)
        etag = quote_etag(hashlib.sha256(f"{tag}|{pages_format()}".encode()).hexdigest()[:32])
        if not_modified(request, etag, last_modified):
            response = HttpResponseNotModified()
            tag_response(response, etag, last_modified)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            tag_response(response, etag, last_modified)
        return response

    return answer


def api_answer(request, resource_name: str, action: str, **kwargs):
    """The API's answer (a DRF ``Response``, not rendered) to this request, by the resource's viewset."""
    from api.views import VIEWSETS  # the API's views import this package's URLs' neighbours

    return VIEWSETS[resource_name].as_view({"get": action})(request, **kwargs)


def dataset_version() -> str | None:
    """The version of the current release, when there is one."""
    release = releases.read_release(settings.RELEASE_DIR)
    return release.package.get("version") if release else None


def context(**values) -> dict:
    """What every page knows: the dataset's name, licence and coverage."""
    return {
        "dataset_name": DATASET_NAME,
        "license": DATA_LICENSE,
        "license_url": DATA_LICENSE_URL,
        "coverage_starts_on": COVERAGE_STARTS_ON,
        "coverage_horizon": COVERAGE_HORIZON,
        "resources": RESOURCES,
        **values,
    }


def error_page(request, status: int, errors: dict) -> HttpResponse:
    """A 400, 404 or 429 as a page: each parameter named with what was wrong (the API's messages)."""
    messages = [
        (name, " ".join(map(str, value if isinstance(value, list) else [value]))) for name, value in errors.items()
    ]
    return render(request, "explorer/error.html", context(status=status, messages=messages), status=status)


def api_error_page(request, response) -> HttpResponse:
    """The API's 400 or 404, as a page."""
    return error_page(request, response.status_code, response.data if isinstance(response.data, dict) else {})


@conditional
def home(request):
    counts = published_counts()
    resources = [{"resource": resource, "count": counts[resource.name]} for resource in RESOURCES]
    return render(
        request,
        "explorer/home.html",
        context(description=DATASET_DESCRIPTION, counted=resources, version=dataset_version()),
    )


# The columns of each list page (every field is on the record's page): what tells its records apart.
LIST_COLUMNS = {
    "organizations": ("country", "kind", "aliases"),
    "sources": ("publisher", "published_on", "kind"),
    "chips": ("vendor", "kind", "announced_on", "tpp"),
    "model-releases": ("developer", "released_on", "weights", "parameters_total", "confidence"),
    "access-grants": ("model", "grantee", "grantor", "access_type", "outcome", "claim_status", "starts_on"),
    "export-controls": ("jurisdiction", "instrument", "effective_on", "ends_on", "end_reason"),
}
# Parameters the list form leaves out: the answer's shape and paging (the page sets them), and the negations
# and has-a-value questions, which a URL can still ask.
FORM_LEAVES_OUT = ("fields", "facet", "expand", "format", "limit", "offset", "q", "ordering")


def filter_form(resource_name: str, request):
    """The API list's filters as a form (bound to this request), by their parameter names, without those of
    ``FORM_LEAVES_OUT`` and the ``__not`` / ``__isnull`` variants."""
    from api.views import VIEWSETS

    viewset = VIEWSETS[resource_name]
    filterset = viewset.filterset_class(request.GET or None, queryset=viewset.queryset.none())
    return [
        field
        for field in filterset.form
        if field.name not in FORM_LEAVES_OUT and not field.name.endswith(("__not", "__isnull"))
    ], filterset.filters["ordering"].param_map


def sort_links(request, columns: tuple[str, ...], sortable) -> list[dict]:
    """Each column's header: its label, and (for a column the API sorts by) the URL that sorts by it, the
    other way round when it already does."""
    current = request.GET.get("ordering", "")
    headers = []
    for name in columns:
        href = None
        if name in sortable:
            query = request.GET.copy()
            query["ordering"] = f"-{name}" if current == name else name
            query.pop("offset", None)
            href = f"?{query.urlencode()}"
        direction = "ascending" if current == name else "descending" if current == f"-{name}" else None
        headers.append({"label": label_of(name), "href": href, "sorted": direction})
    return headers


@conditional
def record_list(request, resource_name: str):
    resource = resource_named(resource_name)
    response = api_answer(request, resource_name, "list")
    if response.status_code != 200:
        return api_error_page(request, response)
    page = response.data
    fields = page["results"].serializer.child.fields
    columns = LIST_COLUMNS[resource_name]
    rows = [
        {
            "record": record,
            "label": record_title(record),
            "facts": sorted(
                (fact for fact in facts(record, fields) if fact.name in columns),
                key=lambda fact: columns.index(fact.name),
            ),
        }
        for record in page["results"]
    ]
    form, sortable = filter_form(resource_name, request)
    query = request.GET.urlencode()
    api = api_url(request.path) + (f"?{query}" if query else "")
    return render(
        request,
        "explorer/list.html",
        context(
            resource=resource,
            page=page,
            rows=rows,
            headers=sort_links(request, columns, sortable),
            form=form,
            query=request.GET,
            api_json=api,
            api_csv=api + ("&" if query else "?") + "format=csv",
            next_page=page_url(page.get("next")),
            previous_page=page_url(page.get("previous")),
        ),
    )


@conditional
def record_page(request, resource_name: str, slug: str):
    resource = resource_named(resource_name)
    response = api_answer(request, resource_name, "retrieve", slug=slug)
    if response.status_code != 200:
        return api_error_page(request, response)
    record = response.data
    fields = response.data.serializer.fields
    history = api_answer(request, resource_name, "history", slug=slug).data
    cited = [citation["source"] for citation in record.get("citations", [])]
    archived = dict(Source.objects.published().filter(slug__in=cited).values_list("slug", "archived_url"))
    citations = [
        {**citation, "archived_url": archived.get(citation["source"], "")} for citation in record.get("citations", [])
    ]
    version = dataset_version()
    dataset = f"{DATASET_NAME}, release {version}" if version else DATASET_NAME
    title = record_title(record)
    url = request.build_absolute_uri(request.path)
    year = datetime.date.today().year
    return render(
        request,
        "explorer/record.html",
        context(
            resource=resource,
            record=record,
            title=title,
            facts=facts(record, fields),
            citations=citations,
            history=history,
            api_json=api_url(request.path),
            api_csv=api_url(request.path) + "?format=csv",
            cite_text=f"{dataset}. \u201c{title}\u201d "
            f"({resource.label.lower()}: {record['slug']}). {url} (accessed {datetime.date.today().isoformat()}).",
            cite_bibtex="\n".join(
                [
                    f"@misc{{{DATASET_SLUG}-{record['slug']},",
                    f"  title = {{{title}}},",
                    f"  howpublished = {{\\url{{{url}}}}},",
                    f"  note = {{{dataset}; {resource.label.lower()}: {record['slug']}}},",
                    f"  year = {{{year}}},",
                    "}",
                ]
            ),
        ),
    )


@conditional
def search_page(request):
    from api.views import SearchView

    text = request.GET.get("q", "").strip()
    if not text:
        return render(request, "explorer/search.html", context(text="", page=None))
    response = SearchView.as_view()(request)
    if response.status_code != 200:
        return api_error_page(request, response)
    page = response.data
    return render(
        request,
        "explorer/search.html",
        context(
            text=text,
            page=page,
            results=[{**result, "page": page_url(result["url"])} for result in page["results"]],
            next_page=page_url(page.get("next")),
            previous_page=page_url(page.get("previous")),
            api_json=reverse("api:search") + "?" + request.GET.urlencode(),
        ),
    )


# The access matrix: models against the organizations that got (or were refused) access.

ACCESS_PARAMETERS = ("model_developer", "grantee_country", "access_type")


def checked_filters(request, filterset_class, names: tuple[str, ...], queryset):
    """The API's filterset over ``queryset`` for the parameters ``names`` of this request, validated, or the API's
    400 (a parameter outside ``names``, or a value that does not parse) as a dict of messages."""
    unknown = [name for name in request.GET if name not in names]
    if unknown:
        return None, {name: [unknown_parameter(names)] for name in unknown}
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        return None, {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
    return filterset, None


def published_name(record, fallback: str) -> tuple[str, str | None]:
    """A related record's name and page, when it is published; ``fallback`` (its description) otherwise."""
    if record is not None and record.review_status == ReviewStatusChoices.PUBLISHED:
        return getattr(record, "name", record.slug), f"/{resource_of(record).name}/{record.slug}/"
    return fallback or "not named", None


@conditional
def access_matrix(request):
    from api.filtersets import AccessGrantFilterSet
    from datasets.choices import AccessTypeChoices
    from datasets.models import AccessGrant, Organization

    grants = AccessGrant.objects.published().select_related("model", "grantee", "model__developer")
    checked, errors = checked_filters(request, AccessGrantFilterSet, ACCESS_PARAMETERS, grants)
    if errors:
        return error_page(request, 400, errors)
    grants = checked.qs
    models: dict = {}
    grantees: dict = {}
    cells: dict = {}
    for grant in grants.order_by("slug"):
        model, model_page = published_name(grant.model, grant.model_description)
        grantee, grantee_page = published_name(grant.grantee, grant.grantee_description)
        when = None
        if grant.model is not None and model_page:
            when = grant.model.released_on or grant.model.announced_on
        models.setdefault((model, model_page), when)
        grantees[(grantee, grantee_page)] = grantees.get((grantee, grantee_page), 0) + 1
        cells.setdefault((model, grantee), []).append(grant)
    rows = sorted(models, key=lambda key: (models[key] or datetime.date.min, key[0]), reverse=True)
    # Columns in the order the rows first name them, so that a model's grantees sit side by side at the left
    # of the newest rows (DeepSeek-V4: Huawei, NVIDIA, AMD).
    first_row = {}
    for index, (model, _) in enumerate(rows):
        for grantee in grantees:
            if (model, grantee[0]) in cells:
                first_row.setdefault(grantee, index)
    columns = sorted(grantees, key=lambda key: (first_row[key], -grantees[key], key[0].lower()))
    matrix = [
        {
            "name": name,
            "page": page,
            "when": models[(name, page)],
            "cells": [
                [
                    {
                        "slug": grant.slug,
                        "outcome": grant.outcome,
                        "claim": grant.claim_status,
                        "access": grant.access_type.replace("_", " "),
                    }
                    for grant in cells.get((name, grantee), [])
                ]
                for grantee, _ in columns
            ],
        }
        for name, page in rows
    ]
    developers = Organization.objects.published().filter(model_releases__access_grants__isnull=False).distinct()
    return render(
        request,
        "explorer/access.html",
        context(
            matrix=matrix,
            columns=[{"name": name, "page": page} for name, page in columns],
            count=sum(len(grants) for grants in cells.values()),
            query=request.GET,
            developers=developers.order_by("name").values_list("slug", "name"),
            access_types=AccessTypeChoices.choices,
            api_json=reverse("api:access-grant-list") + "?" + request.GET.urlencode(),
        ),
    )


# The timeline of export controls.

LANES = ("US", "CN", "NL", "JP", "EU")
SVG_WIDTH, ROW_HEIGHT, LANE_GAP, AXIS_HEIGHT = 960, 18, 14, 28


@conditional
def timeline(request):
    from api.filtersets import ExportControlFilterSet
    from datasets.models import ExportControl

    controls = ExportControl.objects.published()
    checked, errors = checked_filters(request, ExportControlFilterSet, ("in_force_on",), controls)
    if errors:
        return error_page(request, 400, errors)
    day = checked.form.cleaned_data.get("in_force_on")
    in_force_slugs = set(checked.qs.values_list("slug", flat=True)) if day else set()
    today = datetime.date.today()
    measures = list(
        controls.order_by("effective_on", "slug").values(
            "slug", "title", "jurisdiction", "effective_on", "ends_on", "end_reason", "instrument"
        )
    )
    dated = [measure for measure in measures if measure["effective_on"]]
    start = datetime.date(min(m["effective_on"] for m in dated).year, 1, 1) if dated else today
    end = max(today, day or today)
    span = (end - start).days or 1

    def x(date: datetime.date) -> float:
        return round((date - start).days / span * SVG_WIDTH, 1)

    horizon = COVERAGE_HORIZON
    lanes, y = [], AXIS_HEIGHT
    for name in (*LANES, "Others"):
        members = [
            m for m in dated if (m["jurisdiction"] == name) or (name == "Others" and m["jurisdiction"] not in LANES)
        ]
        if not members:
            continue
        bars = []
        for index, measure in enumerate(members):
            finish = measure["ends_on"] or end
            bar = {
                **measure,
                "x": x(measure["effective_on"]),
                "width": max(x(finish) - x(measure["effective_on"]), 2.0),
                "y": y + 16 + index * ROW_HEIGHT,
                "running": measure["ends_on"] is None,
                "in_force": measure["slug"] in in_force_slugs,
            }
            # A measure still running is drawn to today; past the verified horizon it is faded.
            if bar["running"] and horizon and horizon < finish:
                bar["faded_x"] = max(x(horizon), bar["x"])
                bar["faded_width"] = round(bar["x"] + bar["width"] - bar["faded_x"], 1)
            bars.append(bar)
        lanes.append({"name": name, "y": y, "bars": bars, "height": 16 + len(bars) * ROW_HEIGHT})
        y += 16 + len(bars) * ROW_HEIGHT + LANE_GAP
    years = [{"year": year, "x": x(datetime.date(year, 1, 1))} for year in range(start.year, end.year + 1)]
    return render(
        request,
        "explorer/timeline.html",
        context(
            lanes=lanes,
            years=years,
            width=SVG_WIDTH,
            height=y,
            day=day,
            day_x=x(day) if day and day >= start else None,
            horizon_x=x(horizon) if horizon and start <= horizon <= end else None,
            measures=[m for m in measures if not day or m["slug"] in in_force_slugs],
            undated=[m for m in measures if not m["effective_on"]],
            api_json=reverse("api:export-control-list") + (f"?in_force_on={day.isoformat()}" if day else ""),
        ),
    )
