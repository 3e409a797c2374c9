"""The docker-compose.yml check (.ci/run): references between services, and which services it asks
to run project code. The command probes themselves (a fresh interpreter per service) are exercised by
CI on the real file."""

import textwrap

from ehc.compose_check import ROOT, check_compose, main


def write(tmp_path, text):
    path = tmp_path / "docker-compose.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_third_party_services_with_no_project_command_pass(tmp_path):
    (tmp_path / "proxy").mkdir()
    (tmp_path / "proxy" / "Dockerfile").write_text("FROM caddy:2\n")
    path = write(
        tmp_path,
        f"""
        services:
          postgres:
            image: postgres:16
            healthcheck: {{test: ["CMD", "pg_isready"]}}
          clamav:
            image: clamav/clamav:1.4
            volumes: [clamav-db:/var/lib/clamav]
          nginx:
            image: nginx:1.27
            volumes: ["./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
            depends_on: {{postgres: {{condition: service_healthy}}, clamav: {{condition: service_started}}}}
          caddy:
            build: {tmp_path / "proxy"}
        volumes:
          clamav-db:
        """,
    )
    assert check_compose(path) == []


def test_broken_references_are_each_reported(tmp_path):
    path = write(
        tmp_path,
        """
        services:
          redis:
            image: redis:7
          web:
            image: nginx:1.27
            depends_on: {redis: {condition: service_healthy}, postgres: {condition: service_started}}
            volumes: [undeclared:/data]
          orphan:
            restart: always
        """,
    )
    assert check_compose(path) == [
        "web: waits for redis to be healthy, but it has no healthcheck",
        "web: depends on unknown service postgres",
        "web: uses volume undeclared, which is not declared",
        "orphan: has neither build nor image",
    ]


def test_the_project_image_must_say_what_it_runs_as_a_list(tmp_path, capsys):
    path = write(
        tmp_path,
        f"""
        services:
          web:
            build: {ROOT}
            command: gunicorn ehc.wsgi:application
          worker:
            build: {ROOT}
          missing:
            build: {tmp_path / "nowhere"}
        """,
    )
    errors = check_compose(path)
    assert errors[:2] == [
        "web: give command as a list, not a shell string, so it can be checked",
        "worker: has no command (an application service must say what it runs)",
    ]
    assert errors[2].startswith("missing: ") and errors[2].endswith("Dockerfile does not exist")
    assert main([str(path)]) == 1
    assert "worker: has no command" in capsys.readouterr().err


def test_a_profiles_services_are_checked_only_with_it_and_others_may_wait_for_them_only_if_not_required(tmp_path):
    path = write(
        tmp_path,
        """
        services:
          postgres:
            image: postgres:16
            healthcheck: {test: ["CMD", "pg_isready"]}
          postgres-replica:
            image: postgres:16
            profiles: [replica]
            depends_on: {postgres: {condition: service_healthy}, ghost: {condition: service_started}}
          web:
            image: web:1
            depends_on:
              postgres: {condition: service_healthy}
              postgres-replica: {condition: service_started, required: false}
          worker:
            image: web:1
            depends_on: [postgres-replica]
        """,
    )
    assert check_compose(path) == [
        "worker: depends on postgres-replica, which runs only with profile replica, without required: false"
    ]
    assert check_compose(path, profiles=["replica"]) == ["postgres-replica: depends on unknown service ghost"]


def test_a_variable_a_deployment_sets_reaches_the_services_settings(tmp_path):
    path = write(
        tmp_path,
        f"""
        services:
          web:
            build: {ROOT}
            environment:
              DATABASE_URL: postgresql://ehc:x@postgres:5432/ehc
              REDIS_URL: redis://redis:6379/0
              DJANGO_SECRET_KEY: ${{DJANGO_SECRET_KEY:?set it}}
              DJANGO_ALLOWED_HOSTS: localhost
              DATABASE_REPLICA_URL: ${{DATABASE_REPLICA_URL:-}}
            command: ["gunicorn", "ehc.wsgi:application"]
        """,
    )
    assert check_compose(path) == []
    errors = check_compose(path, given={"DATABASE_REPLICA_URL": "mysql://replica/ehc"})
    assert len(errors) == 1 and "DATABASE_REPLICA_URL must be a PostgreSQL URL" in errors[0]
