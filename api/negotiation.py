"""Content negotiation: DRF's, except that a bad ``?format=`` is a bad parameter (400), like any other."""

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF answers ``?format=xml`` with a 404, which on a list reads as "no such resource" and which the schema
    cannot document as what it is, and reads the last of repeated ``format`` parameters. Here either is a 400
    naming the parameter, rendered as JSON (DRF's fallback when negotiation fails)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        values = request.query_params.getlist(name) if name else []
        if len(values) > 1:
            raise ValidationError({name: ["Give this parameter once: it takes a single value."]})
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            value = format_suffix or values[0]
            raise ValidationError(
                {name: [f"Select a valid choice. {value} is not one of the available choices."]}
            ) from None
