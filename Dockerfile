# One image for every application role in docker-compose.yml: web (gunicorn), worker, beat and
# the one-off migrate service. Only the command differs.
# Bookworm is named so the system package names below stay valid when the default Debian moves on.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders the escalation letters to PDF through Pango and HarfBuzz; without fonts the
# letters would come out with missing glyphs rather than fail.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from pyproject.toml only, so that code changes reuse this layer. The local
# and dev extras (embedded servers, test tools) are not for production.
COPY pyproject.toml ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are baked into the image and served by WhiteNoise. Settings refuse to load without
# these variables; nothing is connected to here, so build-only values are enough.
RUN DJANGO_SECRET_KEY=build-time-only-collectstatic-never-used-to-sign-anything \
    DATABASE_URL=postgresql://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0

# Run unprivileged. var/ holds the private uploads volume and beat's schedule; creating them here
# makes a fresh named volume inherit this ownership.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p var/private var/beat \
    && chown -R app:app var
USER app

EXPOSE 8000
CMD ["gunicorn", "--config=python:ehc.gunicorn_conf", "ehc.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
