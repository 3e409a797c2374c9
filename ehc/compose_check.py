"""Check what the compose schema cannot: docker-compose.yml runs project code that exists and loads.

    python -m ehc.compose_check [docker-compose.yml]      # .ci/run, after check-jsonschema
    python -m ehc.compose_check --profile replica --env DATABASE_REPLICA_URL=postgresql://... docker-compose.yml

Only the services a `docker compose up` would run are checked: those without `profiles`, and those of
a profile given with --profile. A dependency on a service of a profile not given must be marked
`required: false`. --env NAME=VALUE gives a ${NAME} the value a deployment would set.

For each service built from the project's own image, the command it runs must resolve in this
checkout under that service's own environment (the gunicorn `module:attribute`, the Celery `-A`
application, the `manage.py` command). Dependencies and named volumes must be declared, a
`service_healthy` dependency must have a healthcheck, and every `build` must have its Dockerfile.
Services run from a third-party image (PostgreSQL, Redis, a mail sink, a proxy, a virus scanner)
are checked only for those references: their image's own command is not the project's to verify.

No Docker engine is needed, so CI can run it; the image itself is not built here.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Values for compose's required variables (${NAME:?message}) while checking: long enough to pass
# the settings' own checks (DJANGO_SECRET_KEY needs 50+ characters) and safe inside a URL.
PLACEHOLDER = "compose-check-placeholder-" + "x" * 40


def say(message):
    print(f"[compose-check] {message}", file=sys.stderr, flush=True)


def _interpolate(value, given=None):
    """Resolve compose's ${NAME}, ${NAME:-default} and ${NAME:?error} as a deployment would (`given`:
    the values it sets)."""

    def replace(match):
        if given and match.group(1) in given:
            return given[match.group(1)]
        op, arg = match.group(2), match.group(3) or ""
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            return PLACEHOLDER
        return ""

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}", replace, str(value))


def _service_env(service, given=None):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: _interpolate("" if value is None else value, given) for key, value in environment.items()}


def _probe(code, env):
    """Run `code` in a fresh interpreter with only the service's environment; return an error or None."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["(no output)"])[-1]
    return None


def _check_command(argv, env):
    """Errors for one service command: each program it names must resolve in this project."""
    if not argv:
        return ["has no command (an application service must say what it runs)"]
    program, rest = Path(argv[0]).name, argv[1:]
    if program == "gunicorn":
        targets = [arg for arg in rest if not arg.startswith("-") and ":" in arg]
        if not targets:
            return ["gunicorn is given no module:attribute to serve"]
        module, _, attr = targets[0].partition(":")
        error = _probe(f"import importlib; getattr(importlib.import_module({module!r}), {attr!r})", env)
        errors = [f"gunicorn target {targets[0]} does not load: {error}"] if error else []
        for arg in rest:
            if arg.startswith("--config=python:"):
                config = arg.removeprefix("--config=python:")
                error = _probe(f"import importlib; importlib.import_module({config!r})", env)
                errors += [f"gunicorn config {config} does not load: {error}"] if error else []
        return errors
    if program == "celery":
        app = next((rest[i + 1] for i, arg in enumerate(rest[:-1]) if arg in ("-A", "--app")), None)
        if app is None:
            return ["celery is given no -A application"]
        error = _probe(f"from celery.app.utils import find_app; find_app({app!r})", env)
        return [f"celery application {app} does not load: {error}"] if error else []
    if program.startswith("python") and rest[:1] == ["manage.py"]:
        if not (ROOT / "manage.py").exists():
            return ["manage.py does not exist"]
        if len(rest) < 2:
            return ["manage.py is given no command"]
        command = rest[1]
        error = _probe(
            # As manage.py does before it loads any command.
            "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ehc.settings'); "
            "import django; django.setup(); from django.core.management import get_commands; "
            f"assert {command!r} in get_commands(), 'no management command {command}'",
            env,
        )
        return [f"manage.py {command} does not load: {error}"] if error else []
    return [f"runs {program!r}, which this check does not know how to verify; use gunicorn, celery or manage.py"]


def _active(service, profiles):
    own = service.get("profiles") or []
    return not own or bool(set(own) & set(profiles))


def _references(name, service, services, declared_volumes, profiles=()):
    """Errors in what a service refers to: the services it waits for and the volumes it mounts."""
    errors = []
    depends_on = service.get("depends_on") or {}
    for dependency in depends_on:
        if dependency not in services:
            errors.append(f"{name}: depends on unknown service {dependency}")
        elif not _active(services[dependency], profiles):
            if not isinstance(depends_on, dict) or (depends_on[dependency] or {}).get("required", True):
                shown = ", ".join(services[dependency]["profiles"])
                errors.append(
                    f"{name}: depends on {dependency}, which runs only with profile {shown}, without required: false"
                )
        elif isinstance(depends_on, dict):
            condition = (depends_on[dependency] or {}).get("condition")
            if condition == "service_healthy" and "healthcheck" not in services[dependency]:
                errors.append(f"{name}: waits for {dependency} to be healthy, but it has no healthcheck")
    for volume in service.get("volumes") or []:
        source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
        if source and not source.startswith((".", "/", "~")) and source not in declared_volumes:
            errors.append(f"{name}: uses volume {source}, which is not declared")
    return errors


def check_compose(path, profiles=(), given=None):
    """Every error found in the compose file at `path` run with `profiles` and the variables `given`;
    an empty list when it is sound."""
    from ruamel.yaml import YAML

    compose = YAML(typ="safe").load(Path(path).read_text())
    services = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())
    errors = []
    for name, service in services.items():
        if not _active(service, profiles):
            continue
        errors += _references(name, service, services, declared_volumes, profiles)
        if "build" not in service:
            if "image" not in service:
                errors.append(f"{name}: has neither build nor image")
            continue
        build = service["build"]
        context = (ROOT / (build if isinstance(build, str) else build.get("context", "."))).resolve()
        dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
        if not dockerfile.exists():
            shown = dockerfile.relative_to(ROOT) if dockerfile.is_relative_to(ROOT) else dockerfile
            errors.append(f"{name}: {shown} does not exist")
        command = service.get("command")
        if context != ROOT and command is None:
            # An image of its own (a proxy with its configuration baked in): it runs its own command.
            continue
        if isinstance(command, str):
            errors.append(f"{name}: give command as a list, not a shell string, so it can be checked")
            continue
        say(f"service {name}: {shlex.join(command or [])}")
        env = _service_env(service, given)
        errors += [f"{name}: {error}" for error in _check_command(list(command or []), env)]
    return errors


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ehc.compose_check")
    parser.add_argument("--profile", action="append", default=[], help="a compose profile to run as well")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a variable a deployment sets")
    parser.add_argument("file", nargs="?", default="docker-compose.yml")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if any("=" not in item for item in args.env):
        parser.error("--env takes NAME=VALUE")
    path = ROOT / args.file
    errors = check_compose(path, profiles=args.profile, given=dict(item.split("=", 1) for item in args.env))
    for error in errors:
        print(f"{path.name}: {error}", file=sys.stderr)
    if errors:
        return 1
    with_profiles = f" (profiles: {', '.join(args.profile)})" if args.profile else ""
    say(f"{path.name}{with_profiles}: every service's command refers to code that exists and loads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
