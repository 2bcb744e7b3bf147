"""Checks on the curated dataset that database constraints cannot express.

Each ``check_*`` function reads the current database and returns a list of ``Problem``; ``run_checks`` runs
them all. ``validate_dataset`` prints them; anything that loads or imports the dataset may call them too.

Decisions worth knowing:

* Organizations are exempt from "a published record cites a source": the curated dataset gives no sources
  for them. An organization that does cite sources is held to the other citation rules.
* "announced after effective" is allowed for a measure with no official publication whose ``dates_note``
  explains it: letters and unpublished instructions (the 2022 "is-informed" letter, the 2025 H20 licence
  requirement) take effect before the public learns of them.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Prefetch
from django.utils.encoding import iri_to_uri

from datasets.choices import EndReasonChoices, InstrumentChoices, ReviewStatusChoices
from datasets.models import (
    CITATION_MODELS,
    AccessGrant,
    Chip,
    ExportControl,
    ModelRelease,
    Organization,
    Source,
)
from datasets.querysets import published_lookup

CITED_MODELS = (Organization, Chip, ModelRelease, AccessGrant, ExportControl)
RECORD_MODELS = (Organization, Source, *CITED_MODELS[1:])

ENDS_BEFORE_EFFECTIVE_ALLOWED = (EndReasonChoices.SUSPENDED, EndReasonChoices.RESCINDED)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, printed as ``<kind> <slug>: <message>``."""

    kind: str
    slug: str
    message: str

    def __str__(self):
        return f"{self.kind} {self.slug}: {self.message}"


def _problem(record: models.Model, message: str) -> Problem:
    return Problem(record._meta.verbose_name, record.slug, message)


def check_fields() -> list[Problem]:
    """Every record and citation passes ``full_clean()``: loaddata and SQLite do not enforce lengths or choices."""
    problems = []
    for model in (*RECORD_MODELS, *CITATION_MODELS):
        for obj in model.objects.all():
            try:
                obj.full_clean()
            except ValidationError as error:
                slug = getattr(obj, "slug", None) or f"{obj.record.slug} cites {obj.source.slug}"
                for field, messages in sorted(error.message_dict.items()):
                    problems.append(Problem(model._meta.verbose_name, slug, f"{field}: {' '.join(messages)}"))
    return problems


def check_citations() -> list[Problem]:
    """Published records cite at least one source (organizations exempt), none withdrawn, and not only
    unpublished ones."""
    problems = []
    for model in CITED_MODELS:
        # The sources joined to the citations, not prefetched by id: Django would ask for them with one OR term
        # per source, which SQLite refuses past about a thousand ("Expression tree is too large").
        citations = Prefetch("citations", queryset=model.citations.rel.related_model.objects.select_related("source"))
        for record in model.objects.prefetch_related(citations):
            sources = [citation.source for citation in record.citations.all()]
            for source in sources:
                if source.review_status == ReviewStatusChoices.WITHDRAWN:
                    problems.append(_problem(record, f"cites withdrawn source {source.slug}"))
            if record.review_status != ReviewStatusChoices.PUBLISHED:
                continue
            if not sources:
                if model is not Organization:
                    problems.append(_problem(record, "published but cites no source"))
            elif all(source.review_status != ReviewStatusChoices.PUBLISHED for source in sources):
                slugs = ", ".join(sorted(source.slug for source in sources))
                problems.append(_problem(record, f"published but cites only unpublished sources ({slugs})"))
    return problems


def check_source_urls() -> list[Problem]:
    """Every source has a well-formed http(s) URL (and archived URL, if any), written as a URI: the API's schema
    promises ``format: uri``, which a non-ASCII character breaks (``Source.clean()`` percent-encodes them)."""
    validate = URLValidator(schemes=["http", "https"])
    problems = []
    for source in Source.objects.all():
        for field in ("url", "archived_url"):
            value = getattr(source, field)
            if not value and field == "archived_url":
                continue
            try:
                validate(value)
            except ValidationError:
                problems.append(_problem(source, f"{field} is not a well-formed http(s) URL: {value!r}"))
                continue
            if value != iri_to_uri(value):
                problems.append(_problem(source, f"{field} is not a URI (percent-encode it: {iri_to_uri(value)!r})"))
    return problems


def export_control_date_problems(control: ExportControl) -> list[Problem]:
    """Date order of one measure: announced <= effective (unless it was never officially published and
    dates_note explains), effective <= ends (unless it was suspended or rescinded before taking effect), and
    an end always has a reason."""
    problems = []
    announced, effective, ends = control.announced_on, control.effective_on, control.ends_on
    explained = not control.published_on and control.dates_note.strip()
    if announced and effective and announced > effective and not explained:
        problems.append(_problem(control, f"announced {announced} after effective {effective}, unexplained"))
    if effective and ends and ends < effective and control.end_reason not in ENDS_BEFORE_EFFECTIVE_ALLOWED:
        problems.append(_problem(control, f"ends {ends} before effective {effective} without being suspended"))
    if ends and not control.end_reason:
        problems.append(_problem(control, "has an end date but no end reason"))
    if announced and ends and ends < announced:
        problems.append(_problem(control, f"ends {ends} before it was announced {announced}"))
    return problems


def model_release_date_problems(release: ModelRelease) -> list[Problem]:
    """A model is announced on or before its release."""
    if release.announced_on and release.released_on and release.announced_on > release.released_on:
        return [_problem(release, f"announced {release.announced_on} after released {release.released_on}")]
    return []


def access_grant_date_problems(grant: AccessGrant) -> list[Problem]:
    """A grant starts on or before it ends."""
    if grant.starts_on and grant.ends_on and grant.starts_on > grant.ends_on:
        return [_problem(grant, f"starts {grant.starts_on} after it ends {grant.ends_on}")]
    return []


def check_dates() -> list[Problem]:
    """Date order on every measure, release and grant (the functions above also work on unsaved records)."""
    problems = []
    for control in ExportControl.objects.all():
        problems += export_control_date_problems(control)
    for release in ModelRelease.objects.all():
        problems += model_release_date_problems(release)
    for grant in AccessGrant.objects.all():
        problems += access_grant_date_problems(grant)
    return problems


def check_control_links() -> list[Problem]:
    """No cycle through supersedes / amends / suspends, and only suspension measures suspend others
    (``in_force_on`` honours no other kind)."""
    problems = []
    edges: dict[str, set[str]] = defaultdict(set)
    for control in ExportControl.objects.prefetch_related("supersedes", "amends", "suspends"):
        for relation in ("supersedes", "amends", "suspends"):
            for other in getattr(control, relation).all():
                edges[control.slug].add(other.slug)
        if control.suspends.exists() and control.instrument != InstrumentChoices.SUSPENSION:
            problems.append(_problem(control, f"suspends other measures but its instrument is {control.instrument}"))
    for cycle in _cycles(edges):
        problems.append(
            Problem(
                ExportControl._meta.verbose_name, cycle[0], f"cycle in supersedes/amends/suspends: {' -> '.join(cycle)}"
            )
        )
    return problems


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a closed path, starting at its smallest slug) per strongly connected loop found."""
    found, seen_loops = [], set()
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]):
        state[node] = "active"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "active":
                loop = path[path.index(nxt) :]
                start = loop.index(min(loop))
                loop = loop[start:] + loop[:start]
                if tuple(loop) not in seen_loops:
                    seen_loops.add(tuple(loop))
                    found.append([*loop, loop[0]])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    return found


def check_grant_model_dates() -> list[Problem]:
    """A grant that ended concerns a model announced or released by then."""
    problems = []
    for grant in AccessGrant.objects.select_related("model").filter(model__isnull=False, ends_on__isnull=False):
        model = grant.model
        dates = [day for day in (model.announced_on, model.released_on) if day]
        if not dates:
            problems.append(
                _problem(grant, f"ended {grant.ends_on} but model {model.slug} has no announced or released date")
            )
        elif min(dates) > grant.ends_on:
            problems.append(
                _problem(
                    grant, f"ended {grant.ends_on} before model {model.slug} was announced or released ({min(dates)})"
                )
            )
    return problems


def check_required_relations_public() -> list[Problem]:
    """A published record's required relations (a model's developer, a chip's vendor) are published too:
    the public would otherwise see the record without them."""
    problems = []
    for model in CITED_MODELS:
        for field in model._meta.concrete_fields:
            if not field.many_to_one or field.null or field.related_model not in RECORD_MODELS:
                continue
            hidden = model.objects.published().exclude(published_lookup(f"{field.name}__"))
            for record in hidden.select_related(field.name):
                target = getattr(record, field.name)
                problems.append(
                    _problem(record, f"{field.name} {target.slug} is {target.review_status}, not published")
                )
    return problems


# Checks that hold for any data: an import runs these before it commits.
STRUCTURAL_CHECKS = (
    check_citations,
    check_source_urls,
    check_dates,
    check_control_links,
    check_grant_model_dates,
    check_required_relations_public,
)
# Plus every field clean, on the whole database: an import already cleans each record it writes, as it writes it.
CHECKS = (check_fields, *STRUCTURAL_CHECKS)


def run_checks(checks=CHECKS) -> list[Problem]:
    """The given checks (default: all), problems sorted by kind, slug and message."""
    return sorted(problem for check in checks for problem in check())
