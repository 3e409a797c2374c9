"""The runner's children: each dies with the runner, and all are stopped in a safe order.

The embedded servers' own helper libraries daemonise them and stop them from atexit hooks, which
never run when the runner is killed. So the runner starts every child itself with a parent-death
signal (PR_SET_PDEATHSIG): the kernel stops them even after a `kill -9` of the runner. A lock per
data directory proves that whatever an earlier run left there is stale and safe to clear.
"""

import contextlib
import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
PYTHON = sys.executable
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


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


def _child_setup(death_signal, parent_pid):
    """Runs in the child between fork and exec, after Popen has switched user (a change of
    credentials clears the parent-death signal)."""

    def setup():
        if _libc is not None:
            _libc.prctl(PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
            # The runner may have died before prctl took effect; nobody would signal us then.
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), death_signal)

    return setup


def become_subreaper():
    """Adopt whatever a child orphans (a process honcho lost track of), so stop() can find it."""
    if _libc is not None:
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    stop_signal: int
    stop_timeout: float
    # Signal the child's whole process group (Celery's pool with it), not just the child.
    own_group: bool = True
    # Started in a session of its own: what it leaves in that session is killed when it stops.
    session: bool = True
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
    # Called once the application processes have stopped, before the servers are.
    after_apps_stopped: list = field(default_factory=list)

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
        foreground=False,
        own_group=None,
        user=None,
        stdout=None,
        service=False,
    ):
        """Start a child and track it.

        A background child gets its own session so that the terminal's Ctrl-C reaches only the
        runner, which then stops everything in order (the web server before the database).
        A foreground child (pytest, which may drop into pdb) stays in the terminal's process
        group so that it can read the terminal, and handles Ctrl-C itself.
        """
        kwargs = {"user": user, "group": user, "extra_groups": []} if user is not None else {}
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=None if foreground else subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is not None else None,
            start_new_session=not foreground,
            preexec_fn=_child_setup(stop_signal, os.getpid()),
            **kwargs,
        )
        own_group = not foreground if own_group is None else own_group
        child = Child(name, proc, stop_signal, stop_timeout, own_group, session=not foreground, service=service)
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

    def run(self, name, argv, *, env, foreground=False, stop_timeout=10.0):
        """Run a child to completion and return its exit code; a stop request is passed on to it."""
        self.check()
        child = self.start(name, argv, env=env, foreground=foreground, stop_timeout=stop_timeout)
        code = self.wait(child)
        self.children.remove(child)
        return code

    def step(self, name, argv, *, env):
        """A one-off step (migrate, seed_demo, ...) that must succeed."""
        code = self.run(name, argv, env=env)
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
                # Whatever it forked and left behind in its session goes too.
                if child.session:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(child.proc.pid, signal.SIGKILL)
                self.children.remove(child)
            if tier is apps:
                self._kill_adopted({child.proc.pid for child in services})
                for callback in self.after_apps_stopped:
                    callback()

    def _kill_adopted(self, keep):
        """Kill any descendant that is not a server: what become_subreaper() adopted from a child
        that died before its own children (a Procfile shell), reaping those already dead."""
        import psutil

        for proc in psutil.Process().children(recursive=True):
            if proc.pid in keep or any(parent.pid in keep for parent in proc.parents()):
                continue
            with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired, ChildProcessError):
                if proc.status() != psutil.STATUS_ZOMBIE:
                    say(f"killing {proc.pid} ({proc.name()}), left behind by a stopped process")
                    proc.kill()
                proc.wait(5)


def _interrupt_came_from_terminal():
    """True when Ctrl-C was typed at our terminal, which delivers SIGINT to a foreground child too."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, AttributeError, ValueError):  # no stdin at all, or not a terminal
        return False


def try_lock(root):
    """Take the exclusive lock on a data directory for the life of the runner: (handle, None) or
    (None, holder pid). flock is released by the kernel when the holder dies however it dies, so a
    lock we can take means no live runner owns the directory."""
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / "localrun.lock", "a+")
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


def acquire_lock(root):
    handle, holder = try_lock(root)
    if handle is None:
        raise Failure(f"another localrun (pid {holder}) is using {shown(root)}/; stop it first")
    return handle


def shown(path):
    """A path as the developer sees it: from the checkout's root when it is inside it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
