"""B7 and B8: the weekly digest's rows, an LA's caseload and the items a SPOC or practitioner sees."""

import inspect

from escalation.selectors import digest_rows

from .. import floors
from ..harness import Scenario
from .common import get_ok, need, short_sql, target_note, url_or_skip

# B7 ----------------------------------------------------------------------------------------------


class Digest(Scenario):
    code = "B7a"
    title = "weekly digest, all providers, top 50 each"
    target = "<= 3x the floor"
    per_provider = 50

    def floor(self, ctx, cursor):
        return floors.digest(cursor, today=ctx.today, per_provider=self.per_provider)

    def app(self, ctx):
        from ehc.models import Organisation, OrganisationKind

        # The first N of each list are numbered by the selector when it can (digest_rows(per_provider=)).
        limit = {}
        if self.per_provider is not None and "per_provider" in inspect.signature(digest_rows).parameters:
            limit = {"per_provider": self.per_provider}
        la_ids = list(
            Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_active=True).values_list(
                "pk", flat=True
            )
        )
        # LA by LA, as the sweep reads each LA's digest when it sends it.
        rows_by_la = ((la_id, digest_rows(la_id=la_id, today=ctx.today, **limit)) for la_id in la_ids)
        lists = {}
        for la_id, rows in rows_by_la:
            for row in rows:
                lists.setdefault((la_id, row["provider_id"]), []).append(row["id"])
        if self.per_provider is not None:
            lists = {key: ids[: self.per_provider] for key, ids in lists.items()}
        return lists

    def compare(self, floor_result, app_result):
        if floor_result == app_result:
            return None
        keys = set(floor_result) ^ set(app_result)
        differing = [key for key in floor_result if key in app_result and floor_result[key] != app_result[key]]
        return f"lists only one side has: {sorted(keys)[:5]}; lists that differ: {differing[:5]}"

    def rows(self, result):
        return sum(len(ids) for ids in result.values())

    def notes(self, outcome):
        return [] if outcome.ratio is None else [target_note("app / floor", outcome.ratio, 3, unit="x")]


class DigestFull(Digest):
    code = "B7b"
    title = "weekly digest, all providers, full lists"
    per_provider = None


# B8 ----------------------------------------------------------------------------------------------


class Caseload(Scenario):
    code = "B8a"
    title = "LA caseload, access checks on"
    target = "<= 1.2x the floor with none"

    def floor(self, ctx, cursor):
        return floors.caseload_page(cursor, la_id=ctx.la_id, today=ctx.today)

    def app(self, ctx):
        caseload = need("assessments.selectors", "caseload", "the caseload list")
        page = caseload(user=ctx.officer, today=ctx.today)
        return [case.pk for case in page.rows]

    def notes(self, outcome):
        return [] if outcome.ratio is None else [target_note("app / floor", outcome.ratio, 1.2, unit="x")]


class CaseloadPage(Caseload):
    code = "B8a-page"
    title = "/cases/ page as an LA case officer"
    target = "(the page around B8a: middleware, session, template)"

    def prepare(self, ctx):
        ctx.client(ctx.officer)

    def app(self, ctx):
        url = url_or_skip("assessments:caseload", "the caseload page")
        response = get_ok(ctx.client(ctx.officer), url)
        return [case.pk for case in response.context["page"].rows]

    def notes(self, outcome):
        if outcome.app_sql:
            outcome.details.append("Queries /cases/ made:\n" + "\n".join(short_sql(q) for q in outcome.app_sql))
        return []


class ProviderItems(Scenario):
    code = "B8b"
    title = "provider's outstanding items via visible_advice_items (SPOC)"
    target = "<= 1.2x the floor with none"
    as_practitioner = False

    def _user(self, ctx):
        return ctx.practitioner if self.as_practitioner else ctx.spoc

    def prepare(self, ctx):
        # A request's user comes with its organisation loaded (the page's middleware reads it first).
        self._user(ctx).organisation  # noqa: B018

    def floor(self, ctx, cursor):
        teams = [ctx.team_id] if self.as_practitioner else None
        return floors.outstanding_items_page(cursor, provider_id=ctx.provider_id, team_ids=teams)

    def app(self, ctx):
        from advice.access import visible_advice_items
        from advice.models import ItemStatus

        # The floor's columns, so that the two differ only by the access check: whole rows of three
        # tables made into model instances would measure the ORM, not the check.
        items = (
            visible_advice_items(self._user(ctx))
            .filter(status=ItemStatus.OUTSTANDING)
            .order_by("due_on", "id")
            .values_list("pk", "due_on", "stage", "case__reference", "team__name")[:50]
        )
        return [item[0] for item in items]

    def notes(self, outcome):
        return [] if outcome.ratio is None else [target_note("app / floor", outcome.ratio, 1.2, unit="x")]


class PractitionerItems(ProviderItems):
    code = "B8c"
    title = "team's outstanding items via visible_advice_items (practitioner)"
    as_practitioner = True
