"""The figures the suite prints at its end: the security suites' checks and counts, the page states
axe checked, the caseload import's time.

`make test` runs the suite on pytest-xdist's workers, and a worker's output is not shown: each
worker hands its figures to the controller as it finishes (`workeroutput`), the controller adds
them to its own (none, under xdist; all of them when run with `-n 0`) and prints them once, from
tests/conftest.py. The checks are counted from the test reports the controller receives, so the
summary cannot claim more than ran.
"""

from collections import Counter

from tests.browser.axe import ACCEPTED_PATTERN, LEDGER
from tests.security import figures

# Which suite each security test file reports under.
SECURITY_SUITES = {
    "test_mfa.py": "MFA",
    "test_lockout.py": "login throttling",
    "test_abuse_limits.py": "abuse-limit",
    "test_sessions.py": "session",
    "test_headers.py": "header",
    "test_deploy_check.py": "deploy-setting",
    "test_audit.py": "audit",
    "test_dates_and_forms.py": "dates-and-forms",
    "test_access_matrix.py": "access matrix",
    "test_api_matrix.py": "API access matrix",
    "test_admin_scope.py": "admin scope",
    "test_need_to_know.py": "need-to-know",
    "test_sharing.py": "case sharing",
    "test_denied_cost.py": "denied-equals-missing",
    "test_hostile_uploads.py": "hostile uploads",
    "test_injection.py": "injection",
}

# Lines a test sets by name (e.g. the caseload import's time), printed as they are.
lines = {}
# Set by tests/browser/conftest.py when the browser tests cannot run.
browser_skip_reason = None

_outcomes = Counter()
# What the workers handed over (empty when the suite ran in one process).
_from_workers = {
    "examples": Counter(),
    "server_errors": 0,
    "rows_from_invalid_input": 0,
    "reports": {},
    "lines": {},
    "axe_states": 0,
    "axe_violations": 0,
    "axe_accepted": 0,
    "browser_skip_reason": None,
}


def count_outcome(report):
    """A security test's outcome, counted where the reports arrive (the controller, under xdist)."""
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    if "/security/" not in "/" + report.nodeid.split("::")[0]:
        return
    suite = SECURITY_SUITES.get(report.nodeid.split("::")[0].rsplit("/", 1)[-1])
    if suite is not None:
        _outcomes[(suite, report.outcome)] += 1


def worker_output():
    """This process's figures, as plain data execnet can carry."""
    return {
        "examples": dict(figures.examples),
        "server_errors": figures.server_errors,
        "rows_from_invalid_input": figures.rows_from_invalid_input,
        "reports": dict(figures.reports),
        "lines": dict(lines),
        "axe_states": len(LEDGER.checked),
        "axe_violations": LEDGER.violation_count,
        "axe_accepted": LEDGER.accepted_nodes,
        "browser_skip_reason": browser_skip_reason,
    }


def merge(data):
    """Adds one worker's figures to those of the workers before it."""
    into = _from_workers
    into["examples"].update(data["examples"])
    for count in ("server_errors", "rows_from_invalid_input", "axe_states", "axe_violations", "axe_accepted"):
        into[count] += data[count]
    # Each of these is set by one test, which ran on one worker.
    into["reports"].update(data["reports"])
    into["lines"].update(data["lines"])
    into["browser_skip_reason"] = into["browser_skip_reason"] or data["browser_skip_reason"]


def summary_lines():
    """(text, is_bad) pairs for the terminal summary: this process's figures and the workers'."""
    mine = worker_output()
    theirs = _from_workers
    out = []

    parts = []
    for suite in dict.fromkeys(SECURITY_SUITES.values()):
        passed, failed = _outcomes[(suite, "passed")], _outcomes[(suite, "failed")]
        if passed or failed:
            parts.append(f"{passed} {suite} checks passed" + (f" ({failed} failed)" if failed else ""))
    if parts:
        out.append(("security: " + ", ".join(parts), any(_outcomes[(s, "failed")] for s in SECURITY_SUITES.values())))

    examples = Counter(mine["examples"]) + theirs["examples"]
    if examples:
        detail = ", ".join(f"{count} {what}" for what, count in sorted(examples.items()))
        errors = mine["server_errors"] + theirs["server_errors"]
        rows = mine["rows_from_invalid_input"] + theirs["rows_from_invalid_input"]
        out.append(
            (
                f"security: dates and forms: {sum(examples.values())} generated examples ({detail}); "
                f"{errors} server errors; {rows} rows created from invalid input",
                bool(errors or rows),
            )
        )
    for line in {**theirs["reports"], **mine["reports"]}.values():
        out.append((f"security: {line}", False))

    skipped = mine["browser_skip_reason"] or theirs["browser_skip_reason"]
    states = mine["axe_states"] + theirs["axe_states"]
    if skipped:
        out.append((f"browser tests skipped: {skipped}", True))
    elif states:
        violations = mine["axe_violations"] + theirs["axe_violations"]
        accepted = mine["axe_accepted"] + theirs["axe_accepted"]
        line = f"axe: {states} page states checked, {violations} violations"
        if accepted:
            line += f" (accepted on {accepted} elements: {ACCEPTED_PATTERN})"
        out.append((line, bool(violations)))

    for line in {**theirs["lines"], **mine["lines"]}.values():
        out.append((line, False))
    return out
