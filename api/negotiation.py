"""Content negotiation: DRF's, except that a bad ``?format=`` is a bad parameter (400), like any other."""

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF answers ``?format=xml`` with a 404, which on a list reads as "no such resource" and which the schema
    cannot document as what it is, and reads the last of repeated ``format`` parameters. Here either is a 400
    naming the parameter, rendered as JSON (DRF's fallback when negotiation fails). DRF's choice is kept for the
    same renderers, format and ``Accept`` (``NEGOTIATED``)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        values = request.query_params.getlist(name) if name else []
        if len(values) > 1:
            raise ValidationError({name: ["Give this parameter once: it takes a single value."]})
        key = (tuple(map(type, renderers)), format_suffix, tuple(values), request.META.get("HTTP_ACCEPT"))
        chosen = NEGOTIATED.get(key)
        if chosen is not None:
            return renderers[chosen[0]], chosen[1]
        try:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        except Http404:
            value = format_suffix or values[0]
            raise ValidationError(
                {name: [f"Select a valid choice. {value} is not one of the available choices."]}
            ) from None
        if len(NEGOTIATED) >= MAX_NEGOTIATED:
            NEGOTIATED.clear()
        NEGOTIATED[key] = (next(index for index, given in enumerate(renderers) if given is renderer), media_type)
        return renderer, media_type


# DRF's choice for a view's renderers, a format and an Accept header (parsed and matched against each renderer on
# every request otherwise), kept per process; Accept headers are the client's, so the table is bounded.
NEGOTIATED: dict[tuple, tuple[int, str]] = {}
MAX_NEGOTIATED = 512
