"""Counters the security suites fill in as they run; tests/security/conftest.py prints them."""

from collections import Counter

examples = Counter()
server_errors = 0
rows_from_invalid_input = 0

# One line per phase-2 suite (access matrix, hostile uploads, injection), set by the test that
# counted it, printed as is.
reports = {}

# The abuse limits' figures (test_abuse_limits.py), printed as one line.
throttles = {}
