#!/usr/bin/env bash
# End-to-end test of Sluice on a real standalone Flink cluster, no Flink tarball needed:
#
#   1. the Amp dev server, a JobManager and a TaskManager as separate JVMs (classpath from Maven
#      Central jars, configuration = conf/config.yaml with ports and directories overridden);
#   2. `flink run -d sync-job.jar` (through deploy/docker/submit.sh, as docker compose does) of
#      blocks, transactions and logs while a miner extends the chain with reorgs;
#   3. `kill -9` of the TaskManager mid-run, a new TaskManager, restore from the last checkpoint;
#   4. the target equals the canonical chain exactly (row counts and MD5 of /chain/digest);
#   5. `flink stop --savepointPath`, a reorg of already synced blocks while the job is down,
#      `flink run -s <savepoint> -p 2` (parallelism 1 -> 2), more blocks and reorgs;
#   6. the exact comparison again, no prepared transaction left, and the job's metrics on the
#      TaskManager's Prometheus endpoint.
#
# Usage (from anywhere):
#   DATABASE_URL=postgresql://user:password@localhost:5432/empty_db deploy/e2e/run.sh
# The database must be empty and its server must have max_prepared_transactions > 0. Build first:
#   mvn -B -ntp -q package -DskipTests -pl job -am            # job/target/sync-job.jar
#   mvn -B -ntp -q generate-test-resources -pl e2e -am        # e2e/target/flink-cluster.classpath
# `mvn -pl e2e -am verify` does all of it with an embedded PostgreSQL (StandaloneClusterITCase).
#
# Optional: SLUICE_JAR, FLINK_CLASSPATH_FILE, E2E_WORK_DIR (kept afterwards: logs of every
# process in log/). Needs bash, java 17 (with javac). Every wait is bounded; on exit every
# process this script started is stopped, by PID.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/e2e/cluster.sh
source "$here/cluster.sh"

submit() { # [flink run options] -> sets job_id
  local out
  out=$(FLINK_RUN_ARGS="$*" "$here/../docker/submit.sh" 2>&1) || die "submit failed: $out"
  echo "$out" >>"$work/log/submit.out"
  job_id=$(sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' <<<"$out" | tail -n 1)
  [[ -n "$job_id" ]] || die "no JobID in the flink run output: $out"
  log "submitted job $job_id ($*)"
}

# --- 1. dev server, JobManager, TaskManager --------------------------------------------------
start_cluster _/anvil@latest 2000

# --- 2. submit, sync with reorgs ---------------------------------------------------------------
export DATASET=_/anvil@latest TABLES=blocks,transactions,logs \
  AMP_FLIGHT_ADDR=http://127.0.0.1:$flight_port CHECKPOINT_INTERVAL=1s PARALLELISM=1
submit -p 1
start_miner
check wait-job "$rest" "$job_id" RUNNING 120
check wait-checkpoints "$rest" "$job_id" 3 60

# --- 3. kill -9 the TaskManager mid-run, start a new one ---------------------------------------
kill_taskmanager taskmanager-1
start_taskmanager taskmanager-2 "$prom_tm2"
t_kill=$SECONDS
check wait-job "$rest" "$job_id" RUNNING 120
check wait-checkpoints "$rest" "$job_id" 2 90 restored
log "recovered in $((SECONDS - t_kill)) s"
sleep 4

# --- 4. exact comparison ---------------------------------------------------------------------
stop_miner
check wait-digest "$DATABASE_URL" "$admin" blocks,transactions,logs 90
check wait-no-prepared "$DATABASE_URL" sluice-public- 30
# Every metric deploy/grafana/sluice.json and docs/operations.md name, on the new TaskManager's
# and the JobManager's Prometheus endpoints.
prom=http://127.0.0.1:$prom_tm2/metrics
tm=flink_taskmanager_job_task
jm=flink_jobmanager_job
{
  tool check-metrics "$prom" \
    ${tm}_operator_amp_stream_currentBlock ${tm}_operator_amp_stream_currentBlockTimestamp \
    ${tm}_operator_amp_stream_lagSeconds ${tm}_operator_amp_stream_rowsPerSecond \
    ${tm}_operator_amp_stream_reorgs ${tm}_operator_amp_stream_lastRollbackDepth \
    ${tm}_operator_amp_stream_reconnects ${tm}_operator_openPreparedTransactions \
    ${tm}_operator_lastCommitLatencyMs ${tm}_operator_lastPrepareLatencyMs \
    ${tm}_operator_numRecordsSend ${tm}_operator_copyTimeMs ${tm}_backPressuredTimeMsPerSecond &&
    tool check-metrics "http://127.0.0.1:$prom_jm/metrics" \
      ${jm}_uptime ${jm}_lastCheckpointDuration ${jm}_lastCheckpointSize \
      ${jm}_numberOfFailedCheckpoints ${jm}_numRestarts
} >"$work/log/metrics.out" 2>&1 || die "metrics: $(cat "$work/log/metrics.out")"
log "metrics present on the TaskManager and JobManager endpoints"

# --- 5. stop with a savepoint, reorg while down, resume with parallelism 2 --------------------
stop_out=$(flink stop --savepointPath "file://$work/savepoints" "$job_id" 2>&1) ||
  die "flink stop failed: $stop_out"
savepoint=$(sed -n 's/.*Savepoint completed\. Path: \([^ ]*\).*/\1/p' <<<"$stop_out" | tail -n 1)
[[ -n "$savepoint" ]] || die "no savepoint path in: $stop_out"
log "stopped with savepoint $savepoint"
check wait-job "$rest" "$job_id" FINISHED 60
first_job=$job_id
# Replace the last 5 blocks, all synced and committed, with a longer fork: the resumed job must
# roll them back first.
log "reorg of synced blocks while the job is down:"
check reorg "$admin" 5 3

PARALLELISM=2 SAVEPOINT=$savepoint submit -p 2
[[ "$job_id" != "$first_job" ]] || die "resubmission returned the old job"
check wait-job "$rest" "$job_id" RUNNING 120
check wait-checkpoints "$rest" "$job_id" 2 60 restored
start_miner
sleep 6
stop_miner

# --- 6. exact comparison again ----------------------------------------------------------------
check wait-digest "$DATABASE_URL" "$admin" blocks,transactions,logs 90
check wait-no-prepared "$DATABASE_URL" sluice-public- 30
flink cancel "$job_id" >>"$work/log/submit.out" 2>&1 || die "flink cancel failed"
log "PASSED"
