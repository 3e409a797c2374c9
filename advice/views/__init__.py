"""Pages of health advice. Every object is looked up through what the user may see, so anything
else (another provider's request, item or file) answers 404 exactly like a missing one.

One module per part of the process; every view is re-exported here for advice/urls.py."""

from .acknowledge_several import acknowledge_several, acknowledged_several
from .drafts import draft_comment, draft_plan_record
from .items import (
    document_download,
    item_amend,
    item_detail,
    item_exception,
    item_not_provided,
    item_return,
    return_document,
)
from .queues import spoc_queue, team_queue
from .requests import acknowledge, request_create, request_detail
from .sign_off import draft_document, sign_off_queue, sign_off_review

__all__ = [
    "acknowledge",
    "acknowledge_several",
    "acknowledged_several",
    "document_download",
    "draft_document",
    "draft_comment",
    "draft_plan_record",
    "item_amend",
    "item_detail",
    "item_exception",
    "item_not_provided",
    "item_return",
    "request_create",
    "request_detail",
    "return_document",
    "sign_off_queue",
    "sign_off_review",
    "spoc_queue",
    "team_queue",
]
