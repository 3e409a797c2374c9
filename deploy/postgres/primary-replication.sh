#!/bin/bash
# The primary's side of the streaming replica (docker-compose.yml, profile `replica`; decision 0040).
# Run by the official image from /docker-entrypoint-initdb.d on the first start of an empty volume.
# On a volume made before, run it once by hand (it is idempotent):
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/replication.sh
# A role that may only stream (REPLICATION, no table rights), allowed in from the compose network by
# password, and WAL kept for a replica that was down a while (a slot would keep it for ever).
set -euo pipefail
password="${POSTGRES_REPLICATION_PASSWORD:-$POSTGRES_PASSWORD}"
line="host replication replicator all scram-sha-256"
grep -qxF "$line" "$PGDATA/pg_hba.conf" || echo "$line" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v password="$password" <<'SQL'
SELECT 'CREATE ROLE replicator' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator')\gexec
ALTER ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
ALTER SYSTEM SET wal_keep_size = '1GB';
SELECT pg_reload_conf();
SQL
