#!/bin/sh
# Run once by the postgres image when it initializes the primary's data directory (docker-entrypoint-initdb.d):
# lets the compose file's read replica (`--profile replica`) stream from it with the same password.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
