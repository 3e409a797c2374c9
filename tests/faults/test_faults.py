"""Issue 6: the timers under faults, against real processes. Each scenario seeds requests whose
thresholds are past (chases, escalation 1 letters, escalation 2 notices due now) while a real Celery
beat sweeps every 2 s and real workers render letters and send emails to an SMTP sink, and injects
one kind of fault over and over. After recovery the whole database and the sink are checked: per
(item, stage) one stage change, per (request, stage) one escalation and one letter, every email
received exactly once (by its stable Message-ID) and nothing due left undone.

The verdict is cumulative (every scenario's check covers all the data so far); the terminal summary
prints `faults: N injected, D duplicates, M missing`.
"""

import random
import threading
import time

import pytest

from .conftest import record

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


def revive(cluster, names):
    """Restart any of `names` that exited by itself (not a fault: a process giving up on a server
    that went away is restarted by its supervisor in production too)."""
    app = cluster.app
    for name in names:
        proc = app.procs.get(name)
        if proc is None or proc.poll() is not None:
            app.procs.pop(name, None)
            (app.beat if name.startswith("beat") else app.worker)(name)


def finish(cluster, name, faults, processes):
    revive(cluster, processes)
    status = cluster.settle()
    verdict = cluster.check()
    verdict["settled"] = status
    record(name, faults, verdict)
    assert not any(status[key] for key in ("due_items", "unqueued_escalations", "unsent_emails")), status
    assert verdict["missing"] == 0, verdict["problems"]
    assert verdict["duplicates"] == 0, verdict["problems"]


def test_worker_killed_while_letters_render_and_emails_send(cluster):
    app = cluster.app
    workers = ["worker-a", "worker-b"]
    app.beat("beat")
    for name in workers:
        app.worker(name)
    seeder = Seeder(cluster, first_wave=1, waves=4, every=8)
    faults = 0
    deadline = time.monotonic() + 60
    turn = 0
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(0.5, 1.5))
        name = workers[turn % 2]
        turn += 1
        app.kill(name)
        faults += 1
        app.worker(name)
    seeder.join()
    finish(cluster, "kill -9 worker", faults, ["beat", *workers])


def test_redis_restarted_mid_sweep(cluster):
    seeder = Seeder(cluster, first_wave=11, waves=3, every=8)
    faults = 0
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(1.5, 4))
        cluster.redis.crash()
        faults += 1
        time.sleep(rng.uniform(0.2, 1.5))
        cluster.redis.start()
        revive(cluster, ["beat", "worker-a", "worker-b"])
    seeder.join()
    finish(cluster, "restart Redis", faults, ["beat", "worker-a", "worker-b"])


def test_postgres_restarted_mid_sweep(cluster):
    seeder = Seeder(cluster, first_wave=21, waves=3, every=8)
    faults = 0
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(2, 5))
        cluster.postgres.crash()
        faults += 1
        time.sleep(rng.uniform(0.2, 1.5))
        cluster.postgres.start()
        revive(cluster, ["beat", "worker-a", "worker-b"])
    seeder.join()
    finish(cluster, "restart PostgreSQL", faults, ["beat", "worker-a", "worker-b"])


def test_two_beats_at_once_with_workers_killed(cluster):
    app = cluster.app
    workers = ["worker-a", "worker-b"]
    app.beat("beat-2")  # a second scheduler: every sweep now runs twice, often at the same moment
    faults = 1
    seeder = Seeder(cluster, first_wave=31, waves=4, every=8)
    deadline = time.monotonic() + 45
    turn = 0
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(0.7, 2))
        name = workers[turn % 2]
        turn += 1
        app.kill(name)
        faults += 1
        app.worker(name)
    seeder.join()
    finish(cluster, "two beats + kill -9 worker", faults, ["beat", "beat-2", *workers])
