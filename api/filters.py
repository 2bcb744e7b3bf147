"""The filter toolkit behind ``api.filtersets``: the filter classes every resource's query parameters are made
of, their error messages, and the base FilterSet.

The conventions these implement are in ``api.filtersets``. Each filter class also says what its parameter accepts
beyond its type, for the OpenAPI schema (``api.schema.RegistryFilterExtension`` reads it): ``value_schema``
(keywords for one value, such as a slug's pattern) and ``blank_means_absent`` (documented as ``allowEmptyValue``).
The schema then matches what the parameter really accepts, so that client generators and schemathesis see the
same contract as the server.
"""

import copy
import datetime
import re
from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, ProhibitNullCharactersValidator
from django.db.models import F, Q, QuerySet
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_filters import rest_framework as filters
from django_filters.fields import BaseCSVField, IsoDateTimeField, ModelMultipleChoiceField, MultipleChoiceField
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import BaseCSVWidget

from api.facets import FACET_SIZE
from api.nesting import DOSSIERS, EXPAND_LIMIT
from datasets import search

__all__ = [
    "BooleanFilter",
    "DateFilter",
    "DateTimeFilter",
    "EnumFilter",
    "ExactTextFilter",
    "FilterBackend",
    "FilterSet",
    "OrderingFilter",
    "SearchFilter",
    "SearchText",
    "SlugFilter",
    "WholeNumberFilter",
    "date_range",
    "expand_filter",
    "facet_filter",
    "fields_filter",
    "filter_in",
    "isnull",
    "number_range",
    "ordering_filter",
]

INVALID_DATE = "Enter a valid date (YYYY-MM-DD)."
INVALID_DATETIME = "Enter a valid ISO 8601 date-time, e.g. 2025-01-31T00:00:00Z (or a date, 2025-01-31)."
INVALID_WHOLE_NUMBER = "Enter a whole number."
GIVEN_MORE_THAN_ONCE = "Give this parameter once: it takes a single value."
INVALID_SORT_KEYS = "Enter sort keys separated by single commas, without an empty one."
UNKNOWN_SLUG = "Select a valid choice. %(value)s is not the slug of a published record."
INVALID_SLUG = "Enter a valid slug (letters, digits, hyphens, underscores); got %(value)r."
OUT_OF_RANGE_DATETIME = "Enter a date-time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z."
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# Text parameters refuse NUL, which no stored text holds and PostgreSQL cannot even compare with.
TEXT_PATTERN = r"^[^\x00]*$"
MAX_WHOLE_NUMBER = 2**63 - 1


# Filter classes: the few shapes every resource's parameters take.


class DateFilter(filters.DateFilter):
    """A date in ISO 8601 form (YYYY-MM-DD) only, so that 01/02/2025 is refused rather than guessed at."""

    blank_means_absent = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("error_messages", {"invalid": INVALID_DATE})
        super().__init__(*args, **kwargs)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time that exists in UTC: 0001-01-01T00:00:00+01:00 is in year 0 there, which the
    database adapter cannot represent (a server error, not a 400, before this check)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            try:
                moment.astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError(OUT_OF_RANGE_DATETIME, code="invalid") from None
        return moment


class DateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time (a date alone means its midnight UTC)."""

    field_class = UTCDateTimeField
    blank_means_absent = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": INVALID_DATETIME})
        super().__init__(*args, **kwargs)


class WholeNumberFilter(filters.NumberFilter):
    """A whole number from 0 to 2^63 - 1 (parameter counts, TPP): larger numbers would overflow the
    database's integers and fail as a server error instead of a 400."""

    field_class = forms.IntegerField
    value_schema = {"format": "int64", "minimum": 0, "maximum": MAX_WHOLE_NUMBER}
    blank_means_absent = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("error_messages", {"invalid": INVALID_WHOLE_NUMBER})
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return MaxValueValidator(MAX_WHOLE_NUMBER)


class StrictBooleanField(forms.Field):
    """``true`` / ``false`` (or ``1`` / ``0``); anything else is an error instead of being ignored."""

    widget = forms.Select(choices=[("", "---------"), ("true", "Yes"), ("false", "No")])
    values = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.values[str(value).strip().lower()]
        except KeyError:
            raise ValidationError('Enter "true" or "false".', code="invalid") from None


class BooleanFilter(django_filters.BooleanFilter):
    """A boolean parameter that refuses values other than true/false (the REST framework flavour of
    django-filter's BooleanFilter reads anything else as "no filter")."""

    field_class = StrictBooleanField
    blank_means_absent = True


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def html_attrs(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html``, in Python."""
    return "".join(
        ""
        if value is False
        else f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
    )


class FastSelectMultiple(forms.SelectMultiple):
    """Django's multiple select, rendered as its templates render it (``select.html``, ``select_option.html``) but
    without a template per option: the browsable API's filter form lists 250 countries in each country parameter
    (and again in its ``__not``), which took 15 ms a field through the templates, most of the form's cost."""

    def _render(self, template_name, context, renderer=None):
        if template_name != SELECT_TEMPLATE or self.option_template_name != OPTION_TEMPLATE:
            return super()._render(template_name, context, renderer)
        widget = context["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{html_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                value, label = conditional_escape(str(option["value"])), conditional_escape(option["label"])
                # select_option.html ends with a line break, which the include keeps.
                parts.append(f'\n  <option value="{value}"{html_attrs(option["attrs"])}>{label}</option>\n')
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class EnumField(MultipleChoiceField):
    """django-filter's field for several enum values, copied for each request without its choices: Django
    deep-copies a choice field's choices with every form (250 countries, several times per request), though
    they never change."""

    __deepcopy__ = forms.Field.__deepcopy__
    widget = FastSelectMultiple

    def choice_values(self) -> frozenset[str]:
        """The values the field takes, as text: worked out once (the form's shallow copies share it)."""
        values = self.__dict__.get("_choice_values")
        if values is None:
            values = set()
            for key, label in self.choices:
                group = label if isinstance(label, list | tuple) else [(key, label)]
                values.update(str(inner) for inner, _ in group)
            values = self._choice_values = frozenset(values)
        return values

    def valid_value(self, value):
        # Django's walks every choice (normalising the country list again) for each value given.
        return str(value) in self.choice_values()


class EnumFilter(filters.MultipleChoiceFilter):
    """One or more values of an enum; repeat the parameter for OR. An unknown value is a 400."""

    field_class = EnumField

    def __init__(self, *args, **kwargs):
        # filter_in() keeps one row per record without a DISTINCT.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return filter_in(qs, self.field_name, value) if value else qs


class SlugsField(ModelMultipleChoiceField):
    """The published records named by one or more slugs, as a queryset (None when the parameter is absent).

    A malformed slug is a 400, and so is a well-formed one that names no published record (a typo, a
    withdrawn or unpublished record): a filter on a record that does not exist is a mistake worth saying,
    not an empty answer that looks like "no such grants".
    """

    slug = re.compile(SLUG_PATTERN)

    def clean(self, value):
        # An empty value counts as not given, as for every parameter (the browsable API's form sends them all).
        value = [slug for slug in value or () if slug not in ("", None)]
        if not value:
            return None
        bad = [slug for slug in value if not self.slug.fullmatch(str(slug))]
        if bad:
            raise ValidationError(INVALID_SLUG, code="invalid_slug", params={"value": bad[0]})
        found = dict(self.queryset.filter(**{f"{self.to_field_name}__in": value}).values_list(self.to_field_name, "pk"))
        unknown = [slug for slug in value if slug not in found]
        if unknown:
            raise ValidationError(UNKNOWN_SLUG, code="unknown_slug", params={"value": unknown[0]})
        return self.queryset.model._default_manager.filter(pk__in=found.values())


class SlugFilter(filters.ModelMultipleChoiceFilter):
    """One or more slugs of published records; repeat the parameter for OR. A malformed slug, or one that
    names no published record, is a 400."""

    field_class = SlugsField
    # An empty item counts as not given (the browsable API's form sends its empty boxes).
    value_schema = {"pattern": SLUG_PATTERN.replace("+$", "*$")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("distinct", False)
        # A text box (repeat the parameter for several), not a list of every published record to pick from.
        kwargs.setdefault("widget", RepeatableTextInput)
        if kwargs.get("help_text"):
            kwargs["help_text"] += " A slug that names no published record is a 400."
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # ``value``: the named records (SlugsField has refused any unknown slug), or None when not given.
        return qs if value is None else filter_in(qs, self.field_name, value)


class RepeatableTextInput(forms.TextInput):
    """A text box whose parameter may be repeated: the form field receives every value."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]

    def format_value(self, value):
        return value[0] if isinstance(value, list) and value else None


class RepeatableTextField(forms.Field):
    """The non-blank values of a repeatable text parameter, stripped; NUL is refused, as by every text field."""

    widget = RepeatableTextInput

    def to_python(self, value):
        texts = [text.strip() for text in value or [] if text and text.strip()]
        for text in texts:
            ProhibitNullCharactersValidator()(text)
        return texts


class ExactTextFilter(filters.MultipleChoiceFilter):
    """One or more texts matched exactly, ignoring case; repeat the parameter for OR.

    A MultipleChoiceFilter without choices, so that the schema documents a repeatable parameter.
    """

    field_class = RepeatableTextField
    value_schema = {"pattern": TEXT_PATTERN}
    blank_means_absent = True

    def filter(self, qs, value):
        if not value:
            return qs
        matches = Q()
        for text in value:
            matches |= Q(**{f"{self.field_name}__iexact": text})
        return qs.filter(matches)


class SearchFilter(filters.CharFilter):
    """Free-text search: records in which one of the model's searched fields (``datasets.search``) contains the
    text, ignoring case, or whose linked records' names do, found through the database's search indexes; in
    the search's own order (best matches first on PostgreSQL) unless another parameter has already set one
    (``updated_since``; ``ordering``, applied last, replaces any order anyway)."""

    value_schema = {"pattern": TEXT_PATTERN}
    blank_means_absent = True

    def __init__(self, model=None, **kwargs):
        if model is None:
            what = "searched fields contain this text"
        else:
            what = _either(search.SEARCHED_FIELDS[model])
            linked = search.LINKED_NAMES.get(model)
            if linked:
                names = dict.fromkeys(
                    name for path in linked for name in search.NAME_FIELDS[model._meta.get_field(path).related_model]
                )
                what += (
                    f" contain this text, or that link a published record whose {_either(list(names))} does (their "
                    f"{_either(linked)})"
                )
            else:
                what += " contain this text"
        kwargs.setdefault(
            "help_text",
            f"Case-insensitive search: records whose {what}. Unless `ordering` or "
            "`updated_since` sets the order, the best matches come first on a server that runs on PostgreSQL "
            "(by trigram similarity, then by slug), and by slug otherwise.",
        )
        super().__init__(**kwargs)

    def filter(self, qs, value):
        text = (value or "").strip()
        if not text:
            return qs
        found = search.matching(qs, text)
        return found if found.query.order_by else search.ordered(found, text)


def _either(names) -> str:
    """``a, b or c``."""
    *first, last = names
    return f"{', '.join(first)} or {last}" if first else last


class SearchText(filters.CharFilter):
    """The text of a search across resources: stripped, required, without NUL. It selects nothing by itself:
    the view reads it."""

    value_schema = {"pattern": TEXT_PATTERN, "minLength": 1}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"required": "Give the text to search for."})
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs


def filter_in(queryset, path: str, values):
    """Records whose ``path`` is any of ``values``.

    Through a to-many relation the match is a ``pk IN (subquery)``: a record that matches several
    values is listed once, without a DISTINCT over the whole result.
    """
    lookup = {f"{path}__in": values}
    if not _crosses_to_many(queryset.model, path):
        return queryset.filter(**lookup)
    return queryset.filter(pk__in=queryset.model._default_manager.filter(**lookup).values("pk"))


def _crosses_to_many(model, path: str) -> bool:
    """Whether the ``__``-separated lookup path goes through a to-many relation."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


class RepeatableCSVSelect(BaseCSVWidget, forms.Select):
    """Comma-separated values, in one parameter or several: ``?ordering=a,b`` and ``?ordering=a&ordering=b``
    read the same (django-filter's widget keeps only the last of repeated parameters, and openapi-python-client
    sends a list as repeated parameters). An empty parameter counts as not given; an empty item between commas
    (``?ordering=a,,b``) stays, for the field to refuse."""

    def value_from_datadict(self, data, files, name):
        if not hasattr(data, "getlist"):
            return super().value_from_datadict(data, files, name)
        values = data.getlist(name)
        if not values:
            return None
        return [part for value in values if value for part in value.split(",")]


class SortKeysField(BaseCSVField):
    """Sort keys, each one of the choices: an empty one (``?ordering=name,``) is an error, not ignored."""

    def clean(self, value):
        if value and "" in value:
            raise ValidationError(INVALID_SORT_KEYS, code="invalid")
        return super().clean(value)


class OrderingFilter(filters.OrderingFilter):
    """Sort by the listed fields (``-`` for descending, comma-separated or repeated). Records without a value
    come last in either direction (SQLite and PostgreSQL disagree otherwise), and ties are broken by slug, so
    that pages never overlap."""

    base_field_class = SortKeysField
    blank_means_absent = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RepeatableCSVSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in filter(None, value):
            field = self.get_ordering_value(param)
            if field.startswith("-"):
                ordering.append(F(field[1:]).desc(nulls_last=True))
            else:
                ordering.append(F(field).asc(nulls_last=True))
        return qs.order_by(*ordering, "slug")


class AnswerFilter(filters.MultipleChoiceFilter):
    """A parameter that shapes the answer rather than selecting records (``fields``, ``facet``): names out of a
    list, comma-separated or repeated, checked like any filter's values (an unknown one is a 400); the view
    reads them (``api.views.RecordViewSet``)."""

    field_class = EnumField
    blank_means_absent = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RepeatableCSVSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs


class FieldsFilter(AnswerFilter):
    """``fields``: which of the records' fields an answer holds."""


class FacetFilter(AnswerFilter):
    """``facet``: the fields whose values the page counts (``api.facets``); ``facets`` maps each name to its
    ``Facet``."""

    def __init__(self, facets: dict, **kwargs):
        self.facets = facets
        super().__init__(choices=[(name, name) for name in facets], **kwargs)


def facet_filter(facets: dict) -> FacetFilter:
    """The ``facet`` parameter over ``facets`` (name: ``api.facets.Facet``)."""
    return FacetFilter(
        facets,
        help_text="Count the values of these fields (comma-separated, or repeat the parameter) among the records "
        "the other parameters select, each facet under every filter but its own: the page's `facets` gives, "
        f"per field, its values with label and count, most frequent first (at most {FACET_SIZE}, with "
        "`truncated` when there are more), the records with no value as the value null.",
    )


class ExpandFilter(AnswerFilter):
    """``expand``: the reverse relations (``api.nesting.DOSSIERS``) that each record of a list carries."""


def expand_filter(model) -> ExpandFilter:
    """The ``expand`` parameter over the reverse relations that the records of ``model`` show on their route."""
    names = list(DOSSIERS[model])
    return ExpandFilter(
        choices=[(name, name) for name in names],
        help_text="Add these lists of the records that refer to each record (comma-separated, or repeat the "
        f"parameter), as its own route shows them: at most {EXPAND_LIMIT} of each, "
        "the first by slug, with `<name>_count` giving how many there are in all. Default: none (lists stay lean).",
    )


# Always in an answer, whatever ``fields`` asks for: what identifies a record and where it is.
IDENTITY_FIELDS = ("slug", "url")


def fields_filter(serializer_class) -> FieldsFilter:
    """The ``fields`` parameter over the fields of ``serializer_class``."""
    names = list(serializer_class.Meta.fields)
    return FieldsFilter(
        choices=[(name, name) for name in names],
        help_text="Only these fields in each record (comma-separated, or repeat the parameter), in JSON and CSV; "
        f"{' and '.join(IDENTITY_FIELDS)} are always included. Default: every field.",
    )


def ordering_filter(*fields: str) -> OrderingFilter:
    """The ``ordering`` parameter over ``fields`` (plus slug and updated_at, on every resource)."""
    names = ("slug", *fields, "updated_at")
    return OrderingFilter(
        fields=[(name, name) for name in names],
        help_text=f"Sort order: one or more of {', '.join(names)}, comma-separated (or repeat the parameter); "
        "prefix a field with `-` for descending order. Default: slug. Records without a value come last; ties "
        "are broken by slug.",
    )


class IsNullFilter(BooleanFilter):
    """``<parameter>__isnull``: true, the records with no value; false, those with one. A relation to a record
    that is not published counts as no value, as the API shows it (null, or left out of a list)."""

    def filter(self, qs, value):
        if value is None:
            return qs
        field = qs.model._meta.get_field(self.field_name)
        if not field.is_relation:
            return qs.filter(**{f"{self.field_name}__isnull": value})
        published = field.related_model.objects.published()
        having = qs.model._default_manager.filter(**{f"{self.field_name}__in": published}).values("pk")
        return qs.exclude(pk__in=having) if value else qs.filter(pk__in=having)


def isnull(field: str, what: str) -> IsNullFilter:
    """The ``<parameter>__isnull`` parameter of ``field``."""
    return IsNullFilter(field_name=field, help_text=f"true: records with no {what} recorded; false: records with one.")


def date_range(field: str, what: str) -> tuple[DateFilter, DateFilter]:
    """The ``<field>_after`` / ``<field>_before`` pair, both inclusive."""
    return (
        DateFilter(field_name=field, lookup_expr="gte", help_text=f"{what} on or after this date (YYYY-MM-DD)."),
        DateFilter(field_name=field, lookup_expr="lte", help_text=f"{what} on or before this date (YYYY-MM-DD)."),
    )


def number_range(field: str, what: str) -> tuple[WholeNumberFilter, WholeNumberFilter]:
    """The ``<field>_min`` / ``<field>_max`` pair, both inclusive."""
    return (
        WholeNumberFilter(field_name=field, lookup_expr="gte", help_text=f"{what} of at least this value."),
        WholeNumberFilter(field_name=field, lookup_expr="lte", help_text=f"{what} of at most this value."),
    )


# The base FilterSet.


class FilterBoundField(BoundField):
    """A filter form's field whose label and widget, once rendered, are kept per form class, field, value given and
    language (``RENDERED``): a new selection of filters renders again only the fields whose values changed, not
    the form's thirty-odd labels and widgets through Django's templates. The same HTML as Django's: a field with
    errors, or rendered with arguments, is rendered by Django every time."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if widget is not None or attrs or only_initial or not self.form.is_bound or self.errors:
            return super().as_widget(widget, attrs, only_initial)
        given = self.field.widget.value_from_datadict(self.form.data, self.form.files, self.html_name)
        key = ("widget", type(self.form), self.html_name, self.auto_id, get_language(), repr(given))
        return RENDERED.get_or_render(key, lambda: BoundField.as_widget(self))

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        if contents or attrs or label_suffix is not None or tag is not None:
            return super().label_tag(contents, attrs, label_suffix, tag)
        key = ("label", type(self.form), self.html_name, self.auto_id, get_language())
        return RENDERED.get_or_render(key, lambda: BoundField.label_tag(self))


class Rendered(dict):
    """Filter forms' labels and widgets as rendered (``FilterBoundField``), emptied when they would hold more than
    ``limit`` characters of HTML (a country select is 10 KB)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.characters = limit, 0

    def get_or_render(self, key: tuple, render) -> str:
        html = self.get(key)
        if html is None:
            html = render()
            if self.characters + len(html) > self.limit:
                self.clear()
                self.characters = 0
            self[key] = html
            self.characters += len(html)
        return html


RENDERED = Rendered(limit=2_000_000)


class FilterForm(forms.Form):
    """The form behind every FilterSet: a single-value parameter given more than once is an error, where
    Django would read the last value and ignore the others (``?tpp_max=high&tpp_max=5``)."""

    repeatable_widgets = (forms.SelectMultiple, RepeatableTextInput, RepeatableCSVSelect)
    bound_field_class = FilterBoundField

    def _clean_fields(self):
        """Django's, but a parameter the request does not give is not cleaned again: it takes the value its field
        cleans "not given" to, worked out once per form class (``absent_values``). A list takes 30 parameters or
        so, and a request gives two or three."""
        absent = type(self).absent_values()
        if self.prefix or self.files:
            absent = {}
        for name, field in self.fields.items():
            if name in absent and field.widget.value_omitted_from_data(self.data, self.files, name):
                self.cleaned_data[name] = copy.copy(absent[name])
                continue
            try:
                self.cleaned_data[name] = field._clean_bound_field(self[name])
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except ValidationError as error:
                self.add_error(name, error)

    @classmethod
    def absent_values(cls) -> dict:
        """What each field cleans to when its parameter is not given, by Django's own cleaning of an empty form;
        only for fields that clean without error, are not disabled and have no ``clean_<name>`` of the form."""
        absent = cls.__dict__.get("_absent_values")
        if absent is None:
            empty = cls(QueryDict())
            empty.cleaned_data = {}
            empty._errors = ErrorDict()
            forms.Form._clean_fields(empty)
            absent = {
                name: value
                for name, value in empty.cleaned_data.items()
                if name not in empty._errors and not empty.fields[name].disabled and not hasattr(cls, f"clean_{name}")
            }
            cls._absent_values = absent
        return absent

    def clean(self):
        cleaned_data = super().clean()
        if hasattr(self.data, "getlist"):
            for name, field in self.fields.items():
                if not isinstance(field.widget, self.repeatable_widgets) and len(self.data.getlist(name)) > 1:
                    self.add_error(name, ValidationError(GIVEN_MORE_THAN_ONCE, code="repeated"))
        return cleaned_data


class SharedFilters(dict):
    """A FilterSet's declared filters, copied for each request one by one and shallowly. django-filter
    deep-copies them all, their choices and querysets included, for every request; nothing of a filter changes
    after its declaration but the ``model`` and ``parent`` each copy is given."""

    def __deepcopy__(self, memo):
        return SharedFilters({name: self._copy(filter_) for name, filter_ in self.items()})

    @staticmethod
    def _copy(filter_):
        copied = copy.copy(filter_)
        if filter_.method is not None:
            # Its FilterMethod is bound to the filter it was made for: bind a new one to the copy.
            copied.method = filter_.method
        return copied


class SharedFields(dict):
    """A filter form's fields, shared by every form of its class. Django deep-copies a form's fields for each
    form made, their widgets, choices (the country list, 250 of them, normalised again on each copy) and
    querysets included: 2 ms for a FilterSet of 30 parameters, for every list asked. Nothing of these fields
    changes once the form class is made (``FilterSet.get_form_class``): parsing and rendering only read them, so
    each form gets its own dict of the same fields (``tests/test_filter_forms.py`` checks that a form leaves its
    fields as it found them)."""

    def __deepcopy__(self, memo):
        return dict(self)


NEGATION_SUFFIX = "__not"
NEGATABLE = (SlugFilter, EnumFilter, ExactTextFilter)


def negation_of(name: str, filter_) -> django_filters.Filter:
    """The ``<name>__not`` parameter of a slug, enum or exact-text filter: the same values, checked the same
    way, selecting the records that the positive parameter would not (records with no value included)."""
    negated = copy.copy(filter_)
    negated.__dict__.pop("_field", None)
    negated.extra = dict(filter_.extra)
    negated.negates = name
    negated.extra["help_text"] = (
        f"Negation of `{name}`, with the same values: records that match none of them (records with no value "
        "included). Repeat for none of several."
    )
    return negated


# How a filter's values shape a list's SQL, for keys prepared per shape (``FilterSet.prepared_shape``): each value
# is one parameter of the SQL, as given (an enum's values; the SQL depends only on how many); or the values change
# the SQL's form and are part of the shape (an ordering, a true or false, the answer's own parameters).
PREPARED_BY_VALUES = "values"
PREPARED_BY_FORM = "form"


def value_blind(method):
    """Mark a FilterSet's filter method whose SQL takes its values as given, one parameter each, and depends on
    them only through how many there are: its enum parameter's keys may then be prepared per shape."""
    method.value_blind = True
    return method


def prepared_as(filterset, filter_) -> str | None:
    """How ``filter_``'s values shape a list's SQL (``PREPARED_BY_VALUES`` or ``PREPARED_BY_FORM``), or None when
    it is not known to be either (its keys are then found by the ORM, as ever)."""
    method = getattr(filter_, "method", None)
    if method is not None and not getattr(getattr(type(filterset), str(method), None), "value_blind", False):
        return None
    if isinstance(filter_, EnumFilter) and not isinstance(filter_, AnswerFilter):
        return PREPARED_BY_VALUES
    if isinstance(filter_, OrderingFilter | BooleanFilter | AnswerFilter):
        return PREPARED_BY_FORM
    return None


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, built for each request without rebuilding what never changes: the filters
    are copied shallowly (``SharedFilters``), the form class is made once per FilterSet, on ``FilterForm``, and
    its fields are copied shallowly too (``SharedFields``).

    Every slug, enum and exact-text parameter ``x`` has its negation, ``x__not`` (Datasette's name for it):
    the records ``x`` would not select, by the same values."""

    @classmethod
    def get_filters(cls):
        declared = super().get_filters()
        negations = {
            f"{name}{NEGATION_SUFFIX}": negation_of(name, filter_)
            for name, filter_ in declared.items()
            if isinstance(filter_, NEGATABLE) and not name.endswith(NEGATION_SUFFIX)
        }
        return SharedFilters({**declared, **negations})

    def filter_queryset(self, queryset, skip=(), cleaned=None):
        """The records the parameters select; ``skip`` names parameters to leave out (a facet's own); ``cleaned``,
        values to use instead of the form's (``prepared_shape``'s stand-ins)."""
        for name, value in (self.form.cleaned_data if cleaned is None else cleaned).items():
            if name in skip:
                continue
            filter_ = self.filters[name]
            negates = getattr(filter_, "negates", None)
            if negates is None:
                queryset = filter_.filter(queryset, value)
            elif value:  # not given: None (slugs) or [] (enums, texts)
                selected = self.filters[negates].filter(queryset.model._default_manager.all(), value)
                queryset = queryset.exclude(pk__in=selected.values("pk"))
        return queryset

    def prepared_shape(self) -> tuple[tuple, list, Callable[[QuerySet, list], QuerySet]] | None:
        """The shape of the question the parameters ask, for a list's keys prepared per shape
        (``api.prepared.PreparedKeys``): ``(shape, values, build)``, or None when a given parameter's filter is not
        prepared (``prepared_as``). ``shape`` names the parameters given, with the number of values of each whose
        values go to the SQL as given, and the values themselves of those that change its form (an ordering, a
        true or false); ``values`` are the former's values in order, and ``build(queryset, stand_ins)`` filters
        ``queryset`` with stand-ins in their place."""
        shape, values, places = [], [], []
        for name, value in self.form.cleaned_data.items():
            if value is None or (isinstance(value, list | tuple | str) and not value):
                continue  # not given
            mode = prepared_as(self, self.filters[name])
            if mode == PREPARED_BY_FORM and isinstance(value, bool | list | tuple | str):
                shape.append((name, tuple(value) if isinstance(value, list) else value))
            elif mode == PREPARED_BY_VALUES and isinstance(value, list) and all(type(v) is str for v in value):
                shape.append((name, len(value)))
                places.append((name, len(values), len(value)))
                values.extend(value)
            else:
                return None
        cleaned = self.form.cleaned_data

        def build(queryset, stand_ins):
            given = dict(cleaned)
            for name, start, count in places:
                given[name] = list(stand_ins[start : start + count])
            return self.filter_queryset(queryset, cleaned=given)

        return tuple(shape), values, build

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = type(f"{type(self).__name__}Form", (FilterForm, super().get_form_class()), {})
            # The browsable API's filter form: each field labelled with its parameter, its help as plain text.
            for name, field in form_class.base_fields.items():
                field.label = name
                field.help_text = re.sub(r"`([^`]*)`", r"\1", str(field.help_text or ""))
            for field in form_class.base_fields.values():
                if isinstance(field, EnumField):
                    field.choice_values()
            form_class.base_fields = SharedFields(form_class.base_fields)
            type(self)._form_class = form_class
        return form_class


# The browsable API's filter forms as rendered, by FilterSet and values given (FilterBackend.to_html).
FILTER_FORMS: dict[tuple, str] = {}
MAX_FILTER_FORMS = 256


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, parsing a request's parameters once: the FilterSet that checked them
    (``api.conditional.PublicReadMixin.validate_parameters``) is the one that then filters, so that each slug
    parameter is looked up in the database once per request, not once per use. The view keeps it, as
    ``checked_filterset``."""

    def to_html(self, request, queryset, view):
        """The browsable API's filter form, rendered once per FilterSet and values given: it shows those values and
        nothing else of the request (no record, no token), so paging through a list or asking again reuses it."""
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        fields = filterset.form.fields
        given = tuple(
            sorted((name, tuple(request.query_params.getlist(name))) for name in request.query_params if name in fields)
        )
        key = (type(filterset), given)
        html = FILTER_FORMS.get(key)
        if html is None:
            html = super().to_html(request, queryset, view)
            if len(FILTER_FORMS) >= MAX_FILTER_FORMS:
                FILTER_FORMS.clear()
            FILTER_FORMS[key] = html
        return html

    def get_filterset(self, request, queryset, view):
        filterset = getattr(view, "checked_filterset", None)
        if filterset is not None and type(filterset) is self.get_filterset_class(view, queryset):
            filterset.queryset = queryset
            filterset.__dict__.pop("_qs", None)
            return filterset
        filterset = super().get_filterset(request, queryset, view)
        view.checked_filterset = filterset
        return filterset
