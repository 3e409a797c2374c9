"""Reading a case's discussion: a page of messages (a fixed number of queries however many there are),
who has read each, and unread counts (one definition, `unread_messages`, for the case page, the
discussion page and the home page)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..models import CaseMessage, DiscussionReceipt
from .access import case_professionals, discussion_cases

PAGE_SIZE = 20


def unread_messages(user):
    """Messages `user` has not read on the discussions that are theirs (they opened it, posted in it,
    were mentioned in it, or are its case's officer: a receipt row), among those they are still on;
    their own messages are never unread."""
    behind = DiscussionReceipt.objects.filter(
        user_id=user.pk, case_id=OuterRef("case_id"), last_read_id__lt=OuterRef("pk")
    )
    return (
        CaseMessage.objects.filter(case_id__in=discussion_cases(user).values("pk"))
        .exclude(author_id=user.pk)
        .filter(Exists(behind))
    )


def unread_discussions(user):
    """The discussions of `user`'s (a receipt row) with messages they have not read, newest message
    first, each with `unread_count` and `last_message_at`: the list "Case discussions with unread
    messages" shows these rows and the home page counts them."""
    newest = CaseMessage.objects.filter(case_id=OuterRef("pk")).order_by("-id")
    return (
        discussion_cases(user)
        .filter(Exists(unread_messages(user).filter(case_id=OuterRef("pk"))))
        .annotate(
            unread_count=unread_count_expression(user, OuterRef("pk")),
            last_message_id=Subquery(newest.values("id")[:1]),
            last_message_at=Subquery(newest.values("created_at")[:1]),
        )
        .select_related("child")
        .order_by("-last_message_id", "-pk")
    )


def unread_count_expression(user, case_ref):
    """On a case row: how many of its messages `user` has not read (all of them by others, if they
    never opened it)."""
    read_up_to = DiscussionReceipt.objects.filter(user_id=user.pk, case_id=OuterRef("case_id")).values("last_read_id")[
        :1
    ]
    unread = (
        CaseMessage.objects.filter(case_id=case_ref)
        .exclude(author_id=user.pk)
        .filter(pk__gt=Coalesce(Subquery(read_up_to), 0))
    )
    return _count(unread)


def message_count_expression(case_ref):
    return _count(CaseMessage.objects.filter(case_id=case_ref))


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


@dataclass
class DiscussionPage:
    messages: list  # oldest first, as a thread reads
    # The `before` of the page of earlier messages, or None at the start of the discussion.
    earlier_before: int | None
    # True when newer messages exist than this page shows.
    has_later: bool
    professionals: list = field(default_factory=list)
    read_up_to: int = 0


def discussion_page(*, case, user, before=None) -> DiscussionPage:
    """The newest PAGE_SIZE messages (before message `before`, if given), each with its author, the
    author's organisation, its attachments and mentions, and `read_by`: the others who have read it.
    Five queries, whatever the discussion holds."""
    messages = (
        CaseMessage.objects.filter(case=case)
        .select_related("author", "organisation")
        .prefetch_related("attachments", "mentions__user")
        .order_by("-id")
    )
    if before is not None:
        messages = messages.filter(pk__lt=before)
    page = list(messages[: PAGE_SIZE + 1])
    earlier = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    page = page[:PAGE_SIZE]
    page.reverse()
    receipts = list(
        DiscussionReceipt.objects.filter(case=case, last_read_id__gt=0)
        .select_related("user", "user__organisation")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    mine = next((receipt.last_read_id for receipt in receipts if receipt.user_id == user.pk), 0)
    for message in page:
        message.read_by = [
            receipt.user
            for receipt in receipts
            if receipt.last_read_id >= message.pk and receipt.user_id != message.author_id
        ]
        message.is_new = message.pk > mine and message.author_id != user.pk
    professionals = list(case_professionals(case).order_by("organisation__name", "first_name", "last_name", "pk"))
    return DiscussionPage(
        messages=page,
        earlier_before=earlier,
        has_later=before is not None and CaseMessage.objects.filter(case=case, pk__gte=before).exists(),
        professionals=professionals,
        read_up_to=mine,
    )
