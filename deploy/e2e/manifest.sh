#!/usr/bin/env bash
# End-to-end test of a dataset manifest followed by the JobManager of a real standalone Flink
# cluster (docs/manifests.md, "On a Flink cluster"), with the cluster of deploy/e2e/cluster.sh:
#
#   1. the Amp dev server, a JobManager and a TaskManager as separate JVMs;
#   2. a manifest (nozzle.config.ts) with tables blocks_q, txs and old_logs, each a query over
#      anvil.* selecting some columns; `flink run -d sync-job.jar sync --manifest FILE
#      --state-dir DIR …`; all three tables equal the chain exactly;
#   3. while a miner extends the chain with reorgs (after its first one), the manifest is
#      replaced: txs gets another query (more columns), logs_q is added, old_logs is removed,
#      blocks_q stays. As soon as the JobManager has planned the change, the TaskManager is
#      killed with `kill -9` and a new one started;
#   4. the same job (same job id, the only one on the cluster) is RUNNING; txs has its new
#      columns; blocks_q, txs and logs_q equal the chain exactly; old_logs kept its rows and no
#      longer grows; blocks_q was not re-synced; no prepared transaction is left; the job is
#      cancelled.
#
# Usage and prerequisites as deploy/e2e/run.sh (DATABASE_URL of an empty database, the job jar and
# the cluster classpath built). `mvn -pl e2e -am verify` runs it (StandaloneClusterITCase).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/e2e/cluster.sh
source "$here/cluster.sh"

# The manifest and the state directory: on the JobManager's file system (here: the same one).
manifest_dir=$work/manifest
manifest=$manifest_dir/nozzle.config.ts
state_dir=$work/manifest-state
mkdir -p "$manifest_dir"

write_manifest() { # name=sql... : replaces the manifest at once, as an editor or ConfigMap does
  local tables="" t
  for t in "$@"; do
    tables+="    ${t%%=*}: { sql: \`${t#*=}\` },"$'\n'
  done
  cat >"$manifest_dir/.edit" <<EOS
import { defineDataset } from "nozzl"

export default defineDataset(() => ({
  name: "e2e",
  version: "0.1.0",
  network: "anvil",
  dependencies: {
    anvil: { owner: "graphprotocol", name: "anvil", version: "0.1.0" },
  },
  tables: {
$tables  },
  functions: {},
}))
EOS
  mv "$manifest_dir/.edit" "$manifest"
  log "manifest: $(grep -c ' sql: ' "$manifest") table(s): ${*%%=*}"
}
blocks_q='blocks_q=SELECT block_num, hash FROM anvil.blocks'

# --- 1. dev server, JobManager, TaskManager --------------------------------------------------
start_cluster graphprotocol/anvil@0.1.0 300

# --- 2. submit with a manifest, sync exactly ---------------------------------------------------
write_manifest "$blocks_q" \
  'txs=SELECT tx_index, tx_hash FROM anvil.transactions' \
  'old_logs=SELECT log_index, tx_hash, topic0 FROM anvil.logs'
out=$(flink run -d "$SLUICE_JAR" sync --manifest "$manifest" --state-dir "$state_dir" \
  --database-url "$DATABASE_URL" --amp-flight-addr "http://127.0.0.1:$flight_port" \
  --checkpoint-interval 1s --parallelism 1 2>&1) || die "flink run failed: $out"
echo "$out" >>"$work/log/submit.out"
job_id=$(sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' <<<"$out" | tail -n 1)
[[ -n "$job_id" ]] || die "no JobID in the flink run output: $out"
log "submitted manifest job $job_id"
check wait-job "$rest" "$job_id" RUNNING 120
check wait-digest "$DATABASE_URL" "$admin" blocks:blocks_q,transactions:txs,logs:old_logs 90

# --- 3. edit the manifest while mining with reorgs; kill -9 the TaskManager mid-change ---------
# The transaction ids of blocks_q's first rows: an unchanged table is never re-synced.
blocks_xmin_sql='SELECT min(xmin::text::bigint) FROM blocks_q WHERE _block_num < 10'
blocks_xmin=$(tool sql "$DATABASE_URL" "$blocks_xmin_sql")
start_miner
check wait-checkpoints "$rest" "$job_id" 2 60
wait_for_reorg() { # the miner's first reorg, bounded
  for _ in $(seq 1 120); do
    grep -q '^reorg #' "$work/log/miner.out" && return 0
    sleep 0.25
  done
  die "the miner made no reorg within 30 s"
}
wait_for_reorg
log "the chain reorganized: $(grep '^reorg #' "$work/log/miner.out" | tail -n 1)"
write_manifest "$blocks_q" \
  'txs=SELECT tx_index, tx_hash, "from", "to" FROM anvil.transactions' \
  'logs_q=SELECT log_index, tx_hash, topic0, address FROM anvil.logs'
# The JobManager records a planned change's tables in the state directory.
for _ in $(seq 1 120); do
  grep -q '"logs_q"' "$state_dir/manifest-tables.json" 2>/dev/null && break
  sleep 0.25
done
grep -q '"logs_q"' "$state_dir/manifest-tables.json" ||
  die "the JobManager did not plan the change within 30 s:" \
    "$(cat "$state_dir/manifest-error.txt" 2>/dev/null)"
log "the JobManager planned the change"
kill_taskmanager taskmanager-1
start_taskmanager taskmanager-2 "$prom_tm2"
check wait-job "$rest" "$job_id" RUNNING 120
check wait-checkpoints "$rest" "$job_id" 1 90 restored
check wait-column "$DATABASE_URL" txs from 90
# The change as the JobManager planned it (ManifestStreamDiscovery logs one line per table).
planned=$(grep -A4 'ManifestStreamDiscovery.*changed; syncing now' "$work/log/jobmanager.log" |
  tail -n 4 | awk '{printf "%s %s, ", $1, $2}')
[[ "$planned" == "blocks_q KEPT, txs CHANGED, logs_q ADDED, old_logs REMOVED, " ]] ||
  die "the JobManager's log does not show the planned change; it shows: '$planned'"
log "the JobManager's log shows the change: $planned"
# Where the kill landed (timing, so only reported): twice means the readers restored from a
# checkpoint taken before the change confirmed the stop again before txs' new stream started.
log "the JobManager saw txs' old stream stopped on every reader" \
  "$(grep -c 'removed streams of table txs stopped on every reader' "$work/log/jobmanager.log")" \
  "time(s); $(grep -o 'Tables .* drained after checkpoint [0-9]*' "$work/log/jobmanager.log")"
count_old_logs() { tool sql "$DATABASE_URL" 'SELECT count(*) FROM old_logs'; }
old_logs=$(count_old_logs)
log "old_logs has $old_logs rows once the change is committed"
sleep 3

# --- 4. the same job, exact tables, the removed one frozen -------------------------------------
stop_miner
check only-job "$rest" "$job_id"
check wait-digest "$DATABASE_URL" "$admin" blocks:blocks_q,transactions:txs,logs:logs_q 90
now=$(count_old_logs)
[[ "$now" == "$old_logs" ]] || die "the removed table old_logs grew from $old_logs to $now rows"
chain_logs=$(tool digest-rows "$admin" logs)
((old_logs < chain_logs)) || die "old_logs ($old_logs rows) is not behind the chain ($chain_logs)"
log "removed table old_logs kept $old_logs rows (the chain has $chain_logs logs)"
[[ "$(tool sql "$DATABASE_URL" "$blocks_xmin_sql")" == "$blocks_xmin" ]] ||
  die "the unchanged table blocks_q was re-synced (its first rows were written again)"
log "unchanged table blocks_q not re-synced;" \
  "$(grep -c '^reorg #' "$work/log/miner.out") reorgs mined"
check only-job "$rest" "$job_id"
check wait-no-prepared "$DATABASE_URL" sluice 30
flink cancel "$job_id" >>"$work/log/submit.out" 2>&1 || die "flink cancel failed"
check wait-job "$rest" "$job_id" CANCELED 60
log "PASSED"
