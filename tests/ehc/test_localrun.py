"""`make test|bench|manage ARGS=...` pass their arguments on untouched (ehc.localrun)."""

import pytest

from ehc.localrun import parse_args


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
