"""schemathesis hooks for `make fuzz`: the correction of two false positives of the tool, nothing else.

1. Unknown slugs. A slug parameter takes the slug of a *published record*: which slugs exist is data, which
an OpenAPI schema cannot state (the schema states the slug's pattern, and says in words that an unknown
slug is a 400). The API answers a well-formed but unknown slug with a 400 naming the parameter, as it
must (a typo should not look like "no results"), and the positive-data check calls that "a valid request
rejected". The hook drops that failure only when the response is that very 400: JSON whose every message
says the value "is not the slug of a published record". Any other 400 to a valid request still fails.

2. Lists turned into other types:
A negative case may change the type of a repeatable query parameter, a list of slugs or texts, into a boolean,
a number or an object (``developer: false``); on the wire that is ``?developer=false``, the one-slug list
``["false"]``, a valid request that the API rightly accepts. schemathesis judges single-value parameters by the
text actually sent (so ``?limit=5`` from a string mutation is not held against the API), but keeps the generated
value of a list of strings, and reports "schema-violating request accepted" (negative_data_rejection, ST201)
for a request that violates nothing (upstream: schemathesis issues #3056 and #3962).

The hook drops such a failure only when every parameter that the case made invalid reached the server as a
valid value, judged by the request actually sent: not sent at all (an optional parameter), sent empty where the
parameter says `allowEmptyValue`, or sent as a list of texts that the parameter's item schema accepts. Every
other failure of that check, and every other check, stands.
"""

import re
from urllib.parse import parse_qs, urlsplit

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData


def _string_items(parameter) -> dict | None:
    """The item schema of a list-of-texts query parameter (slugs, exact texts), or None for any other kind."""
    schema = parameter.definition.get("schema", {})
    items = schema.get("items", {})
    if schema.get("type") != "array" or items.get("type") != "string" or "enum" in items or "$ref" in items:
        return None
    return items


def _is_valid_text(text: str, items: dict) -> bool:
    # JSON Schema patterns are ECMA 262: `$` ends the text, where Python's also matches before a final newline.
    pattern = items.get("pattern", "")
    return re.search(pattern.removesuffix("$") + (r"\Z" if pattern.endswith("$") else ""), text) is not None


def _reached_the_server_valid(name: str, sent: dict[str, list[str]], operation) -> bool:
    parameter = operation.query.get(name)
    if parameter is None:
        return False
    if name not in sent:
        # A value that serializes to nothing ([], None) leaves an optional parameter out: nothing invalid was sent.
        return not parameter.is_required
    if sent[name] == [""] and parameter.definition.get("allowEmptyValue") is True:
        return True
    items = _string_items(parameter)
    return items is not None and all(_is_valid_text(text, items) for text in sent[name])


UNKNOWN_SLUG = "is not the slug of a published record."


def _only_unknown_slugs(response) -> bool:
    """Whether the response is the API's 400 for unknown slugs, and nothing else."""
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    messages = [message for messages in body.values() for message in messages] if isinstance(body, dict) else []
    return bool(messages) and all(str(message).endswith(UNKNOWN_SLUG) for message in messages)


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure except the two false positives the module docstring describes."""
    if isinstance(failure, RejectedPositiveData):
        return not _only_unknown_slugs(response)
    if not isinstance(failure, AcceptedNegativeData) or case.meta is None:
        return True
    mutations = getattr(case.meta.phase.data, "mutations", None)
    if not mutations or any(mutation.parameter_location != ParameterLocation.QUERY for mutation in mutations):
        return True
    sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    return not all(_reached_the_server_valid(mutation.parameter, sent, case.operation) for mutation in mutations)
