#!/usr/bin/env bash
# Trains victims one after the other, each resumable from its last epoch checkpoint, so that a queue stopped with its
# session continues where it was when started again (issue 11.8):
#   STEALBENCH_CACHE_DIR=/work/.stealbench-cache nohup nice -n 19 benchmark/victims/train-queue.sh \
#     simclr-fmnist@next simclr-fmnist-independent-3 > /work/.stealbench-cache/logs/queue-a.log 2>&1 &
# `<id>@next` trains the victim's `next` recipe (`train-victim <id> --next --resume`), `<id>` its recipe. A finished
# victim is found in the cache and skipped in seconds. A failed run is retried twice (a checkout being edited may fail
# to load), then the queue moves on; the exit status says whether every victim finished.
set -u
cd "$(dirname "$0")/../.."
: "${STEALBENCH_CACHE_DIR:?set STEALBENCH_CACHE_DIR to where checkpoints and finished victims go}"
status=0
for entry in "$@"; do
  id="${entry%@next}"
  flags=(--resume)
  [ "$entry" != "$id" ] && flags+=(--next)
  done_ok=0
  for attempt in 1 2 3; do
    echo "=== $(date -u +%FT%TZ) train-victim $id ${flags[*]} (attempt $attempt)"
    if npx stealbench train-victim "$id" "${flags[@]}"; then done_ok=1; break; fi
    sleep 60
  done
  [ "$done_ok" = 1 ] || { echo "=== $(date -u +%FT%TZ) $id failed 3 times; moving on"; status=1; }
done
echo "=== $(date -u +%FT%TZ) queue finished (status $status)"
exit $status
