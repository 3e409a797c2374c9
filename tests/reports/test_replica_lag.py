"""The reports on a real streaming replica that lags (ehc.replica, decision 0040).

A hot standby of the test database's own server is made with pg_basebackup and started with
recovery_min_apply_delay, so every commit reaches it DELAY seconds late, as a replica under load
would. The `replica` alias points at it. Then: a report reads the replica (a row written just now is
not there, and is there once the replica has replayed it); a page that reads its own write (a case
page after a POST, the dashboard's list after saving a filter on it) is right at once.

The embedded PostgreSQL 16 needs nothing set up: its defaults stream (wal_level replica,
max_wal_senders 10) and initdb --auth=trust allows local replication connections. The standby is
started from pgserver's binaries, so it runs only beside a server of the same major version on this
machine's unix socket; elsewhere (CI's second run, on the machine's PostgreSQL 15 over TCP) it skips.
It costs a few seconds: one base backup of the test cluster and two waits of DELAY.
"""

import copy
import datetime
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.urls import reverse

from assessments.models import Case, CaseStatus
from ehc import replica
from ehc.replica import REPLICA
from ehc.saved_filters import SavedFilter

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds every commit waits before the standby applies it: far longer than a page takes here.
DELAY = 4


def _run_as(user):
    return {"user": user, "group": user, "extra_groups": []} if user else {}


def _server_major(bindir):
    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1].split(".")[0])


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker):
    from ehc.localrun.servers import postgres_bin

    from ..faults.harness import _pg_user

    primary = connections["default"].settings_dict
    # localrun's URL names the socket directory as ?host=, which dj-database-url keeps in OPTIONS.
    host = primary.get("HOST") or primary.get("OPTIONS", {}).get("host") or ""
    if not host.startswith("/"):
        pytest.skip(
            f"a standby is made only of the embedded server on this machine's unix socket; DATABASE_URL "
            f"points at {host or 'the default host'}, a server this test does not configure"
        )
    bindir = postgres_bin()
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int / 10000, current_setting('wal_level')")
        major, wal_level = cursor.fetchone()
    if major != _server_major(bindir):
        pytest.skip(f"the test database's server is PostgreSQL {major}; pgserver's binaries cannot stream from it")
    if wal_level not in ("replica", "logical"):
        pytest.skip(f"the test database's server has wal_level={wal_level}; streaming needs a restart with replica")

    root = Path(tempfile.mkdtemp(prefix="ehc-standby-", dir="/tmp"))  # short: a socket path fits in 107 bytes
    user = _pg_user()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    datadir, log = root / "data", open(root / "standby.log", "ab")
    port = str(primary.get("PORT") or 5432)
    proc = None
    try:
        started = time.monotonic()
        backup = [
            str(bindir / "pg_basebackup"), "-h", host, "-p", port, "-U", primary.get("USER") or "postgres",
            "-D", str(datadir), "--wal-method=stream", "--checkpoint=fast", "--write-recovery-conf", "--no-sync",
        ]  # fmt: skip
        subprocess.run(backup, check=True, stdout=log, stderr=subprocess.STDOUT, cwd="/", **_run_as(user))
        backup_seconds = time.monotonic() - started
        argv = [
            str(bindir / "postgres"), "-D", str(datadir), "-p", port, "-k", str(root),
            "-c", "listen_addresses=", "-c", "fsync=off", "-c", "hot_standby=on",
            "-c", f"recovery_min_apply_delay={DELAY}s",
        ]  # fmt: skip
        proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd="/", **_run_as(user)
        )
        conf = copy.deepcopy(primary)
        conf.update(HOST=str(root), CONN_MAX_AGE=0)
        conf["OPTIONS"] = {**conf.get("OPTIONS", {}), "host": str(root)}
        _wait_until(lambda: _answers(conf), what="the standby to accept connections", log=root / "standby.log")
        yield SimpleNamespace(conf=conf, backup_seconds=backup_seconds, ready_seconds=time.monotonic() - started)
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _answers(conf):
    import psycopg2

    try:
        psycopg2.connect(host=conf["HOST"], port=conf["PORT"] or None, user=conf["USER"], dbname=conf["NAME"]).close()
        return True
    except psycopg2.OperationalError:
        return False


def _wait_until(check, *, what, timeout=60, log=None):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            tail = Path(log).read_text(errors="replace")[-2000:] if log else ""
            raise AssertionError(f"waited {timeout}s for {what}\n{tail}")
        time.sleep(0.05)


@pytest.fixture
def on_replica(standby, transactional_db, settings):
    """The `replica` alias on the standby, the router installed, as DATABASE_REPLICA_URL makes them.
    Its connection is made here rather than in settings.DATABASES, which the test run has read."""
    settings.DATABASE_REPLICA_URL = "postgresql://standby/"
    settings.DATABASE_ROUTERS = ["ehc.replica.ReplicaRouter"]
    settings.DATABASE_REPLICA_MAX_LAG = 60
    connections[REPLICA] = DatabaseWrapper(copy.deepcopy(standby.conf), REPLICA)
    replica.lag_forget()
    yield standby
    connections[REPLICA].close()
    del connections[REPLICA]
    replica.lag_forget()


def caught_up():
    """Wait until the standby has replayed everything committed so far; return the seconds waited."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    started = time.monotonic()

    def replayed():
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return cursor.fetchone()[0]

    _wait_until(replayed, what="the standby to replay the primary's writes", timeout=10 * DELAY)
    return time.monotonic() - started


def _outstanding_item(world, reference):
    today = datetime.date.today()
    case = CaseFactory(local_authority=world.la, reference=reference, received_on=today - datetime.timedelta(days=60))
    request = AdviceRequestFactory(
        case=case, provider=world.provider, notified_on=today - datetime.timedelta(days=50),
        requested_by=world.case_officer,
    )  # fmt: skip
    return AdviceItemFactory(request=request, team=world.slt)


def test_a_report_reads_the_replica_and_shows_a_new_row_once_the_replica_has_it(on_replica, ours, login):
    client = login(ours.dco)
    _outstanding_item(ours, "EHC-RPL-OLD")
    caught_up()
    page = client.get(reverse("reports:items"))
    assert "EHC-RPL-OLD" in page.content.decode()

    _outstanding_item(ours, "EHC-RPL-NEW")  # committed on the primary just now
    written = time.monotonic()
    page = client.get(reverse("reports:items"))
    assert page.status_code == 200
    assert "EHC-RPL-OLD" in page.content.decode()
    assert "EHC-RPL-NEW" not in page.content.decode()  # the replica has not applied it yet
    # ...while the primary has it: the page was read on the replica, not filtered wrongly.
    assert Case.objects.using("default").filter(reference="EHC-RPL-NEW").exists()
    csv_body = b"".join(client.get(reverse("reports:items_csv")).streaming_content).decode()
    assert "EHC-RPL-OLD" in csv_body and "EHC-RPL-NEW" not in csv_body  # the CSV streams from the replica too

    caught_up()
    lag = time.monotonic() - written
    assert Case.objects.using(REPLICA).filter(reference="EHC-RPL-NEW").exists()
    page = client.get(reverse("reports:items"))
    assert "EHC-RPL-NEW" in page.content.decode()
    print(
        f"\nreplica: base backup {on_replica.backup_seconds:.1f}s, standby ready after {on_replica.ready_seconds:.1f}s;"
        f" a new row reached the report {lag:.1f}s after its commit (recovery_min_apply_delay {DELAY}s)"
    )


def test_a_page_that_reads_its_own_write_is_right_at_once(on_replica, ours, login):
    item = _outstanding_item(ours, "EHC-RPL-OWN")
    case = item.case
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.AWAITING_DECISION)
    caught_up()

    # The dashboard's list is on the replica, but after this session's POST it reads the primary:
    # the filter just saved is listed on the page the POST returns to.
    dco = login(ours.dco)
    response = dco.post(
        reverse("saved_filter_save"), {"page": "reports:items", "query": "stage=past_due", "name": "Replica check"}
    )
    assert response.status_code == 302
    page = dco.get(response["Location"])
    # In the list of saved filters (the success message, kept in the session, would say it anyway).
    assert "Your saved filters" in page.content.decode()
    assert [saved.name for saved in page.context["saved"]] == ["Replica check"]
    assert SavedFilter.objects.using("default").filter(user=ours.dco, name="Replica check").exists()
    # The replica has not got the filter's row yet: that page was read on the primary.
    assert not SavedFilter.objects.using(REPLICA).filter(name="Replica check").exists()

    # The case page is not opted in: it reads the primary, so the decision just recorded is on it.
    officer = login(ours.case_officer)
    today = datetime.date.today()
    response = officer.post(
        reverse("assessments:record_decision", args=[case.pk]),
        {
            "decided_to_assess": "yes",
            "decision_on_0": today.day,
            "decision_on_1": today.month,
            "decision_on_2": today.year,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = officer.get(reverse("assessments:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert '<strong class="govuk-tag govuk-tag--blue">Assessing</strong>' in page.content.decode()
    assert Case.objects.using(REPLICA).get(pk=case.pk).decided_to_assess is not True  # the replica is behind
