"""`make run`: the embedded servers, the database made ready, then the Procfile under honcho.

honcho starts the web server, Celery worker and beat from the Procfile, prefixes their output, and
when one of them exits, or when it is told to stop, stops the others. What stays here is what
honcho cannot know: the servers they use (started first, stopped last), the steps before them
(migrate, collectstatic, seed_demo), the banner once all three are up, and the servers' URLs and
site address published for `make manage`.
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .processes import PYTHON, ROOT, VAR, Failure, acquire_lock, become_subreaper
from .servers import PROFILES, app_env, start_services

PROCFILE = ROOT / "Procfile"
# Where a running `make run` tells `make manage` which servers and site address it uses.
PUBLISHED = VAR / "localrun.env"
PUBLISHED_KEYS = ("DATABASE_URL", "REDIS_URL", "SITE_URL")
# The port of the last `make run`, kept after it stops: `make manage` then still builds links to it.
LAST_PORT = VAR / "localrun.port"
# The Procfile processes' output, as honcho prints it; also copied to the terminal.
PROCFILE_LOG = VAR / "log" / "run.log"
# A Procfile process is up when its output says so; the web server when it answers.
READY_LINES = {"worker": re.compile(r"celery@\S+ ready\."), "beat": re.compile(r"beat: Starting")}
START_TIMEOUT = 120


def manage(*args):
    return [PYTHON, str(ROOT / "manage.py"), *args]


def cmd_run(sup, port):
    require_free_port(port)
    profile = PROFILES["run"]
    sup.lock = acquire_lock(profile.root)
    become_subreaper()
    env = app_env(start_services(sup, profile), port)
    Path(env["EMAIL_FILE_PATH"]).mkdir(parents=True, exist_ok=True)
    PUBLISHED.touch(mode=0o600)
    PUBLISHED.write_text(json.dumps({key: env[key] for key in PUBLISHED_KEYS}))
    LAST_PORT.write_text(f"{port}\n")
    try:
        sup.step("migrate", manage("migrate", "--noinput"), env=env)
        sup.step("collectstatic", manage("collectstatic", "--noinput", "--verbosity", "0"), env=env)
        sup.step("seed_demo", manage("seed_demo"), env=env)
        _run_procfile(sup, env, port)
    finally:
        PUBLISHED.unlink(missing_ok=True)


def procfile_env(env, port):
    """The Procfile's environment: the servers' URLs, PORT, and this interpreter's `python` first on PATH."""
    path = os.pathsep.join([str(Path(PYTHON).parent), env.get("PATH", os.defpath)])
    return {**env, "PORT": str(port), "PATH": path}


def start_procfile(sup, env, port, *, procfile=PROCFILE, log=PROCFILE_LOG):
    """Start honcho on the Procfile, its output copied to ours; return the Relay doing the copying."""
    argv = [PYTHON, "-m", "honcho", "start", "--procfile", str(procfile), "--app-root", str(ROOT)]
    # No .env file: the environment is the runner's alone, as for every other command. honcho waits
    # 5 s after SIGTERM before it kills what is left; the Celery worker's acks_late redelivers a task
    # killed mid-way.
    argv += ["--env", os.devnull, "--port", str(port)]
    # honcho writes to a file, not a pipe to us: if the runner is killed, honcho must still be able
    # to print while it stops its processes (a broken pipe would kill it and orphan them).
    log.parent.mkdir(parents=True, exist_ok=True)
    relay = Relay(log)
    sup.start(
        "web, worker and beat (honcho)",
        argv,
        env=procfile_env(env, port),
        stdout=relay.sink,
        # honcho stops the processes it started; its own group also holds its output readers.
        own_group=False,
        stop_timeout=15,
    )
    relay.start()
    sup.after_apps_stopped.append(relay.finish)
    return relay


def _run_procfile(sup, env, port):
    relay = start_procfile(sup, env, port)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while not (relay.seen >= READY_LINES.keys() and answers(url)):
        watch(sup)
        if time.monotonic() > deadline:
            missing = sorted(set(READY_LINES) - relay.seen) + ([] if answers(url) else ["web"])
            raise Failure(f"not up within {START_TIMEOUT}s: {', '.join(missing)}; see {PROCFILE_LOG}")
        time.sleep(0.3)
    text = banner(url, env)
    with relay.lock:
        print(text, flush=True)
    while True:
        watch(sup)
        time.sleep(0.5)


class Relay(threading.Thread):
    """Copies honcho's log to our stdout as it grows, noting the lines that say a process is ready."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.sink = open(path, "wb")
        self.source = open(path, "rb")
        self.lock = threading.Lock()
        self.seen = set()
        self.done = threading.Event()

    def run(self):
        pending = b""
        while True:
            pending += self.source.readline()
            if pending.endswith(b"\n"):
                self._copy(pending.decode(errors="replace"))
                pending = b""
            elif self.done.is_set():
                break
            else:
                time.sleep(0.1)
        if pending:
            self._copy(pending.decode(errors="replace") + "\n")

    def _copy(self, line):
        self.seen.update(name for name, pattern in READY_LINES.items() if pattern.search(line))
        with self.lock:
            sys.stdout.write(line)
            sys.stdout.flush()

    def finish(self):
        """After honcho has exited: copy what is left, then stop."""
        self.done.set()
        self.join(timeout=5)


def watch(sup):
    """Stop on a signal; fail when any child has exited (honcho exits when any of its processes does)."""
    sup.check()
    for child in sup.children:
        if not child.alive():
            raise Failure(f"{child.name} exited (code {child.proc.returncode}); stopping everything")


def answers(url):
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        pass  # any HTTP answer, even 404 or 302, means the server is up
    except (urllib.error.URLError, OSError):
        return False
    return True


def require_free_port(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise Failure(f"port {port} on 127.0.0.1 is in use; stop what uses it or set PORT") from None


def banner(url, env):
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
    return "\n".join(lines)
