import os

from celery import Celery, bootsteps, signals

from .broker import install as install_broker_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ehc.settings")
install_broker_transport()

app = Celery("ehc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often a consuming worker writes its heartbeat (ehc.health); readiness allows three misses.
HEARTBEAT_SECONDS = 30


def _record(key):
    from .health import record

    record(key)


class Heartbeat(bootsteps.StartStopStep):
    """Writes the worker's heartbeat while its consumer is connected to the broker: started again
    on each reconnection, stopped on a connection loss, so a worker that cannot consume goes stale."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        self.timer = None

    def start(self, parent):
        from .health import WORKER_KEY

        _record(WORKER_KEY)
        self.timer = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, _record, (WORKER_KEY,))

    def stop(self, parent):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    shutdown = stop


app.steps["consumer"].add(Heartbeat)

_in_beat = False


@signals.beat_init.connect
def _beat_started(**kwargs):
    global _in_beat
    _in_beat = True


@signals.after_task_publish.connect
def _beat_ran(**kwargs):
    """Beat's last run is the last time it handed a task to the broker (only the beat process
    records it; the web and workers publish too)."""
    if _in_beat:
        from .health import BEAT_KEY

        _record(BEAT_KEY)


def _connect_request_id():
    from .requestid import on_before_task_publish, on_task_postrun, on_task_prerun

    signals.before_task_publish.connect(on_before_task_publish, weak=False)
    signals.task_prerun.connect(on_task_prerun, weak=False)
    signals.task_postrun.connect(on_task_postrun, weak=False)


_connect_request_id()


def _connect_primary_reads():
    from .replica import task_reads_done, task_reads_primary

    signals.task_prerun.connect(task_reads_primary, weak=False)
    signals.task_postrun.connect(task_reads_done, weak=False)


_connect_primary_reads()
