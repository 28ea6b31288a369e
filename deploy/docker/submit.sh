#!/usr/bin/env bash
# Submits Sluice to a running Flink session cluster with `flink run -d`, once: if a job named
# "sluice sync" is already running or restarting there, it does nothing (so `docker compose up`
# run twice never starts a second writer of the same tables).
#
# The job reads its settings from the environment of this process (the Flink client runs the
# job's main): DATASET, TABLES, DATABASE_URL, AMP_FLIGHT_ADDR, AMP_AUTH_TOKEN, PARALLELISM,
# CHECKPOINT_INTERVAL, … (`java -jar sync-job.jar sync --help` lists them all); arguments given to
# this script go to the job after `sync-job.jar sync`.
#
#   SLUICE_JAR        the job jar (default /opt/flink/usrlib/sync-job.jar)
#   FLINK_JOBMANAGER  host:port of the JobManager's REST endpoint (default: from the Flink config)
#   SAVEPOINT         resume from this savepoint or retained checkpoint (flink run -s)
#   FLINK_RUN_ARGS    more `flink run` options, e.g. "-p 2" or "--allowNonRestoredState"
set -euo pipefail

jar=${SLUICE_JAR:-/opt/flink/usrlib/sync-job.jar}
job_name="sluice sync"
target=()
if [[ -n "${FLINK_JOBMANAGER:-}" ]]; then
  target=(-m "$FLINK_JOBMANAGER")
fi

running=$(flink list -r "${target[@]}")
if grep -q ": ${job_name} (" <<<"$running"; then
  echo "A '${job_name}' job is already running on the cluster; not submitting another:"
  grep ": ${job_name} (" <<<"$running"
  exit 0
fi

args=(run -d "${target[@]}")
if [[ -n "${SAVEPOINT:-}" ]]; then
  args+=(-s "$SAVEPOINT")
fi
if [[ -n "${FLINK_RUN_ARGS:-}" ]]; then
  read -r -a extra <<<"$FLINK_RUN_ARGS"
  args+=("${extra[@]}")
fi
exec flink "${args[@]}" "$jar" sync "$@"
