#!/usr/bin/env bash
# The Sluice benchmark (issue #7): builds the job and the harness, then runs every measurement
# in one go. Options go to the harness (bench/README.md), e.g. bench/run.sh --repeats 1.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -Pbench package -DskipTests -pl bench -am
CP="bench/target/sluice-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
# The harness holds the ceiling's pre-made COPY data in memory (~3.2 GB for the default chain's
# blocks) and the dev server's cache of the chain's batches (~4.5 GB, off-heap, which the dev
# server caps at half the maximum heap: beyond it, batches would be generated on every stream).
exec java -Xmx12g --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "$CP" dev.sluice.bench.Benchmark "$@"
