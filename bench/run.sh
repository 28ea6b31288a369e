#!/usr/bin/env bash
# The Sluice benchmark (issue #7): builds the job and the harness, then runs every measurement
# in one go. Options go to the harness (bench/README.md), e.g. bench/run.sh --repeats 1.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -Pbench package -DskipTests -pl bench -am
CP="bench/target/sluice-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
# The harness holds the ceiling's pre-made COPY data in memory (~3 GB for the default chain).
exec java -Xmx8g --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "$CP" dev.sluice.bench.Benchmark "$@"
