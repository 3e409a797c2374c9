"""`make load`: the load test against the production shape on this machine.

1. PostgreSQL and Redis: embedded (ehc.localrun.servers, data under var/load/) unless DATABASE_URL /
   REDIS_URL are set, as for `make run` and `make test`.
2. The data: the la bench data set (bench.data), the load test's accounts (bench.load.users) and one
   sweep to bring the data set's timers up to today, built once into <name>_load_base; every run
   starts from a fresh copy of it, <name>_load (CREATE DATABASE ... TEMPLATE), so runs compare.
3. gunicorn with compose's command (ehc.gunicorn_conf, 3 workers), a Celery worker (concurrency 2)
   and beat with the sweep every 60 s, under honcho as `make run` runs the Procfile, DEBUG off.
4. Locust, headless, with bench/load/locustfile.py; meanwhile bench.load.monitor samples the
   database's connections and the workers' memory. bench.load.report prints the table and appends it
   to bench/results/<date>.md.

    python -m bench.load [--users 200] [--spawn-rate 2] [--minutes 5] [--rebuild]
"""

import argparse
import os
import secrets
import signal
import time
import urllib.parse
from pathlib import Path

from ehc.localrun.processes import PYTHON, ROOT, VAR, Failure, Stop, Supervisor, acquire_lock, say
from ehc.localrun.run import answers, manage, require_free_port, start_procfile, watch
from ehc.localrun.servers import Profile, app_env, start_services

from . import monitor, report

PROFILE = Profile("load", VAR / "load", durable=True)
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
READY_TIMEOUT = 120
COMPLETE = "ehc load test data: complete"
PROCFILE = """\
web: exec gunicorn --config=python:ehc.gunicorn_conf ehc.wsgi:application --bind 127.0.0.1:$PORT --workers 3
worker: exec python -m celery -A ehc worker --concurrency 2 --loglevel INFO
beat: exec python -m celery -A ehc beat --loglevel INFO --schedule {schedule}
"""


def database_url(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def server_connection(url):
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    conn = psycopg2.connect(
        dbname="postgres",
        user=urllib.parse.unquote(parts.username or "") or None,
        password=urllib.parse.unquote(parts.password or "") or None,
        host=parts.hostname or query.get("host"),
        port=parts.port or query.get("port"),
    )
    conn.autocommit = True
    return conn


# The emails the catch-up sweep queued, marked sent as they would have been on their days.
CATCH_UP_SENT = (
    "from django.utils import timezone; from ehc.models import OutboundEmail, MessageStatus; "
    "print(OutboundEmail.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.FAILED])"
    ".update(status=MessageStatus.SENT, sent_at=timezone.now()), 'catch-up emails marked sent')"
)


def quiet_step(sup, name, argv, *, env):
    """A step whose (long) output goes to var/load/log/<name>.log rather than the terminal."""
    PROFILE.log_dir.mkdir(parents=True, exist_ok=True)
    path = PROFILE.log_dir / f"{name}.log"
    with open(path, "wb") as log:
        child = sup.start(name, argv, env=env, stdout=log)
        code = sup.wait(child)
        sup.children.remove(child)
    sup.check()
    if code != 0:
        raise Failure(f"{name} failed (exit code {code}); see {path}", code)
    say(f"{name}: done; its output is in {path}")


def prepare_data(sup, env, *, users, rebuild):
    """Build <name>_load_base once (migrate, la data set, accounts, a catch-up sweep); copy it to
    <name>_load. Returns the copy's DATABASE_URL."""
    from psycopg2 import sql

    url = env["DATABASE_URL"]
    name = urllib.parse.urlsplit(url).path.lstrip("/") or "ehc"
    base, copy = f"{name}_load_base", f"{name}_load"
    server = server_connection(url)
    try:
        with server.cursor() as cursor:
            # Marked complete once built: a build that was stopped half-way is built again.
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [base])
            row = cursor.fetchone()
            complete = row is not None and row[0] == COMPLETE and not rebuild
            if not complete:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(base)))
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(base)))
        # The steps run as `make bench`'s do (development settings); the application, in production's.
        base_env = app_env({**env, "DATABASE_URL": database_url(url, base)}, 8000)
        sup.step("migrate", manage("migrate", "--noinput", "--verbosity", "0"), env=base_env)
        if not complete:
            say(f"building the la data set into {base} (once; --rebuild builds it again)")
            sup.step("bench_data", manage("bench_data", "--scale", "la"), env=base_env)
            # The data set stops at its own day (bench.BENCH_TODAY): the timers catch up to today
            # here, so that the test's sweeps every minute are today's, not weeks of backlog.
            quiet_step(sup, "sweep", manage("sweep"), env=base_env)
            # The emails of those days were sent on those days: the test's worker starts with none owed.
            sup.step("catch-up emails", manage("shell", "--no-imports", "-c", CATCH_UP_SENT), env=base_env)
            with server.cursor() as cursor:
                cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(base)), [COMPLETE])
        sup.step("load_users", manage("load_users", "--users", str(users)), env=base_env)
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(base)))
    finally:
        server.close()
    say(f"database {copy}: a fresh copy of {base}")
    return database_url(url, copy), copy


def production_env(env, port):
    """As compose runs the application, minus TLS (no proxy here) and with email written to files."""
    load_root = PROFILE.root
    return {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(load_root / "mail"),
        "PRIVATE_MEDIA_ROOT": str(load_root / "private"),
        # The sweep every minute during the test (beat's schedule, ehc.settings.CELERY_BEAT_SCHEDULE).
        "SWEEP_INTERVAL_SECONDS": "60",
        "LOG_FORMAT": "plain",
    }


def start_apps(sup, env, port):
    procfile = PROFILE.root / "Procfile"
    procfile.write_text(PROCFILE.format(schedule=PROFILE.root / "celerybeat-schedule"))
    log = PROFILE.log_dir / "run.log"
    relay = start_procfile(sup, env, port, procfile=procfile, log=log)
    relay.quiet = True  # gunicorn's access log is in the log file, not on the terminal
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + READY_TIMEOUT
    while not (relay.seen >= {"worker", "beat"} and answers(url + "healthz")):
        watch(sup)
        if time.monotonic() > deadline:
            raise Failure(f"gunicorn, worker and beat not up within {READY_TIMEOUT}s; see {log}")
        time.sleep(0.5)
    say(f"gunicorn (3 workers), Celery worker and beat are up at {url}; their output is in {log}")
    return url, log


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", "200")))
    parser.add_argument("--spawn-rate", type=float, default=float(os.environ.get("LOAD_SPAWN_RATE", "2")))
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("LOAD_MINUTES", "5")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8765")))
    parser.add_argument("--rebuild", action="store_true", help="Build the data set again")
    parser.add_argument("--no-results", action="store_true", help="Print only; do not write bench/results/")
    return parser.parse_args(argv)


def run(sup, args):
    require_free_port(args.port)
    sup.lock = acquire_lock(PROFILE.root)
    (PROFILE.root / "mail").mkdir(parents=True, exist_ok=True)
    env = start_services(sup, PROFILE)
    env["PYTHONPATH"] = str(ROOT)
    url, dbname = prepare_data(sup, env, users=args.users, rebuild=args.rebuild)
    env = production_env({**env, "DATABASE_URL": url}, args.port)
    sup.step("collectstatic", manage("collectstatic", "--noinput", "--verbosity", "0"), env=env)
    if not os.environ.get("REDIS_URL"):
        # Tasks an earlier step queued on the embedded broker (the catch-up's letters and emails,
        # done above): the worker starts on an empty queue. A broker given in REDIS_URL is not ours to empty.
        quiet_step(sup, "purge", [PYTHON, "-m", "celery", "-A", "ehc", "purge", "-f"], env=env)
    site, log = start_apps(sup, env, args.port)
    csv = PROFILE.root / "locust"
    seconds = round(args.minutes * 60)
    sampler = monitor.Sampler(server_url=env["DATABASE_URL"], dbname=dbname, roots=[c.proc.pid for c in sup.children])
    say(f"{args.users} simulated users, {args.spawn_rate}/s, for {seconds} s against {site}")
    sampler.start()
    started = time.time()
    locust = [PYTHON, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", site.rstrip("/")]
    locust += ["-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "30"]
    locust += ["--csv", str(csv), "--only-summary", "--loglevel", "WARNING"]
    code = sup.run("locust", locust, env=env, foreground=True, stop_timeout=60)
    finished = time.time()
    sampler.stop()
    sup.check()
    result = report.Result.read(
        csv,
        users=args.users,
        spawn_rate=args.spawn_rate,
        seconds=seconds,
        started=started,
        finished=finished,
        sampler=sampler,
        log=log,
        locust_code=code,
    )
    print(report.table(result), flush=True)
    if not args.no_results:
        path = report.write(result, server_url=env["DATABASE_URL"])
        say(f"results appended to {path}")
    return 0 if result.errors == 0 else 1


def main(argv=None):
    args = parse_args(argv)
    sup = Supervisor()
    sup.install_signal_handlers()
    code = 0
    try:
        code = run(sup, args)
    except Stop:
        say(f"{signal.Signals(sup.stop_requested).name} received; stopping")
        code = 128 + sup.stop_requested
    except Failure as failure:
        say(str(failure))
        code = failure.code or 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if sup.children:
            sup.stop()
    return code
