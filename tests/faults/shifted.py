"""Run a command with the clock moved to EHC_FAULTS_TODAY (an ISO date), if set, at the present time
of day and ticking: `python -m tests.faults.shifted celery -A ehc worker ...`.

The sweep acts only on the LA's working days and reads the real clock; on a weekend or bank holiday
the suite moves its worker, beat and data scripts to the next working day instead of skipping.
"""

import datetime
import os
import sys


def shift():
    day = os.environ.get("EHC_FAULTS_TODAY")
    if not day:
        return
    import time_machine

    now = datetime.datetime.now().astimezone()
    target = datetime.datetime.combine(datetime.date.fromisoformat(day), now.timetz())
    # Forked pool processes inherit the patched clock.
    time_machine.travel(target, tick=True).start()


if __name__ == "__main__":
    shift()
    program, *args = sys.argv[1:]
    if program != "celery":
        sys.exit("only celery can be run shifted")
    from celery.__main__ import main

    sys.argv = ["celery", *args]
    sys.exit(main())
