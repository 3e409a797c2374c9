"""The fault suite runs only when asked (`make faults` sets EHC_FAULTS=1): it starts and kills real
servers for minutes, so `make test` leaves it out and CI runs it once on its own."""

import os

import pytest

from .harness import Cluster

TOTALS = {"faults": 0, "duplicates": 0, "resent": 0, "missing": 0, "scenarios": []}
FAILED = []


def pytest_runtest_logreport(report):
    if report.failed:
        FAILED.append(report.nodeid)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("EHC_FAULTS") == "1":
        return
    skip = pytest.mark.skip(reason="fault injection runs only with EHC_FAULTS=1 (make faults)")
    for item in items:
        if "faults" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def cluster():
    cluster = Cluster()
    crashed = True
    try:
        cluster.app.manage("migrate", "--noinput")
        day = cluster.app.world("setup")
        if not day["working_day"]:
            cluster.app.env["EHC_FAULTS_TODAY"] = day["run_on"]
        cluster.today = day
        yield cluster
        crashed = False
    finally:
        # Logs are kept when something went wrong, and their place is printed.
        keep = crashed or bool(FAILED) or os.environ.get("EHC_FAULTS_KEEP") == "1"
        cluster.close(keep_logs=keep)
        if keep:
            print(f"\nfault suite logs kept in {cluster.root}")


def record(name, faults, verdict):
    # Each check covers all the data so far: the last one is the verdict.
    """Add a scenario's figures; returns the previous cumulative verdict."""
    before = TOTALS["scenarios"][-1][2] if TOTALS["scenarios"] else {"resent": 0, "duplicates": 0, "missing": 0}
    TOTALS["faults"] += faults
    TOTALS["duplicates"] = verdict["duplicates"]
    TOTALS["resent"] = verdict["resent"]
    TOTALS["missing"] = verdict["missing"]
    TOTALS["scenarios"].append((name, faults, verdict))
    return before


def pytest_terminal_summary(terminalreporter):
    if not TOTALS["scenarios"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fault injection")
    for name, faults, verdict in TOTALS["scenarios"]:
        write(
            f"{name}: {faults} faults; {verdict['items']} items, {verdict['stage_changes']} stage changes, "
            f"{verdict['escalations']} escalations, {verdict['letters']} letters, {verdict['emails']} emails, "
            f"{verdict['received']} received; so far {verdict['duplicates']} duplicates "
            f"({verdict['resent']} emails received twice), {verdict['missing']} missing"
        )
        write(
            f"    {verdict['timing']}; kills so far {verdict['kills']}, of which within 0.1 s of an email "
            f"arriving: {verdict['kills_while_sending']}; sink sessions cut mid-message so far: "
            f"{verdict['aborted_sends']}; "
            f"processes that exited by themselves and were restarted so far: {verdict['revived']}"
        )
        for problem in verdict["problems"][:10]:
            write(f"    {problem}")
    if TOTALS.get("notify"):
        faults, verdict = TOTALS["notify"]
        per_address = verdict["notify_per_address"]
        write(
            f"GOV.UK Notify backend: {verdict['notify_rows']} outbox rows, emails per row and address "
            f"{'exactly 1' if set(per_address) == {'1'} else per_address} over {faults} injected faults; "
            f"lookups by reference that found an email already accepted: {verdict['notify_lookups_found']}"
        )
    write(
        f"faults: {TOTALS['faults']} injected, {TOTALS['duplicates']} duplicates, {TOTALS['missing']} missing"
        f" (duplicates: {TOTALS['duplicates'] - TOTALS['resent']} in the database, {TOTALS['resent']} emails"
        " received twice by the sink)"
    )
