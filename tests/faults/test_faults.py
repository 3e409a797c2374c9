"""Issue 6: the timers under faults, against real processes. Each scenario seeds requests whose
thresholds are past (chases, escalation 1 letters, escalation 2 notices due now) while a real Celery
beat sweeps every 2 s and real workers render letters and send emails to an SMTP sink, and injects
one kind of fault over and over. After recovery the whole database and the sink are checked: per
(item, stage) one stage change, per (request, stage) one escalation and one letter, every email
received exactly once (by its stable Message-ID) and nothing due left undone.

The verdict is cumulative (every scenario's check covers all the data so far); the terminal summary
prints `faults: N injected, D duplicates, M missing`.
"""

import contextlib
import random
import threading
import time

import psutil
import pytest

from .conftest import TOTALS, record

pytestmark = [pytest.mark.faults]

# Requests per wave: two items each, three quarters of them crossing a threshold.
WAVE = 40
rng = random.Random(6)


class Seeder:
    """Seeds waves in the background while faults go on; a wave that meets a database restart is
    retried (it is one transaction, so a failed attempt leaves nothing)."""

    def __init__(self, cluster, first_wave, waves, every):
        self.cluster, self.first, self.waves, self.every = cluster, first_wave, waves, every
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            for n in range(self.waves):
                self.cluster.app.world("seed", str(self.first + n), str(WAVE), retries=10)
                time.sleep(self.every)
        except Exception as exc:  # noqa: BLE001 - reported by join()
            self.error = exc

    def join(self):
        self.thread.join(300)
        if self.error:
            raise self.error


def kill_workers(cluster, workers, *, seconds, every=(0.3, 1), activity=None, lifetime_range=(6, 12), grace=0.0):
    """Every 0.3-1 s, or within 0.1 s of an email reaching the sink when one does (a worker is then
    sending the rest of its chunk or rendering the next letter): kill -9 one pool process of a
    worker (its task dies mid-way, as under the OOM killer), or, once a worker has lived 6-12 s,
    the whole worker with its pool, restarted at once as its supervisor would. A whole worker is
    given that long because it needs a few seconds to start: killed sooner, it would never have
    taken a task. `activity`: what says an email just went (the SMTP sink, or Notify's stand-in),
    `every`: the range of the pause between kills; `grace`: seconds after a worker starts before its
    pool processes are killed (a pool killed while it starts makes the worker exit, "Could not start
    worker processes"; with a grace, a worker that exits by itself is restarted at once, counted as
    revived). Returns the number of kills."""
    app = cluster.app
    activity = activity or cluster.sink
    born = {name: time.monotonic() for name in workers}
    lifetime = {name: rng.uniform(*lifetime_range) for name in workers}
    kills = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sending = activity.wait_for_activity(rng.uniform(*every))
        if sending:
            time.sleep(rng.uniform(0, 0.1))
        old = [name for name in workers if time.monotonic() - born[name] > lifetime[name]]
        if old:
            name = old[0]
            app.kill(name)
            app.worker(name)
            born[name], lifetime[name] = time.monotonic(), rng.uniform(*lifetime_range)
            cluster.kills["worker"] += 1
        else:
            if grace:
                for name in workers:
                    proc = app.procs.get(name)
                    if proc is not None and proc.poll() is not None:
                        revive(cluster, [name])
                        born[name] = time.monotonic()
            now = time.monotonic()
            pool = [
                child for name in workers if now - born[name] >= grace for child in pool_processes(app, name)
            ]
            if not pool:
                continue
            with contextlib.suppress(psutil.NoSuchProcess):
                rng.choice(pool).kill()
            cluster.kills["pool process"] += 1
        kills += 1
        if sending:
            cluster.kills_while_sending += 1
    return kills


def pool_processes(app, name):
    proc = app.procs.get(name)
    if proc is None or proc.poll() is not None:
        return []
    try:
        return psutil.Process(proc.pid).children()
    except psutil.NoSuchProcess:
        return []


def revive(cluster, names):
    """Restart any of `names` that exited by itself (not a fault: a process giving up on a server
    that went away is restarted by its supervisor in production too)."""
    app = cluster.app
    for name in names:
        proc = app.procs.get(name)
        if proc is None or proc.poll() is not None:
            if proc is not None:
                cluster.revived += 1
            app.procs.pop(name, None)
            (app.beat if name.startswith("beat") else app.worker)(name)


def finish(cluster, name, faults, processes, started, note="", *, exactly_once=False):
    revive(cluster, processes)
    injected_for = time.monotonic() - started
    status = cluster.settle()
    settled_in = time.monotonic() - started - injected_for
    verdict = cluster.check()
    verdict["timing"] = f"faults for {injected_for:.0f} s, settled in {settled_in:.0f} s{note}"
    verdict["aborted_sends"] = cluster.sink.aborted
    verdict["revived"] = cluster.revived
    verdict["kills_while_sending"] = cluster.kills_while_sending
    verdict["kills"] = dict(cluster.kills)
    before = record(name, faults, verdict)
    assert not any(status[key] for key in ("due_items", "unqueued_escalations", "unsent_emails")), status
    assert verdict["missing"] == 0, verdict["problems"]
    # Stage changes, escalations and letters: exactly once, whatever happened.
    assert verdict["duplicates"] - verdict["resent"] == 0, verdict["problems"]
    # Emails: at least once by design (ehc.outbox). A repeat needs a fault between the SMTP server's
    # 250 and the commit that marks the row sent, so each fault can cause at most one per email it
    # interrupted (two pool processes per worker): more would be a defect, not the known window.
    resent = verdict["resent"] - before["resent"]
    if exactly_once:
        # GOV.UK Notify: asked by reference before any resend, so not even the SMTP window remains.
        assert resent == 0, verdict["problems"]
    else:
        assert resent <= 2 * faults, verdict["problems"]


def test_worker_killed_while_letters_render_and_emails_send(cluster):
    app = cluster.app
    workers = ["worker-a", "worker-b"]
    app.beat("beat")
    for name in workers:
        app.worker(name)
    started = time.monotonic()
    seeder = Seeder(cluster, first_wave=1, waves=4, every=8)
    faults = 0
    faults += kill_workers(cluster, workers, seconds=60)
    seeder.join()
    finish(cluster, "kill -9 worker", faults, ["beat", *workers], started)


def test_redis_restarted_mid_sweep(cluster):
    started = time.monotonic()
    seeder = Seeder(cluster, first_wave=11, waves=3, every=8)
    faults = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(1.5, 4))
        cluster.redis.crash()
        faults += 1
        time.sleep(rng.uniform(0.2, 1.5))
        cluster.redis.start()
        revive(cluster, ["beat", "worker-a", "worker-b"])
    seeder.join()
    finish(cluster, "restart Redis", faults, ["beat", "worker-a", "worker-b"], started)


def test_redis_gone_for_a_minute_mid_send(cluster):
    """Redis killed while emails are being sent and kept away for 60 s (a host rebooting, a failover),
    then started again: nothing lost, nothing sent twice, and the workers consuming again. Seeding
    goes on meanwhile (it needs only PostgreSQL), so the outage overlaps the waiting every scenario
    does between waves.

    The workers retry their connection for ever (decision 0027), and neither may exit: kombu's own
    Redis channel, closing after the loss with unacknowledged tasks, raised AttributeError and the
    worker exited; ehc.broker turns that into a connection error Celery rides out."""
    app = cluster.app
    workers = ["worker-a", "worker-b"]
    revive(cluster, ["beat", *workers])
    pids = {name: app.procs[name].pid for name in workers}
    resent_before = TOTALS["resent"]
    started = time.monotonic()
    seeder = Seeder(cluster, first_wave=15, waves=5, every=12)
    assert cluster.sink.wait_for_activity(60), "no email was being sent when Redis was to be killed"
    cluster.redis.crash()
    time.sleep(60)
    cluster.redis.start()
    seeder.join()
    exited = [name for name in workers if app.procs[name].poll() is not None]
    note = f"; workers that exited while Redis was away: {len(exited)} of {len(workers)}"
    assert not exited, f"{', '.join(exited)} exited while Redis was away"
    finish(cluster, "Redis gone 60 s mid-send", 1, ["beat", *workers], started, note)
    # The workers are the same processes, and (finish asserted that nothing due is left unsent)
    # they consumed again; none of the emails went twice.
    assert all(app.procs[name].pid == pids[name] for name in workers)
    assert TOTALS["resent"] == resent_before, "an email was sent twice across the outage"


def test_postgres_restarted_mid_sweep(cluster):
    started = time.monotonic()
    seeder = Seeder(cluster, first_wave=21, waves=3, every=8)
    faults = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(2, 5))
        cluster.postgres.crash()
        faults += 1
        time.sleep(rng.uniform(0.2, 1.5))
        cluster.postgres.start()
        revive(cluster, ["beat", "worker-a", "worker-b"])
    seeder.join()
    finish(cluster, "restart PostgreSQL", faults, ["beat", "worker-a", "worker-b"], started)


def test_two_beats_at_once_with_workers_killed(cluster):
    app = cluster.app
    workers = ["worker-a", "worker-b"]
    app.beat("beat-2")  # a second scheduler: every sweep now runs twice, often at the same moment
    faults = 1
    started = time.monotonic()
    seeder = Seeder(cluster, first_wave=31, waves=4, every=8)
    faults += kill_workers(cluster, workers, seconds=45)
    seeder.join()
    finish(cluster, "two beats + kill -9 worker", faults, ["beat", "beat-2", *workers], started)


def test_notify_backend_worker_killed_while_sending(cluster):
    """The same kills as the first scenario, faster, with every email sent by GOV.UK Notify (its
    stand-in, which accepts each notification 50 ms before it answers): every address of every row
    accepted exactly once, over at least 100 kills."""
    app = cluster.app
    app.stop_all()
    cluster.send_by_notify()
    workers = ["worker-a", "worker-b"]
    app.beat("beat")
    for name in workers:
        app.worker(name)
    started = time.monotonic()
    seeder = Seeder(cluster, first_wave=41, waves=3, every=8)
    faults = kill_workers(
        cluster,
        workers,
        seconds=45,
        every=(0.1, 0.35),
        activity=cluster.notify,
        lifetime_range=(20, 30),
        grace=8,
    )
    seeder.join()
    finish(cluster, "GOV.UK Notify + kill -9 worker", faults, ["beat", *workers], started, exactly_once=True)
    verdict = TOTALS["scenarios"][-1][2]
    verdict["notify_lookups_found"] = cluster.notify.lookups_found
    TOTALS["notify"] = (faults, verdict)
    assert faults >= 100
    assert verdict["notify_rows"] > 0 and set(verdict["notify_per_address"]) == {"1"}, verdict["notify_per_address"]
