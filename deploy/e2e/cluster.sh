# shellcheck shell=bash
# Shared by deploy/e2e/run.sh and deploy/e2e/manifest.sh (sourced, after `here` is set to this
# directory and `set -euo pipefail`): the checks of the inputs, the work directory, logging, the
# E2eTool helper, process bookkeeping (every process started is recorded in $work/pids and stopped
# by PID on exit), the Flink configuration and `bin/flink`, and `start_cluster`, which starts the
# Amp dev server, a JobManager and a TaskManager.
#
# Environment: DATABASE_URL (required), SLUICE_JAR, FLINK_CLASSPATH_FILE, E2E_WORK_DIR.

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
cat >"$work/bin/flink" <<EOS
#!/usr/bin/env bash
export FLINK_CONF_DIR="$work/conf"
exec java ${flags[*]} -Dlog.file="$work/log/client-\$(date +%s%N).log" \\
  -Dlog4j.configurationFile="file:$work/conf/log4j-cli.properties" \\
  -cp "$cp" org.apache.flink.client.cli.CliFrontend "\$@"
EOS
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
kill_taskmanager() { # name: kill -9, as a crashed machine would
  local pid_var="pid_${1//-/_}"
  { kill -KILL "${!pid_var}" && wait "${!pid_var}"; } 2>/dev/null || true
  log "killed $1 (kill -9 ${!pid_var}) at $(tool head "$admin")"
}
start_miner() {
  start_bg miner java -cp "$work/tool:$SLUICE_JAR" E2eTool mine "$admin" 150 10 4
}
stop_miner() {
  stop_pid "$pid_miner"
  log "miner stopped: $(tool head "$admin")"
}

# Starts the Amp dev server (serving `dataset` with `blocks` blocks), a JobManager and
# taskmanager-1, and waits until the dev server and the JobManager's REST API answer. The dev
# server runs as in the Docker image (deploy/docker/sluice): the job jar on Flink's own classpath.
start_cluster() { # dataset blocks
  start_bg amp-dev-server env SLUICE_CLASSPATH="$cp" SLUICE_LOG4J_CONFIG=none \
    JAVA_OPTS="-Dsluice.e2e=$work" "$here/../docker/sluice" amp-dev-server --host 127.0.0.1 \
    --port "$flight_port" --admin-port "$admin_port" \
    --dataset "$1" --blocks "$2" --seed 7 --head-microbatch-blocks 2
  local jm_params
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
}
