"""Each scenario runs at tiny scale and its app side gives the same result as its floor. Timing is not
tested: only that the comparison is made and holds. A scenario may skip only because the code it
measures is not merged (its reason says what it waits for)."""

import pytest
import time_machine

from bench import BENCH_NOW, harness, scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(tiny):
    with time_machine.travel(BENCH_NOW, tick=True):
        yield scenarios.Context()


@pytest.mark.parametrize("scenario_class", scenarios.ALL, ids=lambda cls: cls.code)
def test_scenario_matches_its_floor(ctx, scenario_class):
    with time_machine.travel(BENCH_NOW, tick=True):
        outcome = harness.run_scenario(scenario_class(), ctx, reps=1)
    assert outcome.status in {"ok", "skipped"}, outcome.notes + outcome.details
    if outcome.status == "skipped":
        assert all(note.startswith("waits for") for note in outcome.notes), outcome.notes
    if scenario_class.floor is not harness.Scenario.floor:
        assert outcome.floor_ms, "the floor is timed even when the app side waits for a merge"


def test_only_selects_by_code():
    assert [s.code for s in scenarios.select("B1")] == ["B1"]
    assert [s.code for s in scenarios.select("B8")] == ["B8a", "B8a-page", "B8b", "B8c"]
    assert [s.code for s in scenarios.select("b2a, B10")] == ["B2a", "B10"]
    assert len(scenarios.select("")) == len(scenarios.ALL)


def test_the_table_has_the_issue_columns():
    outcome = harness.Outcome(code="B0", title="example", target="", rows=3, floor_ms=[1, 2, 3], app_ms=[2, 4, 6])
    outcome.app_queries, outcome.floor_queries = 2, 1
    header, row = harness.table_rows([outcome])
    assert header[:6] == ["scenario", "rows", "floor ms (min / median)", "app ms (min / median)", "ratio", "queries"]
    assert row[1:5] == ["3", "1.0 / 2.0", "2.0 / 4.0", "2.00x"]


def test_static_check_finds_long_and_unprovable_etas(tmp_path):
    (tmp_path / "tasks.py").write_text(
        "import datetime\n"
        "from django.utils import timezone\n"
        "LATER = 7200\n"
        "task.apply_async(args=[1], countdown=60)\n"
        "task.apply_async(args=[1], countdown=LATER)\n"
        "task.apply_async(eta=timezone.now() + datetime.timedelta(days=42))\n"
        "task.apply_async(eta=timezone.now() + datetime.timedelta(minutes=5))\n"
        "task.apply_async(countdown=some_function())\n"
        "task.delay(1, countdown=5)\n"
    )
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "ignored.py").write_text("task.apply_async(countdown=999999)\n")
    files, findings = scenarios.scan_for_long_etas(tmp_path, 3600)
    assert files == 1
    assert [finding.split(":")[1] for finding in findings] == ["5", "6", "8", "9"]
