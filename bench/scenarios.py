"""The scenarios of issue 8: each the app's own code path against its floor (bench.floors).

Scenarios whose code lives on branches not merged yet name the interface they call; until it is
importable their app side raises Skip with that name, and their floor is still timed.
"""

import ast
import datetime
import importlib
import inspect
import multiprocessing
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from . import BENCH_NOW, BENCH_PREVIOUS_NOW, BENCH_PREVIOUS_WORKING_DAY, BENCH_TODAY, LONDON, data, floors
from .harness import Run, Scenario, Skip, raw_cursor


def need(module_name, attribute, purpose):
    """module.attribute, or Skip naming what the scenario waits for."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise Skip(
            f"waits for {module_name}.{attribute} ({purpose}): {module_name} is not importable ({exc})"
        ) from None
    if not hasattr(module, attribute):
        raise Skip(f"waits for {module_name}.{attribute} ({purpose}): {module_name} has no {attribute}")
    return getattr(module, attribute)


def url_or_skip(name, purpose, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        raise Skip(f"waits for the URL {name!r} ({purpose}): not in the URLconf yet") from None


def target_note(label, value, limit, *, unit="ms", higher_is_better=False):
    if value is None:
        return f"{label}: not measured (target {limit} {unit})"
    met = value >= limit if higher_is_better else value <= limit
    return f"{label} {value:.1f} {unit}: {'meets' if met else 'misses'} the target {limit} {unit}"


# The context: who and what the scenarios use ----------------------------------------------------


class Context:
    """The data set's largest LA and provider, the users acting on them, logged-in test clients."""

    def __init__(self):
        self.meta = data.meta()
        self.scale = self.meta.get("scale", "?")
        self.today = BENCH_TODAY
        self.now = BENCH_NOW
        self._clients = {}
        cursor = raw_cursor()
        cursor.execute(
            """SELECT local_authority_id FROM advice_adviceitem WHERE status = 'outstanding'
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
        )
        self.la_id = cursor.fetchone()[0]
        cursor.execute(
            """SELECT provider_id FROM advice_adviceitem WHERE status = 'outstanding'
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
        )
        self.provider_id = cursor.fetchone()[0]
        cursor.execute("SELECT id, icb_id FROM ehc_organisation WHERE id = %s", [self.la_id])
        self.icb_id = cursor.fetchone()[1]
        cursor.execute(
            """SELECT team_id FROM advice_adviceitem WHERE status = 'outstanding' AND provider_id = %s
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
            [self.provider_id],
        )
        self.team_id = cursor.fetchone()[0]
        cursor.close()
        from ehc.models import User

        def user(**lookup):
            return User.objects.filter(is_active=True, **lookup).order_by("pk").first()

        self.officer = user(organisation_id=self.la_id, roles__contains=["case_officer"])
        self.spoc = user(organisation_id=self.provider_id, roles__contains=["spoc"])
        self.practitioner = user(organisation_id=self.provider_id, roles__contains=["practitioner"], teams=self.team_id)
        self.dco = user(organisation_id=self.icb_id, roles__contains=["dco"])

    def client(self, user):
        """A test client signed in as `user` with two-factor authentication done (tests.factories'
        verified_login, without importing the test suite)."""
        if user.pk not in self._clients:
            from django_otp.plugins.otp_static.models import StaticDevice

            client = Client()
            client.force_login(user)
            device, _ = StaticDevice.objects.get_or_create(user=user, name="Bench device", defaults={"confirmed": True})
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
            self._clients[user.pk] = client
        return self._clients[user.pk]


def get_ok(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return response


class rolled_back:
    """Run a write scenario in a transaction that is then rolled back, so every repetition starts
    from the same data. Nothing commits, so nothing is sent (on_commit never fires)."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        return self

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        return self.atomic.__exit__(*exc)


# B1 ----------------------------------------------------------------------------------------------


class SweepIdle(Scenario):
    code = "B1"
    title = "sweep tick, nothing due"
    target = "<= 20 ms"

    def floor(self, ctx, cursor):
        return floors.sweep_nothing_due(cursor, today=BENCH_PREVIOUS_WORKING_DAY, now=BENCH_PREVIOUS_NOW)

    def app(self, ctx):
        sweep_run = need("escalation.sweep", "sweep_run", "sweep_run(now=...) runs every LA's timers once")
        # The data set is as the sweep left it after its run on the previous working day: run it again
        # then, when nothing is due.
        report = sweep_run(now=BENCH_PREVIOUS_NOW)
        counts = getattr(report, "counts", {}) or {}
        return sum(counts.values())

    def rows(self, result):
        return result

    def notes(self, outcome):
        return [target_note("app median", outcome.app_stat("median"), 20)]


# B2 ----------------------------------------------------------------------------------------------


class SweepBatch(Scenario):
    """One batch of the sweep: the requests of the oldest due items of the largest LA, transitioned with
    their escalations, stage changes, letters and outbox rows. The day is the first one on which that
    LA has a full batch due (batch_items at this scale). Rolled back after each repetition."""

    code = "B2a"
    title = "sweep batch"
    target = "<= 2x the floor, <= 500 ms per 10,000 items"
    max_reps = 5
    # The tables a rolled-back sweep leaves dead row versions in.
    WRITTEN_TABLES = (
        "advice_adviceitem",
        "advice_advicerequest",
        "escalation_escalation",
        "escalation_stagechange",
        "escalation_letter",
        "ehc_outboundemail",
        "ehc_auditevent",
    )

    def teardown(self, ctx):
        # Every repetition updates thousands of items and rolls back: the dead versions it leaves in
        # the items' indexes made the index-only scans of the scenarios after it (B5's counts, at
        # national scale) visit the heap 300,000 times. Autovacuum clears them in production, where
        # nothing writes 10,000 rows a second only to roll them back; here it may not have run yet.
        # (Not inside a transaction, where VACUUM cannot run: tests/bench's.)
        if connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            for table in self.WRITTEN_TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")

    def prepare(self, ctx):
        scale = data.SCALES.get(ctx.scale)
        wanted = scale.batch_items if scale else 10_000
        cursor = raw_cursor()
        cursor.execute(
            """SELECT next_action_on, count(*) FROM advice_adviceitem
               WHERE local_authority_id = %s AND status = 'outstanding' AND next_action_on IS NOT NULL
               GROUP BY 1 ORDER BY 1""",
            [ctx.la_id],
        )
        running, day = 0, None
        for day, count in cursor.fetchall():  # noqa: B007 - the loop leaves `day` where the batch fills
            running += count
            if running >= wanted:
                break
        cursor.execute(f"SELECT on_or_after FROM {data.CALENDAR_TABLE} WHERE day = %s", [max(day, ctx.today)])
        self.day = cursor.fetchone()[0]
        self.now = datetime.datetime.combine(self.day, datetime.time(10, 0), tzinfo=LONDON)
        self.limit = min(wanted, running)
        self.la_id = ctx.la_id
        self.title = f"sweep batch of {self.limit:,} due items on {self.day:%d %b}"
        self._candidates(cursor)
        cursor.close()

    def _candidates(self, cursor):
        cursor.execute(
            """SELECT id FROM advice_adviceitem WHERE status = 'outstanding' AND next_action_on <= %s
               AND local_authority_id = %s""",
            [self.day, self.la_id],
        )
        self.item_ids = [row[0] for row in cursor.fetchall()]
        self.flag_candidates = []
        self.marks = floors.high_water_marks(cursor)
        self.before = floors.sweep_snapshot(cursor, item_ids=self.item_ids, since=self.marks)["items"]

    def _snapshot(self):
        cursor = raw_cursor()
        snapshot = floors.sweep_snapshot(
            cursor, item_ids=self.item_ids, since=self.marks, flagged_candidates=self.flag_candidates
        )
        cursor.close()
        return snapshot

    def floor(self, ctx, cursor):
        with rolled_back():
            started = _clock()
            floors.sweep_transition(
                cursor,
                today=self.day,
                now=self.now,
                la_id=self.la_id,
                limit=self.limit,
                site_url=settings.SITE_URL,
            )
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def app(self, ctx):
        sweep_batch = need("escalation.sweep", "sweep_batch", "sweep_batch(la=, rules=, today=, report=, limit=)")
        SweepReport = need("escalation.sweep", "SweepReport", "the sweep's report")
        TimerRules = need("escalation.rules", "TimerRules", "TimerRules.for_la(la)")
        from ehc.models import Organisation

        la = Organisation.objects.get(pk=self.la_id)
        with rolled_back():
            started = _clock()
            rules = TimerRules.for_la(la)
            report = SweepReport(now=self.now, today=self.day)
            sweep_batch(la=la, rules=rules, today=self.day, report=report, limit=self.limit)
            # The sweep's second phase writes the letters and emails of the new escalations, as the
            # floor does in the same statement sequence.
            messages_queue = need("escalation.sweep", "messages_queue", "messages_queue(la=, rules=, report=, failed=)")
            chunk = need("escalation.sweep", "MESSAGES_BATCH", "the messages chunk the sweep claims")
            failed = set()
            # As the sweep does: a chunk shorter than the claim limit took every escalation waiting.
            while messages_queue(la=la, rules=rules, report=report, failed=failed) >= chunk:
                pass
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def compare(self, floor_result, app_result):
        differences = [key for key in floor_result if floor_result[key] != app_result.get(key)]
        if not differences:
            return None
        parts = []
        for key in differences:
            mine, theirs = floor_result[key], app_result.get(key)
            if isinstance(mine, list):
                only_floor = [row for row in mine if row not in theirs][:3]
                only_app = [row for row in theirs if row not in mine][:3]
                parts.append(f"{key}: {len(mine)} vs {len(theirs)}; floor only {only_floor}; app only {only_app}")
            else:
                parts.append(f"{key}: floor {mine} vs app {theirs}")
        return "; ".join(parts)

    def rows(self, result):
        before = dict((row[0], row) for row in self.before)
        return sum(1 for row in result["items"] if before.get(row[0]) != row)

    def notes(self, outcome):
        notes = []
        if outcome.rows:
            per_10k = outcome.app_stat("median") * 10_000 / outcome.rows if outcome.app_stat("median") else None
            notes.append(target_note("app median per 10,000 items moved", per_10k, 500))
        if outcome.ratio is not None:
            notes.append(target_note("app / floor", outcome.ratio, 2, unit="x"))
        return notes


class SweepBacklog(SweepBatch):
    """The whole due backlog of BENCH_TODAY, every LA, as one sweep run (items, letters, emails, and the
    once-only emails about response windows that passed)."""

    code = "B2b"
    title = "sweep, whole due backlog"
    target = "<= 2x the floor"
    max_reps = 3

    def prepare(self, ctx):
        self.day = ctx.today
        self.now = BENCH_NOW
        self.la_id = None
        self.limit = None
        cursor = raw_cursor()
        self._candidates(cursor)
        cursor.execute(
            """SELECT id FROM escalation_escalation WHERE responded_at IS NULL AND response_due_on IS NOT NULL
               AND response_due_on < %s AND NOT response_overdue_notified""",
            [self.day],
        )
        self.flag_candidates = [row[0] for row in cursor.fetchall()]
        cursor.close()
        self.title = f"sweep, whole due backlog ({len(self.item_ids):,} items due)"

    def _candidates(self, cursor):
        cursor.execute(
            "SELECT id FROM advice_adviceitem WHERE status = 'outstanding' AND next_action_on <= %s", [self.day]
        )
        self.item_ids = [row[0] for row in cursor.fetchall()]
        self.marks = floors.high_water_marks(cursor)
        self.before = floors.sweep_snapshot(cursor, item_ids=self.item_ids, since=self.marks)["items"]

    def floor(self, ctx, cursor):
        with rolled_back():
            started = _clock()
            floors.sweep_transition(cursor, today=self.day, now=self.now, site_url=settings.SITE_URL, responses=True)
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def app(self, ctx):
        sweep_run = need("escalation.sweep", "sweep_run", "sweep_run(now=...) runs every LA's timers once")
        with rolled_back():
            started = _clock()
            sweep_run(now=self.now)
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def notes(self, outcome):
        if outcome.ratio is None:
            return []
        return [target_note("app / floor", outcome.ratio, 2, unit="x")]


def _clock():
    import time

    return time.perf_counter()


# B3 / B4 -----------------------------------------------------------------------------------------


def _dashboard_as_dict(dashboard):
    def rows(items, key):
        return sorted((row[key], row["outstanding"], row["past_due"]) for row in items)

    return {
        "total": dashboard.total,
        "stages": {key: count for key, _label, count in dashboard.stages},
        "ages": {key: count for key, _label, count in dashboard.ages},
        "by_provider": rows(dashboard.by_provider, "provider_id"),
        "by_team": rows(dashboard.by_team, "team_id"),
        "escalation_1_owed": [row.pk for row in dashboard.escalation_1_owed],
        "head_of_service_owed": [row.pk for row in dashboard.head_of_service_owed],
    }


class DcoDashboard(Scenario):
    code = "B3"
    title = "DCO dashboard, whole data set"
    target = "<= 1.5x the floor"
    provider_scoped = False

    def floor(self, ctx, cursor):
        return floors.dco_dashboard(
            cursor, icb_id=ctx.icb_id, today=ctx.today, provider_id=ctx.provider_id if self.provider_scoped else None
        )

    def app(self, ctx):
        dashboard = need(
            "escalation.reports.selectors", "dashboard", "dashboard(user=, today=) builds the DCO's figures"
        )
        kwargs = {"user": ctx.dco, "today": ctx.today}
        if self.provider_scoped:
            from ehc.models import Organisation

            # What the dashboard page does with its provider filter: the form's choice, then the selector.
            kwargs["provider"] = Organisation.objects.get(pk=ctx.provider_id)
        return _dashboard_as_dict(dashboard(**kwargs))

    def compare(self, floor_result, app_result):
        differences = [
            f"{key}: floor {str(floor_result[key])[:120]} app {str(app_result.get(key))[:120]}"
            for key in floor_result
            if floor_result[key] != app_result.get(key)
        ]
        return "; ".join(differences) or None

    def rows(self, result):
        return result["total"]

    def notes(self, outcome):
        return [] if outcome.ratio is None else [target_note("app / floor", outcome.ratio, 1.5, unit="x")]


class DcoDashboardProvider(DcoDashboard):
    code = "B4"
    title = "DCO dashboard, one provider (the largest)"
    target = "(no number in the issue; B3's 1.5x)"
    provider_scoped = True


# B5 ----------------------------------------------------------------------------------------------


def _page_ids(value):
    page = value.get("page") if isinstance(value, dict) else value
    rows = getattr(page, "rows", page)
    return [row.pk for row in rows]


class SpocQueue(Scenario):
    code = "B5"
    title = "SPOC work queue, largest provider"
    target = "<= 3x the floor, <= 6 queries, p95 <= 100 ms"
    min_reps = 20

    def prepare(self, ctx):
        try:
            self.page_size = importlib.import_module("advice.selectors").PAGE_SIZE
        except (ImportError, AttributeError):
            self.page_size = 50
        ctx.client(ctx.spoc)  # signing in is not part of the page

    def floor(self, ctx, cursor):
        return floors.spoc_queue(cursor, provider_id=ctx.provider_id, today=ctx.today, page_size=self.page_size)

    def app(self, ctx):
        url = url_or_skip("advice:spoc_queue", "the SPOC's work queue page")
        response = get_ok(ctx.client(ctx.spoc), url)
        context = response.context or {}
        result = {}
        for key in ("awaiting", "soon", "overdue"):
            if key in context:
                result[key] = _page_ids(context[key])
        # The item lists' counts, where the page shows them (advice.views.spoc_queue).
        if all(isinstance(context.get(key), dict) and "count" in context[key] for key in ("soon", "overdue")):
            result["counts"] = {key: context[key]["count"] for key in ("soon", "overdue")}
        return result

    def compare(self, floor_result, app_result):
        missing = [key for key in ("awaiting", "soon", "overdue", "counts") if key not in app_result]
        if missing:
            return f"the page's context has no {missing}: cannot compare"
        differences = [key for key in app_result if app_result[key] != floor_result[key]]
        return f"lists differ: {differences}" if differences else None

    def rows(self, result):
        return sum(len(value) for value in result.values() if isinstance(value, list))

    def notes(self, outcome):
        notes = [
            f"page size {self.page_size} per list (issue 8 asks for pages of 50)",
            target_note("app p95", outcome.app_stat("p95"), 100),
        ]
        if outcome.app_queries is not None:
            notes.append(f"{outcome.app_queries} queries (target <= 6)")
        if outcome.ratio is not None:
            notes.append(target_note("app / floor", outcome.ratio, 3, unit="x"))
        if outcome.app_sql:
            outcome.details.append(
                "Queries the SPOC queue page made:\n" + "\n".join(_short(q) for q in outcome.app_sql)
            )
        return notes


def _short(sql, width=300):
    sql = " ".join(sql.split())
    return f"- {sql[:width]}{'...' if len(sql) > width else ''}"


# B6 ----------------------------------------------------------------------------------------------


class CaseDetail(Scenario):
    code = "B6"
    title = "case detail page"
    target = "<= 5 queries"

    def prepare(self, ctx):
        cursor = raw_cursor()
        cursor.execute(
            """SELECT case_id FROM advice_adviceitem WHERE local_authority_id = %s AND status = 'outstanding'
               AND stage <> 'requested' GROUP BY case_id ORDER BY count(*) DESC, case_id LIMIT 1""",
            [ctx.la_id],
        )
        row = cursor.fetchone()
        cursor.close()
        if row is None:
            raise Skip("no escalated case in the data set")
        self.case_id = row[0]
        ctx.client(ctx.officer)  # signing in is not part of the page

    def floor(self, ctx, cursor):
        return floors.case_detail(cursor, case_id=self.case_id, la_id=ctx.la_id)

    def app(self, ctx):
        url = url_or_skip("assessments:case_detail", "the case page", self.case_id)
        response = get_ok(ctx.client(ctx.officer), url)
        panel = response.context["advice_panel"]
        items = [item.pk for advice_request in panel.requests for item in advice_request.visible_items]
        return {"case": response.context["case"].pk, "items": items}

    def rows(self, result):
        return len(result["items"])

    def notes(self, outcome):
        notes = []
        if outcome.app_queries is not None:
            verdict = "meets" if outcome.app_queries <= 5 else "misses"
            notes.append(f"{outcome.app_queries} queries: {verdict} the target of 5 (the queries are listed below)")
        if outcome.app_sql:
            outcome.details.append(
                f"Queries the case page (case {self.case_id}) made:\n" + "\n".join(_short(q) for q in outcome.app_sql)
            )
        return notes


# B7 ----------------------------------------------------------------------------------------------


class Digest(Scenario):
    code = "B7a"
    title = "weekly digest, all providers, top 50 each"
    target = "<= 3x the floor"
    per_provider = 50

    def floor(self, ctx, cursor):
        return floors.digest(cursor, today=ctx.today, per_provider=self.per_provider)

    def _digest_rows(self):
        for module in ("escalation.digest", "escalation.selectors"):
            try:
                function = getattr(importlib.import_module(module), "digest_rows", None)
            except ImportError:
                function = None
            if function is not None:
                return function
        raise Skip(
            "waits for digest_rows(la_id=, today=) in escalation.digest or escalation.selectors "
            "(the weekly chase digest's rows): not importable yet"
        )

    def app(self, ctx):
        digest_rows = self._digest_rows()
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
            outcome.details.append("Queries /cases/ made:\n" + "\n".join(_short(q) for q in outcome.app_sql))
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
        from advice.models import ItemStatus
        from ehc.access import visible_advice_items

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


# B9 ----------------------------------------------------------------------------------------------


def _render_app(content):
    """The PDF's size and the CPU seconds the worker spent on it."""
    import time

    from escalation.letters import letter_html, pdf_from_html

    started = time.process_time()
    size = len(pdf_from_html(letter_html(content)))
    return size, time.process_time() - started


def _render_floor(html):
    import time

    from weasyprint import HTML

    started = time.process_time()
    size = len(HTML(string=html).write_pdf())
    return size, time.process_time() - started


def _plain_letter(content):
    """The letter's words with no stylesheet, letterhead image or tagging: WeasyPrint's least work."""
    from html import escape

    def lines(values):
        return "".join(f"<p>{escape(str(value))}</p>" for value in values if value)

    teams = "".join(
        f"<tr><td>{escape(team['name'])}</td><td>{team['due_on']}</td><td>{team['days_overdue']}</td></tr>"
        for team in content.get("teams") or []
    )
    la = content.get("local_authority", {})
    addressee = content.get("addressee", {})
    return (
        "<html><body>"
        + lines([la.get("name"), *la.get("address_lines", []), content.get("dated"), content.get("reference")])
        + lines([addressee.get("name"), addressee.get("title"), addressee.get("organisation")])
        + lines([content.get("child", {}).get("name"), content.get("child", {}).get("date_of_birth")])
        + f"<table>{teams}</table>"
        + lines([content.get("response_due_on"), content.get("signatory", {}).get("name"), *content.get("cc", [])])
        + "</body></html>"
    )


class LetterRendering(Scenario):
    code = "B9"
    title = "escalation 1 letter PDFs on 2 worker processes"
    target = ">= 15 letters/s"
    max_reps = 3
    workers = 2

    def prepare(self, ctx):
        try:
            import weasyprint  # noqa: F401
        except ImportError as exc:
            raise Skip(f"WeasyPrint is not importable: {exc}") from None
        count = 2 if ctx.scale == "tiny" else 40
        from escalation.models import Letter

        self.contents = list(Letter.objects.order_by("-dated", "-id").values_list("content", flat=True)[:count])
        if not self.contents:
            raise Skip("no escalation 1 letter in the data set")
        self.plain = [_plain_letter(content) for content in self.contents]
        # CPU ms per letter in the workers, one figure per timed run: on a machine shared with
        # other jobs the wall clock says how busy it was as much as what a letter costs.
        self.cpu_ms = {"floor": [], "app": []}
        # Worker processes as Celery's prefork pool has them: started once, warm, then given letters.
        self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        self.pool.map(_render_floor, self.plain[: self.workers])

    def teardown(self, ctx):
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.terminate()
            pool.join()
            self.pool = None

    def _sizes(self, side, rendered):
        self.cpu_ms[side].append(sum(seconds for _, seconds in rendered) * 1000 / len(rendered))
        return [size for size, _ in rendered]

    def floor(self, ctx, cursor):
        return self._sizes("floor", self.pool.map(_render_floor, self.plain, chunksize=1))

    def app(self, ctx):
        need("escalation.letters", "letter_html", "letter_html(content) renders a letter snapshot to HTML")
        need("escalation.letters", "pdf_from_html", "pdf_from_html(html) renders it to PDF")
        return self._sizes("app", self.pool.map(_render_app, self.contents, chunksize=1))

    def compare(self, floor_result, app_result):
        if len(floor_result) != len(app_result) or not all(app_result):
            return f"{len(app_result)} PDFs rendered for {len(floor_result)} letters"
        return None

    def notes(self, outcome):
        notes = []
        for label, stat in (("floor", outcome.floor_stat), ("app", outcome.app_stat)):
            median = stat("median")
            if median:
                rate = len(self.contents) / (median / 1000)
                per_letter = median / len(self.contents) * self.workers
                notes.append(
                    f"{label}: {rate:.1f} letters/s on {self.workers} processes "
                    f"({per_letter:.0f} ms per letter per process)"
                )
        import statistics

        for label in ("floor", "app"):
            if self.cpu_ms[label]:
                cpu = statistics.median(self.cpu_ms[label])
                notes.append(
                    f"{label}: {cpu:.0f} ms of CPU per letter in the workers "
                    f"({self.workers * 1000 / cpu:.1f} letters/s on {self.workers} processes with a core each)"
                )
        median = outcome.app_stat("median")
        if median:
            notes.append(
                target_note("app", len(self.contents) / (median / 1000), 15, unit="letters/s", higher_is_better=True)
            )
        return notes


# B10 ---------------------------------------------------------------------------------------------

SCHEDULING_METHODS = {"apply_async", "delay", "retry", "signature", "s", "si", "set", "delay_on_commit"}
SKIP_DIRS = {".venv", "venv", "var", ".git", "node_modules", "__pycache__", "staticfiles"}


def _seconds(node, constants):
    """The number of seconds an ETA/countdown expression stands for, or None if it cannot be proved."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in constants:
        return _seconds(constants[node.id], constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = _seconds(node.left, constants), _seconds(node.right, constants)
        if isinstance(node.op, ast.Add) and (_is_now(node.left) or _is_now(node.right)):
            # now() + delta: the delta is what counts
            return right if _is_now(node.left) else left
        if left is None or right is None:
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right, ast.Div: left / right}[
            type(node.op)
        ]
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "timedelta":
            units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
            total = 0.0
            positional = ["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"]
            pairs = list(zip(positional, node.args, strict=False)) + [(kw.arg, kw.value) for kw in node.keywords]
            for unit, value in pairs:
                amount = _seconds(value, constants)
                if amount is None:
                    return None
                total += amount * units.get(unit, 0.000001)
            return total
    return None


def _is_now(node):
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return name in {"now", "utcnow", "today"}
    return False


def scan_for_long_etas(root: Path, visibility_timeout: float):
    """Every Celery call in the project's Python that sets an ETA or countdown, with what is wrong with it."""
    findings, files = [], 0
    for path in sorted(root.rglob("*.py")):
        if SKIP_DIRS & set(path.relative_to(root).parts):
            continue
        files += 1
        try:
            tree = ast.parse(path.read_text(), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in SCHEDULING_METHODS:
                continue
            for keyword in node.keywords:
                if keyword.arg not in {"countdown", "eta"}:
                    continue
                where = f"{path.relative_to(root)}:{node.lineno}"
                if node.func.attr == "delay":
                    findings.append(f"{where}: .delay(..., {keyword.arg}=...) passes it to the task, not to Celery")
                    continue
                seconds = _seconds(keyword.value, constants)
                if seconds is None:
                    findings.append(f"{where}: {keyword.arg} not provably within the visibility timeout")
                elif seconds > visibility_timeout:
                    findings.append(
                        f"{where}: {keyword.arg} of {seconds:.0f} s exceeds the visibility timeout "
                        f"({visibility_timeout:.0f} s)"
                    )
    return files, findings


class NoLongEtas(Scenario):
    code = "B10"
    title = "static check: Celery ETA/countdown within the visibility timeout"
    target = "zero findings"

    def app(self, ctx):
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        self.timeout = float(options.get("visibility_timeout", 3600))
        self.files, findings = scan_for_long_etas(Path(settings.BASE_DIR), self.timeout)
        return findings

    def rows(self, result):
        return self.files

    def notes(self, outcome):
        findings = self.app(None)
        if findings:
            outcome.status = "fail"
            return [f"{len(findings)} finding(s): " + "; ".join(findings[:10])]
        return [f"no ETA or countdown beyond the visibility timeout ({self.timeout:.0f} s) in {self.files} files"]


ALL = [
    SweepIdle,
    SweepBatch,
    SweepBacklog,
    DcoDashboard,
    DcoDashboardProvider,
    SpocQueue,
    CaseDetail,
    Digest,
    DigestFull,
    Caseload,
    CaseloadPage,
    ProviderItems,
    PractitionerItems,
    LetterRendering,
    NoLongEtas,
]


def select(only=None):
    """The scenarios whose code starts with one of `only` (e.g. "B1,B8" gives B1, B8a, B8b, ...)."""
    wanted = [code.strip().upper() for code in (only or "").split(",") if code.strip()]

    def matches(code, prefix):
        return code == prefix or (code.startswith(prefix) and not code[len(prefix)].isdigit())

    return [cls() for cls in ALL if not wanted or any(matches(cls.code.upper(), code) for code in wanted)]
