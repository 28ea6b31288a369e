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
root=$(cd "$here/../.." && pwd)
SLUICE_JAR=${SLUICE_JAR:-$root/job/target/sync-job.jar}
FLINK_CLASSPATH_FILE=${FLINK_CLASSPATH_FILE:-$root/e2e/target/flink-cluster.classpath}
: "${DATABASE_URL:?set DATABASE_URL=postgresql://user:password@host:port/database (an empty database on a server with max_prepared_transactions > 0)}"
export DATABASE_URL SLUICE_JAR

t0=$SECONDS
log() { printf '[e2e %4ds] %s\n' "$((SECONDS - t0))" "$*"; }
die() { log "FAILED: $*"; exit 1; }
check() { # E2eTool command... : runs it, logs its answer, fails the run if it fails
  local out
  out=$(tool "$@" 2>&1) || die "$out"
  log "$out"
}

[[ -f "$SLUICE_JAR" ]] || die "no $SLUICE_JAR: mvn -B -ntp package -DskipTests -pl job -am"
[[ -f "$FLINK_CLASSPATH_FILE" ]] ||
  die "no $FLINK_CLASSPATH_FILE: mvn -B -ntp generate-test-resources -pl e2e -am"
cp=$(<"$FLINK_CLASSPATH_FILE")

work=${E2E_WORK_DIR:-$(mktemp -d -t sluice-e2e.XXXXXX)}
mkdir -p "$work"/{conf,log,tool,bin,checkpoints,savepoints}
work=$(cd "$work" && pwd)
pids_file=$work/pids
: >"$pids_file"
log "work dir $work"

# --- processes: started in the background, recorded in $pids_file, stopped by PID on exit ----
start_bg() { # name command...
  local name=$1
  shift
  "$@" >>"$work/log/$name.out" 2>&1 &
  echo "$! $name" >>"$pids_file"
  log "started $name (pid $!)"
  eval "pid_${name//-/_}=$!"
}
stop_pid() { # pid [signal]
  local pid=$1 sig=${2:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local code=$?
  trap - EXIT
  if [[ -n "${job_id:-}" ]] && [[ $code -ne 0 ]]; then
    flink cancel "$job_id" >/dev/null 2>&1 || true
  fi
  # Newest first: miner, TaskManagers, JobManager, dev server.
  tac "$pids_file" | while read -r pid name; do
    stop_pid "$pid"
  done
  if [[ $code -ne 0 ]]; then
    log "logs: $work/log"
    for f in "$work"/log/*.out; do
      [[ -s "$f" ]] && { echo "--- tail of $f"; tail -n 15 "$f"; }
    done
  fi
  log "exit $code after $((SECONDS - t0)) s"
  exit $code
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# --- the helper and free ports ---------------------------------------------------------------
javac -nowarn -cp "$SLUICE_JAR" -d "$work/tool" "$here/E2eTool.java"
tool() { java -cp "$work/tool:$SLUICE_JAR" E2eTool "$@"; }
read -r flight_port admin_port rpc_port rest_port prom_jm prom_tm1 prom_tm2 <<<"$(tool ports 7)"
admin=http://127.0.0.1:$admin_port
rest=http://127.0.0.1:$rest_port

# --- Flink configuration: conf/config.yaml with this run's ports and directories ------------
cp "$root/conf/config.yaml" "$root/conf/log4j.properties" "$root/conf/log4j-cli.properties" \
  "$work/conf/"
java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils \
  UPDATE_AND_GET_FLINK_CONFIGURATION --configDir "$work/conf" \
  -Djobmanager.rpc.port="$rpc_port" \
  -Drest.port="$rest_port" \
  -Dstate.checkpoints.dir="file://$work/checkpoints" \
  -Dstate.savepoints.dir="file://$work/savepoints" \
  -Dheartbeat.interval=2000 \
  -Dheartbeat.timeout=10000 \
  -Drest.flamegraph.enabled=false |
  sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' >"$work/conf/config.yaml.new"
mv "$work/conf/config.yaml.new" "$work/conf/config.yaml"
jvm_flags=$(sed -n 's/^ *all: //p' "$work/conf/config.yaml")
[[ "$jvm_flags" == *java.nio* ]] || die "env.java.opts.all not found in the configuration"
# shellcheck disable=SC2206
flags=($jvm_flags -Dsluice.e2e="$work")

# bin/flink as a Flink distribution has it: the client (CliFrontend) on the cluster classpath.
cat >"$work/bin/flink" <<EOF
#!/usr/bin/env bash
export FLINK_CONF_DIR="$work/conf"
exec java ${flags[*]} -Dlog.file="$work/log/client-\$(date +%s%N).log" \\
  -Dlog4j.configurationFile="file:$work/conf/log4j-cli.properties" \\
  -cp "$cp" org.apache.flink.client.cli.CliFrontend "\$@"
EOF
chmod +x "$work/bin/flink"
export PATH="$work/bin:$PATH"

resource_params() { # GET_JM_RESOURCE_PARAMS | GET_TM_RESOURCE_PARAMS -> line 1 JVM args, line 2 -D
  java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$work/conf" |
    sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2
}
tm_params=""
start_taskmanager() { # name prometheus-port
  local jvm dyn
  [[ -n "$tm_params" ]] || tm_params=$(resource_params GET_TM_RESOURCE_PARAMS)
  jvm=$(sed -n 1p <<<"$tm_params")
  dyn=$(sed -n 2p <<<"$tm_params")
  # shellcheck disable=SC2086
  start_bg "$1" java "${flags[@]}" $jvm -Dlog.file="$work/log/$1.log" \
    -Dlog4j.configurationFile="file:$work/conf/log4j.properties" \
    -cp "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$work/conf" $dyn -Dmetrics.reporter.prom.port="$2"
}
submit() { # [flink run options] -> sets job_id
  local out
  out=$(FLINK_RUN_ARGS="$*" "$here/../docker/submit.sh" 2>&1) || die "submit failed: $out"
  echo "$out" >>"$work/log/submit.out"
  job_id=$(sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' <<<"$out" | tail -n 1)
  [[ -n "$job_id" ]] || die "no JobID in the flink run output: $out"
  log "submitted job $job_id ($*)"
}
start_miner() {
  start_bg miner java -cp "$work/tool:$SLUICE_JAR" E2eTool mine "$admin" 150 10 4
}
stop_miner() {
  stop_pid "$pid_miner"
  log "miner stopped: $(tool head "$admin")"
}

# --- 1. dev server, JobManager, TaskManager --------------------------------------------------
# The dev server runs as in the Docker image (deploy/docker/sluice): the job jar on Flink's own
# classpath.
start_bg amp-dev-server env SLUICE_CLASSPATH="$cp" SLUICE_LOG4J_CONFIG=none \
  JAVA_OPTS="-Dsluice.e2e=$work" "$here/../docker/sluice" amp-dev-server --host 127.0.0.1 \
  --port "$flight_port" --admin-port "$admin_port" \
  --dataset _/anvil@latest --blocks 2000 --seed 7 --head-microbatch-blocks 2
jm_params=$(resource_params GET_JM_RESOURCE_PARAMS)
# shellcheck disable=SC2046
start_bg jobmanager java "${flags[@]}" $(sed -n 1p <<<"$jm_params") \
  -Dlog.file="$work/log/jobmanager.log" \
  -Dlog4j.configurationFile="file:$work/conf/log4j.properties" \
  -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
  --configDir "$work/conf" $(sed -n 2p <<<"$jm_params") \
  -Dmetrics.reporter.prom.port="$prom_jm"
start_taskmanager taskmanager-1 "$prom_tm1"
check wait-http "$admin/chain/head" 60
check wait-http "$rest/overview" 90
log "dev server and JobManager up"

# --- 2. submit, sync with reorgs ---------------------------------------------------------------
export DATASET=_/anvil@latest TABLES=blocks,transactions,logs \
  AMP_FLIGHT_ADDR=http://127.0.0.1:$flight_port CHECKPOINT_INTERVAL=1s PARALLELISM=1
submit -p 1
start_miner
check wait-job "$rest" "$job_id" RUNNING 120
check wait-checkpoints "$rest" "$job_id" 3 60

# --- 3. kill -9 the TaskManager mid-run, start a new one ---------------------------------------
{ kill -KILL "$pid_taskmanager_1" && wait "$pid_taskmanager_1"; } 2>/dev/null || true
log "killed taskmanager-1 (kill -9 $pid_taskmanager_1) at $(tool head "$admin")"
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
