#!/usr/bin/env bash
# Restore a backup into a fresh store and prove it good (docs/operations.md):
#   1. openness restore BACKUP           (refuses a store that already exists)
#   2. openness rebuild <service>        (checks the chain, then replays every event into fresh
#                                         read models)
#   3. openness serve <service>, then
#      openness audit verify <url> --previous-checkpoint BACKUP/<service>.checkpoint
#      (from the public endpoints, as an auditor would: every link and the Merkle root check, and
#      the restored log extends what it had signed when the backup was taken)
# The target store and ports come from the environment as for every openness command
# (OPENNESS_DATA_DIR or OPENNESS_DATABASE_URL and OPENNESS_DATABASE_SCHEMA_PREFIX,
# OPENNESS_<SERVICE>_PORT). Exit 0: restored and proved; otherwise the step that failed says why.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/manifest.json" ]; then
    echo "usage: $0 BACKUP_DIR (a directory written by openness backup)" >&2
    exit 2
fi
backup=$1
openness=${OPENNESS:-openness}
python=$(dirname "$(command -v "$openness")")/python
[ -x "$python" ] || python=python3

services=$("$python" -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["services"]))' \
    "$backup/manifest.json")
pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT

echo "== restore $backup"
"$openness" restore "$backup"

for service in $services; do
    echo "== rebuild $service"
    "$openness" rebuild "$service"
done

for service in $services; do
    OPENNESS_FOLLOW=false "$openness" serve "$service" &
    pids+=($!)
done

for service in $services; do
    url=$("$python" -c 'import sys; from shared.settings import get_settings; print(get_settings().url_of(sys.argv[1]))' \
        "$service")
    for _ in $(seq 1 120); do
        if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=1)' \
            "$url" 2>/dev/null; then
            break
        fi
        sleep 0.5
    done
    echo "== verify $service at $url"
    "$openness" audit verify "$url/$service" --previous-checkpoint "$backup/$service.checkpoint"
done
echo "restore drill passed: $services"
