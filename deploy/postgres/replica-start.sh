#!/bin/bash
# The streaming replica's start (docker-compose.yml, profile `replica`; decision 0040). On the first
# start its empty volume is filled by pg_basebackup from the primary, which also writes
# standby.signal and primary_conninfo (--write-recovery-conf); then the official image's entrypoint
# finds a data directory (so initialises nothing) and PostgreSQL starts as a hot standby, streaming
# from the primary and answering read-only queries. To re-make it, remove its volume.
set -euo pipefail
export PGPASSWORD="${POSTGRES_REPLICATION_PASSWORD:-$POSTGRES_PASSWORD}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    # The primary is healthy before this starts (depends_on), but may still be finishing its first
    # initialisation: try again for a minute.
    for attempt in $(seq 30); do
        if gosu postgres pg_basebackup --host=postgres --username=replicator --pgdata="$PGDATA" \
            --wal-method=stream --checkpoint=fast --write-recovery-conf --progress; then
            break
        fi
        [ "$attempt" = 30 ] && { echo "pg_basebackup from the primary failed" >&2; exit 1; }
        rm -rf "${PGDATA:?}"/*
        sleep 2
    done
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
