"""Run, test and benchmark the project on one machine, with embedded PostgreSQL and Redis.

    python -m ehc.localrun run             # `make run`: the Procfile under honcho, until Ctrl-C
    python -m ehc.localrun test [ARGS]     # `make test`: pytest with ARGS
    python -m ehc.localrun bench [ARGS]    # `make bench`: manage.py bench, SCALE from the environment
    python -m ehc.localrun manage ARGS     # `make manage`, `make otp`: on the demo's database

servers.py starts the embedded servers and hands their URLs on, processes.py makes every child die
with the runner and stops them in order, run.py is `make run`. The docker-compose.yml check is
ehc/compose_check.py (`check-compose` here still runs it).

The runner never imports Django settings (they require the URLs it provides); third-party modules
(psycopg2, redis, psutil) are imported only by the functions that need them.
"""

import argparse
import json
import os
import signal
import sys

from .processes import PYTHON, STOP_SIGNALS, Failure, Stop, Supervisor, acquire_lock, say, try_lock
from .run import LAST_PORT, PUBLISHED, cmd_run, manage
from .servers import PROFILES, app_env, base_env, start_services


def port():
    return int(os.environ.get("PORT", "8000"))


def demo_port():
    """The port links made outside `make run` point at: PORT if set, else the last `make run`'s
    (a demo started with PORT=8001 and stopped is started again the same way), else 8000."""
    if os.environ.get("PORT"):
        return port()
    try:
        return int(LAST_PORT.read_text().strip())
    except (FileNotFoundError, ValueError):
        return 8000


def manage_env(sup):
    """manage.py's environment: a running `make run`'s servers and site address, else its data."""
    sup.lock, holder = try_lock(PROFILES["run"].root)
    if sup.lock is not None:
        return app_env(start_services(sup, PROFILES["run"]), demo_port())
    try:
        published = json.loads(PUBLISHED.read_text())
    except FileNotFoundError:
        raise Failure(f"`make run` (pid {holder}) is still starting; try again in a moment") from None
    # Its SITE_URL, not one made from this shell's PORT: links must point at the running site.
    return app_env({**base_env(), **published}, port())


def cmd_manage(sup, args):
    return sup.run("manage.py", manage(*args.rest), env=manage_env(sup), foreground=True)


def cmd_test(sup, args):
    profile = PROFILES["test"]
    sup.lock = acquire_lock(profile.root)
    env = app_env(start_services(sup, profile), 8000)
    code = sup.run("pytest", [PYTHON, "-m", "pytest", *args.rest], env=env, foreground=True, stop_timeout=60)
    if code == 5:
        say("pytest collected no tests: an empty test suite is a defect, so this run fails")
    return code


def cmd_bench(sup, args):
    profile = PROFILES["bench"]
    sup.lock = acquire_lock(profile.root)
    env = app_env(start_services(sup, profile), 8000)
    env.setdefault("SCALE", "la")
    sup.step("migrate", manage("migrate", "--noinput"), env=env)
    say(f"benchmark at SCALE={env['SCALE']}")
    sup.step("bench", manage("bench", *args.rest), env=env)
    return 0


def cmd_check_compose(sup, args):
    from ehc.compose_check import main

    return main([args.file])


PASS_THROUGH = ("test", "bench", "manage")


def parse_args(argv):
    """The command and its arguments. What follows test, bench or manage is passed on untouched,
    options first included (`make test ARGS="-k sweep"`, `make bench ARGS="--reps 9"`): argparse's
    REMAINDER would take a leading option as one of its own and refuse it."""
    if argv[:1] and argv[0] in PASS_THROUGH:
        return argparse.Namespace(command=argv[0], rest=list(argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m ehc.localrun", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="web server, Celery worker and beat with demo data, until Ctrl-C")
    for name, text in (
        ("test", "pytest, with any arguments"),
        ("bench", "manage.py bench, with any arguments"),
        ("manage", "manage.py with any arguments, on the demo's database"),
    ):
        sub.add_parser(name, help=text).add_argument("rest", nargs=argparse.REMAINDER)
    check = sub.add_parser("check-compose", help="python -m ehc.compose_check: docker-compose.yml against the code")
    check.add_argument("file", nargs="?", default="docker-compose.yml")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sup = Supervisor()
    sup.install_signal_handlers()
    handlers = {
        "run": lambda sup, args: cmd_run(sup, port()),
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
