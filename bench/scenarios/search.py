"""B11: the header's search (assessments.search) as the DCO, who sees every case of the area's LAs (at
national scale: one ICB over 150 LAs, a million children), against its floor; the plan of the app's
query (EXPLAIN ANALYZE) goes in the results, to show which index served it."""

from ..floors import search as floors
from ..harness import Scenario, Skip, raw_cursor
from .common import need, target_note


class SearchName(Scenario):
    code = "B11a"
    title = "search by name as the DCO ('Dylan Norb')"
    target = "<= 1.5x the floor, <= 100 ms"
    typed = "Dylan Norb"

    def prepare(self, ctx):
        self.parse = need("assessments.search", "search_parse", "the header search")
        self.search_cases = need("assessments.search", "search_cases", "the header search")
        ctx.dco.organisation  # noqa: B018 - the request's user comes with it

    def floor(self, ctx, cursor):
        return floors.search_by_name(cursor, icb_id=ctx.icb_id, words=self.typed.split())

    def app(self, ctx):
        found = self.search_cases(user=ctx.dco, search=self.parse(self.typed, today=ctx.today))
        return [case.pk for case in found]

    def notes(self, outcome):
        notes = [] if outcome.ratio is None else [target_note("app / floor", outcome.ratio, 1.5, unit="x")]
        if outcome.app_stat("median") is not None:
            notes.append(target_note("app median", outcome.app_stat("median"), 100))
        searched = [sql for sql in outcome.app_sql if "assessments_child" in sql]
        if searched:
            cursor = raw_cursor()
            cursor.execute("EXPLAIN (ANALYZE, COSTS off, TIMING off, SUMMARY on) " + searched[-1])
            plan = [row[0] for row in cursor.fetchall()]
            cursor.close()
            indexes = ("child_name_search", "child_nhs_number", "child_upn", "child_born_la")
            used = sorted({name for name in indexes if any(name in line for line in plan)})
            notes.append(f"indexes in the plan: {', '.join(used) or 'none'}")
            outcome.details.append(
                f"EXPLAIN ANALYZE of {self.code}'s query:\n" + "\n".join(f"    {line}" for line in plan)
            )
        return notes


class SearchShortName(SearchName):
    code = "B11b"
    title = "search by a two-letter name prefix as the DCO ('ro')"
    typed = "ro"


class SearchNhsNumber(SearchName):
    code = "B11c"
    title = "search by NHS number as the DCO"

    def prepare(self, ctx):
        super().prepare(ctx)
        cursor = raw_cursor()
        cursor.execute(
            """SELECT ch.nhs_number FROM assessments_child ch
               JOIN ehc_organisation la ON la.id = ch.local_authority_id
               WHERE ch.nhs_number <> '' AND la.icb_id = %s ORDER BY ch.id LIMIT 1 OFFSET 77""",
            [ctx.icb_id],
        )
        row = cursor.fetchone()
        cursor.close()
        if row is None:
            raise Skip("no child with an NHS number in the DCO's area")
        self.typed = f"{row[0][:3]} {row[0][3:6]} {row[0][6:]}"

    def floor(self, ctx, cursor):
        return floors.search_by_identifier(
            cursor, icb_id=ctx.icb_id, column="nhs_number", value=self.typed.replace(" ", "")
        )
