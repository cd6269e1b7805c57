#!/usr/bin/env bash
# Ingest through the job queue with W worker processes, against one `ingest -j C` process on the
# same files: wall time, tracks stored, and each process's peak RSS. Needs Redis and PostgreSQL
# (scratch databases are created and dropped) and the built CLI (`npm run build`).
#
#   bash bench/queue-workers.sh FOLDER [WORKERS] [PROFILE]
#
# WORKERS defaults to 3, PROFILE to full. ADMIN_URL (default
# postgresql://postgres@127.0.0.1:5432/test) names a server where databases may be created;
# REDIS_URL (default redis://127.0.0.1:6379) the Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:?usage: bash bench/queue-workers.sh FOLDER [WORKERS] [PROFILE]}
workers=${2:-3}
profile=${3:-full}
admin=${ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}
redis=${REDIS_URL:-redis://127.0.0.1:6379}
cores=$(nproc)
cli=(node dist/cli/main.js)
tag="bench_queue_$$"
queue="$tag"
db_url() { local u=${admin%/*}; echo "$u/$1"; }
cleanup() {
  for db in "${tag}_queue" "${tag}_ingest"; do
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
for db in "${tag}_queue" "${tag}_ingest"; do psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null; done
files=$(find "$folder" -type f | wc -l)
echo "queue-workers: $files files in $folder, profile $profile, $cores cores"

# Peak RSS (KiB) and CPU seconds (user + system) of a command, written to the file named first.
rss() { /usr/bin/time -f '%M %U %S' -o "$1" "${@:2}"; }
# "peak RSS N MiB, CPU S s" from such a file.
usage() { awk '{ printf "peak RSS %d MiB, CPU %.1f s", $1 / 1024, $2 + $3 }' "$1"; }

"${cli[@]}" queue add "$folder" --queue "$queue" --redis "$redis" >/dev/null
# The catalogue is migrated once before the workers start, as a deployment would.
"${cli[@]}" queue status --queue "$queue" --redis "$redis"
tmp=$(mktemp -d)
start=$(date +%s.%N)
for w in $(seq 1 "$workers"); do
  rss "$tmp/rss-$w" "${cli[@]}" queue work --exit-when-drained --profile "$profile" \
    --queue "$queue" --redis "$redis" --catalog "$(db_url "${tag}_queue")" >"$tmp/worker-$w.log" 2>&1 &
done
wait
queue_wall=$(echo "$(date +%s.%N) - $start" | bc)
queue_tracks=$(psql -tAq "$(db_url "${tag}_queue")" -c 'select count(*) from tracks')
echo "queue, $workers workers: $queue_wall s wall, $queue_tracks tracks, $(echo "scale=3; $queue_wall / $queue_tracks" | bc) s a track"
for w in $(seq 1 "$workers"); do echo "  worker $w: $(usage "$tmp/rss-$w")"; done
"${cli[@]}" queue status --queue "$queue" --redis "$redis"

start=$(date +%s.%N)
rss "$tmp/rss-ingest" "${cli[@]}" ingest "$folder" --profile "$profile" -j "$cores" \
  --catalog "$(db_url "${tag}_ingest")" >"$tmp/ingest.log" 2>&1
ingest_wall=$(echo "$(date +%s.%N) - $start" | bc)
ingest_tracks=$(psql -tAq "$(db_url "${tag}_ingest")" -c 'select count(*) from tracks')
echo "ingest -j $cores: $ingest_wall s wall, $ingest_tracks tracks, $(echo "scale=3; $ingest_wall / $ingest_tracks" | bc) s a track, $(usage "$tmp/rss-ingest")"
rm -rf "$tmp"
