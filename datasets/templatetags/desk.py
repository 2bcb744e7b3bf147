"""``{% desk %}``: the curators' desk on the admin's index page (``datasets.services.desk``)."""

from django import template

from datasets.admin.base import change_page
from datasets.services import desk as desk_service
from datasets.services.links import dead_links
from datasets.services.workflow import can_review

register = template.Library()


def entry(record, note: str = "") -> dict:
    return {"record": record, "kind": record._meta.verbose_name, "url": change_page(record), "note": note}


@register.inclusion_tag("admin/datasets/desk.html", takes_context=True)
def desk(context):
    user = context["request"].user
    reviewer = any(can_review(user, model()) for model in desk_service.REVIEWED)
    return {
        "reviewer": reviewer,
        "awaiting": [entry(record) for record in desk_service.awaiting_review(user)] if reviewer else [],
        "drafts": [entry(record) for record in desk_service.own_drafts(user)],
        "published": desk_service.recent_publications(),
        "due": [entry(due.record, due.reason) for due in desk_service.recheck_queue()],
        "dead": [entry(check.source, f"{check.get_which_display()} {check.outcome}") for check in dead_links()],
    }
