"""Migrations 0006-0008 on a council's existing cases: one child per case, except that the cases of
one LA with the same NHS number become one child (with the latest request's details); undone, every
case has its own details back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assessments", "0005_exceptions_stop_the_clock")]
AFTER = [("assessments", "0008_child_identity_on_child")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_cases_become_children_merged_by_nhs_number():
    old = _migrate(BEFORE)
    try:
        Organisation = old.get_model("ehc", "Organisation")
        Case = old.get_model("assessments", "Case")
        ours = Organisation.objects.create(name="Council M", short_name="M", kind="la")
        theirs = Organisation.objects.create(name="Council N", short_name="N", kind="la")

        def case(la, reference, received, **child):
            return Case.objects.create(
                local_authority=la, reference=reference, requested_by="parent", received_on=received,
                date_of_birth=datetime.date(2016, 5, 1), **child,
            ).pk

        d1, d2 = datetime.date(2024, 1, 8), datetime.date(2025, 2, 3)
        first = case(ours, "M-1", d1, first_name="Ada", last_name="Brook", nhs_number="943 476 5919")
        later = case(ours, "M-2", d2, first_name="Adah", last_name="Brook", nhs_number="9434765919")
        same_name = case(ours, "M-3", d2, first_name="Ada", last_name="Brook")
        other_la = case(theirs, "N-1", d2, first_name="Ada", last_name="Brook", nhs_number="9434765919")

        new = _migrate(AFTER)
        Case = new.get_model("assessments", "Case")
        child_of = {pk: Case.objects.get(pk=pk).child for pk in (first, later, same_name, other_la)}
        assert child_of[first].pk == child_of[later].pk
        assert len({child_of[pk].pk for pk in (first, same_name, other_la)}) == 3
        # The merged child has the latest request's details, its NHS number without spaces.
        assert (child_of[first].first_name, child_of[first].nhs_number) == ("Adah", "9434765919")
        assert child_of[same_name].nhs_number == "" and child_of[other_la].local_authority_id == theirs.pk

        old = _migrate(BEFORE)
        Case = old.get_model("assessments", "Case")
        assert Case.objects.get(pk=first).first_name == "Adah"
        assert Case.objects.get(pk=same_name).date_of_birth == datetime.date(2016, 5, 1)
    finally:
        # Every app's latest migration again, not only AFTER: going back to BEFORE also unapplied the
        # later migrations that depend on assessments (0009's search index, administration's tables),
        # which the transactional tests after this one need.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
