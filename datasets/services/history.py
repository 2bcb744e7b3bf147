"""Who wrote what, from the records' history: the content the public sees of a version, the authors of a
record's content (for four eyes), and whether the public ever saw a record."""

from datasets.choices import ReviewStatusChoices
from datasets.models import PRIVATE_FIELDS, ReviewedRecord
from datasets.querysets import published_lookup

Status = ReviewStatusChoices

# Bookkeeping that every save moves: never a change of content by itself.
BOOKKEEPING = {"id", "created_at", "updated_at", "version", "last_edited_by"}


# What the public never sees, so writing it is no authorship of what is published (a reviewer may note things).
NOT_AUTHORED = {*BOOKKEEPING, *PRIVATE_FIELDS}


def content_state(record: ReviewedRecord, fields_of=None) -> dict:
    """What a curator can change about a stored record: its field values (of ``fields_of`` if given, else as
    stored), its relations and its citations; two equal states mean nothing was changed."""
    model = type(record)
    names = [field.attname for field in model._meta.concrete_fields if field.name not in BOOKKEEPING]
    if fields_of is None:
        fields = model._base_manager.filter(pk=record.pk).values(*names).get()
    else:
        fields = {name: getattr(fields_of, name) for name in names}
    relations = {
        field.name: sorted(getattr(record, field.name).values_list("pk", flat=True))
        for field in model._meta.many_to_many
    }
    cited = citation_model(model)
    citations = (
        sorted(cited.objects.filter(record_id=record.pk).values_list("source_id", "locator", "quote"))
        if cited is not None
        else []
    )
    return {"fields": fields, "relations": relations, "citations": citations}


def citation_model(model):
    """The citation table of a kind of record, or None for a kind that cites nothing (a source)."""
    citations = getattr(model, "citations", None)
    return citations.rel.related_model if citations is not None else None


def authors(record: ReviewedRecord) -> set:
    """The users (ids) who wrote the content that publishing ``record`` would make public.

    That is everyone who changed its public content (a field, a relation or a citation) since the public last
    saw it; for a record never published, since it was created; for a revision, since it was copied from the
    record it revises (a copy is nobody's writing; going back to an older version is). Read from the record's
    history, so it holds whatever path the change took.
    """
    model = type(record)
    rows = list(record.history.order_by("history_date", "history_id"))
    public = [number for number, row in enumerate(rows) if row.review_status == Status.PUBLISHED]
    since = None
    if public:
        previous = _public_content(rows[public[-1]], model)
        since = rows[public[-1]].history_date
        rows = rows[public[-1] + 1 :]
    elif record.revision_of_id is not None and rows:
        revised = record.revision_of.history.filter(history_date__lte=rows[0].history_date).order_by(
            "-history_date", "-history_id"
        )
        previous = _public_content(revised.first(), model) if revised.exists() else None
    else:
        previous = None
    written = set()
    for row in rows:
        content = _public_content(row, model)
        if content != previous and row.history_user_id is not None:
            written.add(row.history_user_id)
        previous = content
    # Citations changed by any path that left no version of the record itself count too.
    cited = citation_model(model)
    if cited is not None:
        changes = cited.history.filter(record_id=record.pk).exclude(history_change_reason=COPIED)
        if since is not None:
            changes = changes.filter(history_date__gt=since)
        written.update(changes.exclude(history_user_id=None).values_list("history_user_id", flat=True))
    return written


def _public_content(row, model) -> dict | None:
    """The public content of a historical version: fields, relations and the citations it had then."""
    if row is None:
        return None
    fields = {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if field.name not in NOT_AUTHORED and field.name != "slug"
    }
    for field in model._meta.many_to_many:
        target = field.m2m_reverse_field_name()
        fields[field.name] = sorted(getattr(item, f"{target}_id") for item in getattr(row, field.name).all())
    cited = citation_model(model)
    if cited is not None:
        fields["citations"] = sorted(
            (c.source_id, c.locator, c.quote) for c in cited.history.as_of(row.history_date).filter(record_id=row.id)
        )
    return fields


def was_public(record: ReviewedRecord) -> bool:
    """Whether the public ever saw ``record`` (it was published at some point)."""
    return record.history.filter(published_lookup()).exists()


# The history reason of citations that the workflow copies or applies: nobody wrote them then.
COPIED = "Copied by the review workflow"
