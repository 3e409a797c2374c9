"""What the load costs the machine, sampled every second during the run: the database connections in
use (pg_stat_activity, the test's database only) and the resident memory of gunicorn's workers and
the Celery worker's processes, plus the machine's load, since it is shared."""

import os
import threading
from collections import defaultdict

INTERVAL = 1.0


def kind_of(cmdline, parent_cmdline=()):
    """'gunicorn master', 'gunicorn worker', 'celery worker' (its main process and its pool's), 'celery
    beat' or None. A gunicorn worker's command line is its master's: it is told by its parent."""
    line = " ".join(cmdline)
    if "gunicorn" in line:
        return "gunicorn worker" if "gunicorn" in " ".join(parent_cmdline) else "gunicorn master"
    if "celery" in line and " beat" in line:
        return "celery beat"
    if "celery" in line and " worker" in line:
        return "celery worker"
    return None


class Sampler(threading.Thread):
    def __init__(self, *, server_url, dbname, roots):
        super().__init__(daemon=True)
        self.server_url, self.dbname, self.roots = server_url, dbname, roots
        self.done = threading.Event()
        self.max_connections = 0
        self.max_active = 0
        # Per kind: the largest single process, and the largest total of the kind at one instant.
        self.max_rss = defaultdict(int)
        self.max_rss_total = defaultdict(int)
        self.processes = defaultdict(int)
        self.load_before = os.getloadavg()
        self.max_load = 0.0
        self.cpu_busy = []
        self.errors = []

    def run(self):
        import psutil
        import psycopg2

        conn = psycopg2.connect(self.server_url)
        conn.autocommit = True
        psutil.cpu_percent()
        try:
            while not self.done.wait(INTERVAL):
                self._sample(conn, psutil)
        except Exception as exc:  # noqa: BLE001 - the figures say the sampler stopped, the run goes on
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()

    def _sample(self, conn, psutil):
        with conn.cursor() as cursor:
            # Not counting the sampler's own connection.
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.dbname],
            )
            total, active = cursor.fetchone()
        self.max_connections = max(self.max_connections, total)
        self.max_active = max(self.max_active, active)
        totals = defaultdict(int)
        counts = defaultdict(int)
        for root in self.roots:
            try:
                processes = psutil.Process(root).children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            for proc in processes:
                try:
                    parent = proc.parent()
                    kind = kind_of(proc.cmdline(), parent.cmdline() if parent else ())
                    rss = proc.memory_info().rss if kind else 0
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                if kind:
                    self.max_rss[kind] = max(self.max_rss[kind], rss)
                    totals[kind] += rss
                    counts[kind] += 1
        for kind, value in totals.items():
            self.max_rss_total[kind] = max(self.max_rss_total[kind], value)
            self.processes[kind] = max(self.processes[kind], counts[kind])
        self.max_load = max(self.max_load, os.getloadavg()[0])
        self.cpu_busy.append(psutil.cpu_percent())

    def stop(self):
        self.done.set()
        self.join(timeout=10)
