#!/bin/sh
# Starts workerd for the bench with as many open files as the OS allows. Miniflare runs the
# program named by MINIFLARE_WORKERD_PATH instead of its own workerd (bench/lib/targets.ts
# points it here, and names the real binary in BENCH_REAL_WORKERD).
#
# Why: in local workerd every live Durable Object keeps its SQLite database open, 3 files
# each (db, -wal, -shm), so the reconcile phase's 10 000 users need ~30 000 descriptors.
# At the usual limit workerd runs out (accept() and open() fail) and stops answering
# anything. 65536 works where the hard limit allows it (root with CAP_SYS_RESOURCE);
# otherwise the soft limit goes up to the hard one and the phase measures as many users
# as fit (bench/phases/reconcile.ts reads the limit back from /proc/<pid>/limits).
# `exec` keeps the pid, so Miniflare's SIGKILL and the bench's /proc lookups reach workerd.
if [ -z "$BENCH_REAL_WORKERD" ]; then
  echo "workerd-nofile.sh: BENCH_REAL_WORKERD (the real workerd binary) is not set" >&2
  exit 127
fi
ulimit -n 65536 2>/dev/null || ulimit -S -n "$(ulimit -H -n)" 2>/dev/null || true
exec "$BENCH_REAL_WORKERD" "$@"
