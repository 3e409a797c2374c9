"""The local runner (ehc.localrun): arguments passed on untouched, `make manage` on a running `make run`'s
servers and site address, one runner per data directory, stale server state cleared, and nothing left
running when it stops, however it stops."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

import ehc.localrun as localrun
from ehc.localrun import parse_args
from ehc.localrun.processes import Failure, Supervisor, acquire_lock, try_lock
from ehc.localrun.run import READY_LINES, Relay
from ehc.localrun.servers import Profile, clear_stale

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "command", "rest"),
    [
        (["bench", "--reps", "9", "--only", "B5"], "bench", ["--reps", "9", "--only", "B5"]),
        (["test", "-k", "sweep", "tests/escalation"], "test", ["-k", "sweep", "tests/escalation"]),
        (["test"], "test", []),
        (["manage", "shell", "-c", "print(1)"], "manage", ["shell", "-c", "print(1)"]),
    ],
)
def test_arguments_after_the_command_are_passed_on_options_first_included(argv, command, rest):
    args = parse_args(argv)
    assert (args.command, args.rest) == (command, rest)


def test_other_commands_are_parsed_and_checked():
    assert parse_args(["check-compose", "other.yml"]).file == "other.yml"
    assert parse_args(["run"]).command == "run"
    with pytest.raises(SystemExit):
        parse_args(["run", "--no-such-option"])


# --- one runner per data directory, and `make manage` beside `make run` ---------------------------


def test_a_second_runner_on_the_same_data_is_refused_naming_the_first(tmp_path):
    held, holder = try_lock(tmp_path)
    assert held is not None and holder is None
    try:
        again, holder = try_lock(tmp_path)
        assert again is None and holder == str(os.getpid())
        with pytest.raises(Failure, match=f"another localrun \\(pid {os.getpid()}\\) is using"):
            acquire_lock(tmp_path)
    finally:
        held.close()
    # The kernel releases the lock with its holder: the next run gets it.
    handle, _ = try_lock(tmp_path)
    assert handle is not None
    handle.close()


@pytest.fixture
def running_make_run(tmp_path, monkeypatch):
    """As a `make run` on port 8123 looks to `make manage`: the lock held, its servers published."""
    monkeypatch.setitem(localrun.PROFILES, "run", Profile("run", tmp_path, durable=True))
    monkeypatch.setattr(localrun, "PUBLISHED", tmp_path / "localrun.env")
    held, _ = try_lock(tmp_path)
    published = {
        "DATABASE_URL": "postgresql://postgres@/ehc?host=/run/here",
        "REDIS_URL": "redis+socket:///run/here/redis.sock",
        "SITE_URL": "http://127.0.0.1:8123",
    }
    (tmp_path / "localrun.env").write_text(json.dumps(published))
    yield published
    held.close()


def test_make_manage_uses_the_running_servers_and_site_address_not_its_own_port(running_make_run, monkeypatch):
    for name in ("PORT", "SITE_URL", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    sup = Supervisor()
    env = localrun.manage_env(sup)
    assert {key: env[key] for key in running_make_run} == running_make_run
    # Nothing of its own was started, and the lock stays with `make run`.
    assert sup.children == [] and sup.lock is None


def test_make_manage_waits_for_a_make_run_that_has_not_published_yet(running_make_run, tmp_path):
    (tmp_path / "localrun.env").unlink()
    with pytest.raises(Failure, match="still starting"):
        localrun.manage_env(Supervisor())


# --- stale state from a crashed run ----------------------------------------------------------------


def test_a_pid_file_naming_a_process_not_ours_is_removed_and_the_process_left_alone(tmp_path):
    pidfile = tmp_path / "postmaster.pid"
    pidfile.write_text(f"{os.getpid()}\n{tmp_path}\n")
    clear_stale(pidfile, {"postgres", "postmaster"}, tmp_path, signal.SIGINT, "PostgreSQL")
    assert not pidfile.exists()
    assert psutil.pid_exists(os.getpid())


def test_a_server_left_running_in_our_directory_is_stopped(tmp_path, capsys):
    leftover = subprocess.Popen(["sleep", "300"], cwd=tmp_path)
    pidfile = tmp_path / "redis.pid"
    pidfile.write_text(f"{leftover.pid}\n")
    try:
        clear_stale(pidfile, {"sleep"}, tmp_path, signal.SIGTERM, "Redis")
        assert not _running(leftover.pid) and not pidfile.exists()
        assert f"stopping Redis left running by an earlier run (pid {leftover.pid})" in capsys.readouterr().err
    finally:
        leftover.kill()
        leftover.wait()


def test_the_same_program_working_elsewhere_is_not_ours(tmp_path):
    elsewhere = subprocess.Popen(["sleep", "300"], cwd="/")
    pidfile = tmp_path / "redis.pid"
    pidfile.write_text(f"{elsewhere.pid}\n")
    try:
        clear_stale(pidfile, {"sleep"}, tmp_path, signal.SIGTERM, "Redis")
        assert elsewhere.poll() is None and not pidfile.exists()
    finally:
        elsewhere.kill()
        elsewhere.wait()


# --- stopping leaves nothing running ----------------------------------------------------------------

# Runs in a process of its own: become_subreaper() must not change how pytest's own orphans are reaped.
RUNNER = textwrap.dedent(
    """
    import json, os, subprocess, sys, time
    from pathlib import Path
    from ehc.localrun.processes import Supervisor, become_subreaper
    from ehc.localrun.run import start_procfile

    tmp, how = Path(sys.argv[1]), sys.argv[2]
    sup = Supervisor()
    sup.install_signal_handlers()
    become_subreaper()
    server = sup.start("server", ["sleep", "301"], env=None, service=True)
    # A child that puts a grandchild in a session of its own, beyond a process-group kill.
    escaper = (
        "import subprocess, sys, time; p = subprocess.Popen(['sleep', '302'], start_new_session=True); "
        "print(p.pid, flush=True); time.sleep(300)"
    )
    app = sup.start("app", [sys.executable, "-c", escaper], env=None, stdout=subprocess.PIPE)
    grandchild = int(app.proc.stdout.readline())
    relay = start_procfile(sup, dict(os.environ), 8199, procfile=tmp / "Procfile", log=tmp / "run.log")
    deadline = time.monotonic() + 60
    while not relay.seen >= {"worker", "beat"} and time.monotonic() < deadline:
        time.sleep(0.1)
    print(json.dumps({"server": server.proc.pid, "app": app.proc.pid, "grandchild": grandchild,
                      "seen": sorted(relay.seen)}), flush=True)
    if how == "stop":
        while not sup.stop_requested:
            time.sleep(0.1)
        sup.stop()
    else:
        time.sleep(300)  # until killed
    """
)

# Stand-ins for the Celery worker and beat: they print the lines the runner waits for, then wait.
PROCFILE = """\
worker: exec python -c "print('celery@host ready.', flush=True); import time; time.sleep(300)"
beat: exec python -c "print('beat: Starting...', flush=True); import time; time.sleep(300)"
"""


@pytest.fixture
def start_runner(tmp_path):
    """Start RUNNER; return (runner, what it started, every pid under it). Whatever a failing test
    leaves is killed afterwards."""
    started_pids = []

    def start(how):
        (tmp_path / "Procfile").write_text(PROCFILE)
        runner = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(tmp_path), how],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        started_pids.append(runner.pid)
        # The relay copies honcho's lines to the same stdout; the runner's own report is the JSON one.
        started = json.loads(next(line for line in runner.stdout if line.startswith("{")))
        pids = [proc.pid for proc in psutil.Process(runner.pid).children(recursive=True)] + [started["grandchild"]]
        started_pids.extend(pids)
        assert started["seen"] == ["beat", "worker"], (tmp_path / "run.log").read_text()
        return runner, started, pids

    yield start
    for pid in started_pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _gone(pids, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if _running(pid)]
        if not alive:
            return []
        time.sleep(0.2)
    return alive


def _running(pid):
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_every_process_even_one_that_left_its_session(start_runner, tmp_path, signum):
    runner, started, pids = start_runner("stop")
    assert len(pids) >= 6  # server, app, its grandchild, honcho, the worker and beat stand-ins
    runner.send_signal(signum)
    assert runner.wait(timeout=30) == 0
    assert _gone(pids) == []
    log = (tmp_path / "run.log").read_text()
    assert "worker.1 stopped" in log and "beat.1 stopped" in log


def test_a_runner_killed_outright_takes_its_servers_and_the_procfile_processes_with_it(start_runner):
    runner, started, pids = start_runner("kill")
    runner.kill()
    runner.wait()
    # The kernel signals the direct children; honcho then stops what it started.
    # A process that left its session is out of reach once the runner is gone (the fixture kills it).
    assert _gone([pid for pid in pids if pid != started["grandchild"]]) == []


def test_the_relay_copies_honchos_output_and_notes_which_processes_are_ready(tmp_path, capsys):
    log = tmp_path / "run.log"
    relay = Relay(log)
    relay.start()
    ready, partial = b"08:00:00 worker.1 | [INFO/MainProcess] celery@vm ready.\n", b"08:00:01 beat.1   | beat: Start"
    relay.sink.write(ready + partial)
    relay.sink.flush()
    relay.finish()
    assert relay.seen == {"worker"} and set(READY_LINES) == {"worker", "beat"}
    # Everything is copied, the unfinished last line too, once honcho has exited.
    assert capsys.readouterr().out == (ready + partial + b"\n").decode()


@pytest.mark.parametrize(
    ("last_port", "shell_port", "expected"),
    [("8123\n", None, "http://127.0.0.1:8123"), (None, None, "http://127.0.0.1:8000"), ("8123\n", "8200", "http://127.0.0.1:8200")],
)
def test_make_manage_without_a_running_make_run_links_to_the_last_make_runs_port(
    tmp_path, monkeypatch, last_port, shell_port, expected
):
    """`PORT=8123 make run`, stopped, then `make manage ARGS="sweep"`: the emails' links point at 8123,
    where the demo will be started again, not at 8000. PORT given to `make manage` itself wins."""
    monkeypatch.setitem(localrun.PROFILES, "run", Profile("run", tmp_path, durable=True))
    monkeypatch.setattr(localrun, "LAST_PORT", tmp_path / "localrun.port")
    monkeypatch.setattr(localrun, "start_services", lambda sup, profile: {"DATABASE_URL": "postgresql://x"})
    for name in ("PORT", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    if last_port is not None:
        (tmp_path / "localrun.port").write_text(last_port)
    if shell_port is not None:
        monkeypatch.setenv("PORT", shell_port)
    sup = Supervisor()
    try:
        assert localrun.manage_env(sup)["SITE_URL"] == expected
    finally:
        sup.lock.close()
