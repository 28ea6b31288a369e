package dev.sluice.bench;

import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Head-following latency: a Sluice job (blocks and logs) caught up with a short chain on its own
 * dev server; the benchmark mines one block every {@code --latency-block-ms} and polls each table's
 * {@code max(_block_num)} (an index lookup) every few milliseconds. Latency of block n = first poll
 * that sees n − the moment {@code mine} returned.
 */
final class Latency {

    private static final long INITIAL_BLOCKS = 1000;
    private static final long WARMUP_SECONDS = 5;
    private static final long POLL_MILLIS = 5;

    /** Percentiles per table, in milliseconds. */
    static final class Result {
        final Map<String, Measurements> millis;
        final long peakRssKb;

        Result(Map<String, Measurements> millis, long peakRssKb) {
            this.millis = millis;
            this.peakRssKb = peakRssKb;
        }
    }

    private final Benchmark bench;

    /** What stopped the poller thread, rethrown on the benchmark's thread. */
    private final AtomicReference<Exception> pollFailure = new AtomicReference<>();

    Latency(Benchmark bench) {
        this.bench = bench;
    }

    Result run() throws Exception {
        BenchOptions o = bench.options();
        List<String> tables = o.tables;
        String db = "latency";
        bench.databases().create(db);
        Map<String, Measurements> out = new java.util.LinkedHashMap<>();
        long rss;
        try (AmpDevServer chain =
                        AmpDevServer.builder()
                                .host("localhost")
                                .port(0)
                                .adminPort(-1)
                                .blocks(INITIAL_BLOCKS)
                                .txsPerBlock(o.txsPerBlock)
                                .logsPerTx(o.logsPerTx)
                                .seed(o.seed)
                                .build()
                                .start();
                ChildJvm job =
                        ChildJvm.start(
                                List.of("-Dsluice.log.file=" + o.work.resolve("latency.log")),
                                Benchmark.syncArgs(
                                        o,
                                        String.join(",", tables),
                                        bench.databases().cliUrl(db),
                                        chain.flightPort(),
                                        o.work.resolve("state-latency")),
                                o.work.resolve("latency.out"));
                Connection c = bench.databases().connect(db)) {
            System.out.printf(
                    "  latency: following the head, one block every %d ms for %d s%n",
                    o.latencyBlockMillis, o.latencySeconds);
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (minVisible(c, tables) < INITIAL_BLOCKS - 1) {
                job.checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The latency job never caught up");
                }
                Thread.sleep(50);
            }
            Map<Long, Long> mined = new ConcurrentHashMap<>();
            Map<String, Map<Long, Long>> seen = new ConcurrentHashMap<>();
            for (String t : tables) {
                seen.put(t, new ConcurrentHashMap<>());
            }
            AtomicBoolean polling = new AtomicBoolean(true);
            Thread poller = new Thread(() -> poll(tables, db, seen, polling), "latency-poller");
            poller.start();
            long measureFrom = 0;
            long start = System.nanoTime();
            long end = start + (WARMUP_SECONDS + o.latencySeconds) * 1_000_000_000L;
            long next = start;
            while (System.nanoTime() < end) {
                job.checkAlive();
                checkPoller();
                long n = chain.mine(1).number();
                mined.put(n, System.nanoTime());
                if (measureFrom == 0
                        && System.nanoTime() - start > WARMUP_SECONDS * 1_000_000_000L) {
                    measureFrom = n;
                }
                job.peakRssKb();
                next += o.latencyBlockMillis * 1_000_000L;
                long sleep = (next - System.nanoTime()) / 1_000_000L;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
            long lastMined = chain.head().number();
            long settle = System.nanoTime() + 10_000_000_000L;
            // Wait for the poller's own record of the last block: the poller is what measures,
            // and stopping it as soon as another connection sees the block can lose that record.
            while (!seenEverywhere(seen, lastMined) && System.nanoTime() < settle) {
                checkPoller();
                Thread.sleep(20);
            }
            polling.set(false);
            poller.join();
            checkPoller();
            for (String t : tables) {
                Measurements m = new Measurements();
                for (long n = measureFrom; n <= lastMined; n++) {
                    Long at = seen.get(t).get(n);
                    if (at == null) {
                        throw new IllegalStateException(
                                "Block " + n + " never became visible in " + t);
                    }
                    m.add((at - mined.get(n)) / 1e6);
                }
                out.put(t, m);
            }
            rss = job.peakRssKb();
        }
        bench.recordPeakRss(rss);
        bench.databases().drop(db);
        return new Result(out, rss);
    }

    private void poll(
            List<String> tables,
            String db,
            Map<String, Map<Long, Long>> seen,
            AtomicBoolean polling) {
        try (Connection c = bench.databases().connect(db)) {
            Map<String, Long> high = new java.util.HashMap<>();
            while (polling.get()) {
                for (String t : tables) {
                    long max = maxBlock(c, t);
                    long now = System.nanoTime();
                    long from = high.getOrDefault(t, max);
                    for (long n = from + 1; n <= max; n++) {
                        seen.get(t).put(n, now);
                    }
                    high.put(t, Math.max(from, max));
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (Exception e) {
            pollFailure.set(e);
        }
    }

    private void checkPoller() {
        Exception e = pollFailure.get();
        if (e != null) {
            throw new IllegalStateException("Latency polling failed: " + e.getMessage(), e);
        }
    }

    private static boolean seenEverywhere(Map<String, Map<Long, Long>> seen, long block) {
        for (Map<Long, Long> t : seen.values()) {
            if (!t.containsKey(block)) {
                return false;
            }
        }
        return true;
    }

    private static long minVisible(Connection c, List<String> tables) throws SQLException {
        long min = Long.MAX_VALUE;
        for (String t : tables) {
            try {
                min = Math.min(min, maxBlock(c, t));
            } catch (SQLException e) {
                if (!BenchDatabase.UNDEFINED_TABLE.equals(e.getSQLState())) {
                    throw e;
                }
                return -1; // the job has not created this table yet
            }
        }
        return min;
    }

    private static long maxBlock(Connection c, String table) throws SQLException {
        return BenchDatabase.queryLong(
                c,
                "SELECT coalesce(max(\"_block_num\"), -1) FROM "
                        + new TableRef("public", table).quoted());
    }
}
