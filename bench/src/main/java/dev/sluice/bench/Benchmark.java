package dev.sluice.bench;

import dev.sluice.sinks.postgres.PostgresTables;
import dev.sluice.sinks.postgres.TableOptions;
import dev.sluice.sinks.postgres.TableRef;
import dev.sluice.sources.amp.AmpSchemas;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.devserver.ChainDigest;
import dev.sluice.sources.amp.protocol.DatasetReference;
import dev.sluice.testutils.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * The benchmark of issue #7 (bench/README.md): a durable PostgreSQL and the Amp dev server with a
 * fixed chain; per table the ceiling (the same rows as a pre-made binary COPY stream, written by
 * one connection in one transaction), Sluice end to end ({@code java -jar sync-job.jar sync}) and
 * the same pipeline with flink-connector-jdbc's JdbcSink; then head-following latency; peak RSS of
 * the job JVM throughout.
 */
public final class Benchmark {

    /**
     * Default durability (the test fixture turns these off, the benchmark must not), and no
     * autovacuum: its insert-triggered vacuum of a target table ran inside Sluice's windows (up to
     * 1.5 s of a core per blocks window, whenever the launcher's 60 s round happened to come) and
     * never inside the ceiling's, only because the ceiling commits once, at its end; the same
     * vacuum of its rows comes after its window. Neither measurement pays for that maintenance now.
     */
    static final Map<String, String> SERVER_CONFIG =
            Map.of(
                    "fsync", "on",
                    "synchronous_commit", "on",
                    "full_page_writes", "on",
                    "autovacuum", "off");

    /**
     * The WAL PostgreSQL keeps recycled segments of at its default {@code max_wal_size} (1 GB):
     * more would be removed at the next checkpoint instead of reused. (One measurement of the
     * default chain writes more than that, ~1.3 GB for logs.)
     */
    static final long WAL_WARM_UP_BYTES = 1L << 30;

    /** How often the completion probe looks for the table's last block. */
    static final long PROBE_MILLIS = 50;

    /** Flink's own Java 17 flags (env.java.opts.all), as the parent pom's flink.jvm.flags. */
    static final List<String> JVM_FLAGS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /**
     * The dev server's gRPC logs a stack trace ("Stream closed before write could take place")
     * whenever a client goes away mid-stream, which the harness does on purpose when it stops a
     * capped JdbcSink job; each run's rows are checked instead. Held here: JUL keeps loggers only
     * weakly, and a collected one would forget its level.
     */
    private static final Logger GRPC_SERVER_LOG =
            Logger.getLogger("io.grpc.netty.NettyServerHandler");

    private final BenchOptions options;
    private final EmbeddedPostgresServer postgres;
    private final BenchDatabase databases;
    private final AmpDevServer amp;
    private final Map<String, Schema> schemas;

    /** Per table, the chain's row count and MD5: what every synced copy must hold. */
    private final Map<String, ChainDigest.Result> digests = new LinkedHashMap<>();

    private final Map<String, Long> lastBlockRows = new LinkedHashMap<>();
    private long peakRssKb;
    private int runs;

    private Benchmark(BenchOptions options, EmbeddedPostgresServer postgres, AmpDevServer amp) {
        this.options = options;
        this.postgres = postgres;
        this.databases = new BenchDatabase(postgres);
        this.amp = amp;
        AmpSource all = source(amp.flightPort(), options.tables);
        Map<String, Schema> byStream = AmpSchemas.fetch(all);
        this.schemas = new LinkedHashMap<>();
        for (int i = 0; i < options.tables.size(); i++) {
            schemas.put(options.tables.get(i), byStream.get(all.streams().get(i).id()));
        }
    }

    public static void main(String[] args) throws Exception {
        // The dev server hands its Arrow buffers to gRPC without copying them into Netty's, as an
        // Amp server (Rust, reference-counted bytes) does; Flight reads this once, when its
        // message class loads, so before any server starts. Safe here: the dev server never
        // writes into a buffer it has sent (every batch is allocated anew or read from its cache).
        System.setProperty("arrow.flight.enable_zero_copy_write", "true");
        GRPC_SERVER_LOG.setLevel(Level.SEVERE);
        BenchOptions o = BenchOptions.parse(args);
        deleteRecursively(o.work); // old checkpoints would make a job resume instead of start
        Files.createDirectories(o.work);
        Environment.print(System.out);
        long started = System.nanoTime();
        System.out.printf(
                "Chain: %,d blocks × %d txs × %d logs, seed %d; PostgreSQL with fsync on,"
                        + " autovacuum off%n",
                o.blocks, o.txsPerBlock, o.logsPerTx, o.seed);
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(SERVER_CONFIG);
                AmpDevServer amp =
                        AmpDevServer.builder()
                                .host("localhost")
                                .port(0)
                                .adminPort(-1)
                                .blocks(o.blocks)
                                .txsPerBlock(o.txsPerBlock)
                                .logsPerTx(o.logsPerTx)
                                .seed(o.seed)
                                // An Amp server serves stored blocks; generating them again for
                                // every stream would take the shared cores from the job measured.
                                .cacheMicrobatches(true)
                                .build()
                                .start()) {
            new Benchmark(o, pg, amp).run();
        }
        System.out.printf("Benchmark took %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    private void run() throws Exception {
        long last = options.blocks - 1;
        long digestsStarted = System.nanoTime();
        for (String table : options.tables) {
            digests.put(table, amp.digest(table));
            long atLast = amp.blocks(last, last).get(0).logs();
            lastBlockRows.put(table, table.equals("blocks") ? 1 : atLast);
        }
        System.out.printf(
                "  the chain's digests computed in %.1f s (not measured)%n",
                (System.nanoTime() - digestsStarted) / 1e9);
        long walStarted = System.nanoTime();
        databases.preallocateWal(WAL_WARM_UP_BYTES);
        System.out.printf(
                "  PostgreSQL WAL segments preallocated in %.1f s (not measured)%n",
                (System.nanoTime() - walStarted) / 1e9);
        for (String table : options.tables) {
            long started = System.nanoTime();
            long rows = DevServerWarmUp.run(amp.flightPort(), table, last);
            System.out.printf(
                    "  dev server warm-up: %s, %,d rows in %.1f s (not measured)%n",
                    table, rows, (System.nanoTime() - started) / 1e9);
        }
        List<TableResult> results = new ArrayList<>();
        for (String table : options.tables) {
            warmUp(table);
            results.add(measure(table));
        }
        Latency.Result latency =
                options.latencySeconds > 0
                        ? new Latency(this).run()
                        : new Latency.Result(Map.of(), 0);
        Report.print(System.out, results, latency, peakRssKb, options);
    }

    /**
     * Unmeasured Sluice runs right before the table's measured ones: all but the last stopped after
     * {@code --warm-up-seconds}, the last whole (see {@link BenchOptions#warmUpSeconds}).
     */
    private void warmUp(String table) throws Exception {
        for (int run = 1; run <= options.warmUpRuns; run++) {
            long started = System.nanoTime();
            String db = "warmup_" + table + "_" + run;
            int capSeconds = run == options.warmUpRuns ? 0 : options.warmUpSeconds;
            runSluice(table, db, new TableResult(table, expectedRows(table)), capSeconds);
            databases.drop(db);
            System.out.printf(
                    "  Sluice warm-up run %d: %s %s in %.1f s (not measured)%n",
                    run,
                    table,
                    capSeconds == 0 ? "whole" : "stopped after " + capSeconds + " s",
                    (System.nanoTime() - started) / 1e9);
        }
    }

    private long expectedRows(String table) {
        return digests.get(table).rows();
    }

    private TableResult measure(String table) throws Exception {
        TableResult r = new TableResult(table, expectedRows(table));
        List<byte[]> copyData = null;
        for (int rep = 1; rep <= options.repeats; rep++) {
            String db = "sluice_" + table + "_" + rep;
            r.sluice.add(runSluice(table, db, r, 0));
            if (copyData == null) {
                copyData = dumpAndVerify(table, db, r);
            }
            databases.drop(db);
            r.ceiling.add(runCeiling(table, copyData, rep, r));
            System.out.printf(
                    "  %s run %d: sluice %,.0f rows/s (backend CPU %.1f s, dev server JIT %.2f s),"
                            + " ceiling %,.0f rows/s (backend CPU %.1f s)%n",
                    table,
                    rep,
                    r.sluice.last(),
                    r.sluiceBackendCpu.last(),
                    r.harnessJitCpu.last(),
                    r.ceiling.last(),
                    r.ceilingBackendCpu.last());
        }
        copyData = null;
        for (int rep = 1; rep <= options.jdbcRepeats; rep++) {
            r.jdbc.add(runJdbc(table, rep, r));
            System.out.printf("  %s JdbcSink run %d: %,.0f rows/s%n", table, rep, r.jdbc.last());
        }
        return r;
    }

    /**
     * Sluice end to end: {@code java -jar sync-job.jar sync}, until every row is visible, or with
     * {@code capSeconds} > 0 (a warm-up run but the last) until it has streamed that long.
     */
    private double runSluice(String table, String db, TableResult r, int capSeconds)
            throws Exception {
        databases.create(db);
        Path state = options.work.resolve("state-" + db + "-" + (++runs));
        List<String> jvm = new ArrayList<>(options.jobJvmOptions);
        if (options.profile) {
            jvm.add("-XX:StartFlightRecording=name=bench,settings=" + options.profileSettings);
        }
        jvm.add("-Dsluice.log.file=" + options.work.resolve(db + ".log"));
        List<String> args = syncArgs(options, table, databases.cliUrl(db), amp.flightPort(), state);
        double rate;
        awaitIdle();
        try (ChildJvm job = ChildJvm.start(jvm, args, options.work.resolve(db + ".out"))) {
            rate = followUntilDone(job, db, table, r, capSeconds);
            if (options.profile) {
                job.dumpFlightRecording(options.work.resolve(db + ".jfr"));
            }
            peakRssKb = Math.max(peakRssKb, job.peakRssKb());
            r.peakRssKb = Math.max(r.peakRssKb, job.peakRssKb());
        }
        return rate;
    }

    /** The same source and reorg operator into flink-connector-jdbc's JdbcSink. */
    private double runJdbc(String table, int rep, TableResult r) throws Exception {
        String db = "jdbc_" + table + "_" + rep;
        databases.create(db);
        createTable(db, table);
        List<String> jvm = new ArrayList<>(JVM_FLAGS);
        jvm.add("-cp");
        jvm.add(System.getProperty("java.class.path"));
        List<String> args =
                List.of(
                        JdbcSinkJob.class.getName(),
                        "http://localhost:" + amp.flightPort(),
                        table,
                        databases.jdbcUrl(db) + "&reWriteBatchedInserts=true",
                        String.join(",", columns(table)),
                        options.work.resolve("state-" + db).toString());
        double rate;
        awaitIdle();
        try (ChildJvm job = ChildJvm.start(jvm, args, options.work.resolve(db + ".out"))) {
            rate = followUntilDone(job, db, table, r, options.jdbcSeconds);
            r.jdbcRssKb = Math.max(r.jdbcRssKb, job.peakRssKb());
        }
        databases.drop(db);
        return rate;
    }

    /**
     * Waits for the job to open its stream on the dev server (t0: start-up excluded), then for the
     * table's last block to be complete and visible (t1: the writer is single and ordered, so
     * everything before it is visible too); returns rows / (t1 - t0). With {@code capSeconds} > 0
     * (JdbcSink, which is steady and slow; a warm-up run but the last) it stops after that long and
     * counts what is visible.
     */
    private double followUntilDone(
            ChildJvm job, String db, String table, TableResult r, int capSeconds) throws Exception {
        long launched = System.nanoTime();
        long deadline = launched + 600_000_000_000L;
        while (amp.activeStreams() == 0) {
            job.checkAlive();
            checkDeadline(deadline, "the job to open its stream");
            Thread.sleep(1);
        }
        long t0 = System.nanoTime();
        long windowStartMillis = System.currentTimeMillis();
        long cap = capSeconds > 0 ? t0 + capSeconds * 1_000_000_000L : Long.MAX_VALUE;
        long last = options.blocks - 1;
        long expected = expectedRows(table);
        try (Connection c = databases.connect(db);
                // Only an equality probe on the last block: max(_block_num) walked the index
                // entries of every row still in flight (invisible until the commit) 50 times a
                // second, which cost a quarter of a core on the machine the job and PostgreSQL
                // share. Prepared (planned once), and every 50 ms: the ceiling has no probe, so
                // the probe's share of the two cores is kept small; the window's end is then
                // late by 25 ms on average, about 0.1 % of a window.
                PreparedStatement lastBlock =
                        c.prepareStatement(
                                "SELECT count(*) FROM "
                                        + new TableRef("public", table).quoted()
                                        + " WHERE \"_block_num\" = ?")) {
            lastBlock.setLong(1, last);
            // The writer usually connects before the stream opens; if not, its backend has done
            // nothing before it either.
            double writerCpuAtStart = BackendCpu.secondsOf(c, BackendCpu.SLUICE_WRITER);
            double harnessJitAtStart = CompilerCpu.harnessSeconds();
            String countSql = "SELECT count(*) FROM " + new TableRef("public", table).quoted();
            while (true) {
                job.checkAlive();
                checkDeadline(deadline, "every row of " + table);
                long now = System.nanoTime();
                if (now > cap) {
                    long rows = BenchDatabase.queryLong(c, countSql);
                    return rows / ((now - t0) / 1e9);
                }
                try (ResultSet rs = lastBlock.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= lastBlockRows.get(table)) {
                        break;
                    }
                } catch (SQLException e) {
                    if (!BenchDatabase.UNDEFINED_TABLE.equals(e.getSQLState())) {
                        throw e;
                    }
                    // The job has not created the table yet.
                }
                job.peakRssKb();
                Thread.sleep(PROBE_MILLIS);
            }
            long t1 = System.nanoTime();
            // Wall-clock bounds of the measured window, to line up with external CPU samplers.
            System.out.printf(
                    "    %s window %d..%d ms since the epoch%n",
                    db, windowStartMillis, System.currentTimeMillis());
            long rows = BenchDatabase.queryLong(c, countSql);
            if (rows != expected) {
                throw new IllegalStateException(
                        table + " holds " + rows + " rows, expected " + expected + " in " + db);
            }
            if (capSeconds == 0) {
                r.startupSeconds.add((t0 - launched) / 1e9);
                double writerCpu = BackendCpu.secondsOf(c, BackendCpu.SLUICE_WRITER);
                r.sluiceBackendCpu.add(
                        writerCpu - (Double.isNaN(writerCpuAtStart) ? 0 : writerCpuAtStart));
                r.harnessJitCpu.add(CompilerCpu.harnessSeconds() - harnessJitAtStart);
            }
            return expected / ((t1 - t0) / 1e9);
        }
    }

    /** A killed job's stream may linger on the server for a moment; never overlap two runs. */
    private void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (amp.activeStreams() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Gave up waiting for " + what + " after 10 minutes");
        }
    }

    /**
     * Checks the synced table against the chain's digest and dumps it as binary COPY data for the
     * ceiling. Nothing is measured meanwhile, so the two run side by side, each on its own backend
     * (one reads the table as text, the other in binary): 25 s one after the other on a slow box.
     */
    private List<byte[]> dumpAndVerify(String table, String db, TableResult r) throws Exception {
        long started = System.nanoTime();
        String target = new TableRef("public", table).quoted();
        CompletableFuture<ChainDigest.Result> synced =
                CompletableFuture.supplyAsync(
                        () -> {
                            try (Connection c = databases.connect(db)) {
                                return ChainDigest.ofTarget(c, table, target);
                            } catch (SQLException e) {
                                throw new CompletionException(e);
                            }
                        });
        List<byte[]> chunks = dump(table, db, r);
        long dumped = System.nanoTime();
        ChainDigest.Result got;
        try {
            got = synced.orTimeout(10, TimeUnit.MINUTES).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        ChainDigest.Result want = digests.get(table);
        if (!got.sameAs(want)) {
            throw new IllegalStateException(
                    "The synced " + table + " differs from the chain: " + got + " vs " + want);
        }
        System.out.printf(
                "  %s dumped for the ceiling in %.1f s and checked against the chain in %.1f s,"
                        + " side by side (not measured)%n",
                table, (dumped - started) / 1e9, (System.nanoTime() - started) / 1e9);
        return chunks;
    }

    /** The table as binary COPY data, in chunks of 1 MiB (the sink's write size). */
    private List<byte[]> dump(String table, String db, TableResult r) throws Exception {
        try (Connection c = databases.connect(db)) {
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            CopyOut out =
                    cm.copyOut(
                            "COPY "
                                    + new TableRef("public", table).quoted()
                                    + " ("
                                    + columnList(table)
                                    + ") TO STDOUT (FORMAT binary)");
            List<byte[]> chunks = new ArrayList<>();
            byte[] chunk = new byte[1 << 20];
            int pos = 0;
            byte[] row;
            long total = 0;
            while ((row = out.readFromCopy()) != null) {
                int off = 0;
                while (off < row.length) {
                    int n = Math.min(row.length - off, chunk.length - pos);
                    System.arraycopy(row, off, chunk, pos, n);
                    pos += n;
                    off += n;
                    if (pos == chunk.length) {
                        chunks.add(chunk);
                        chunk = new byte[1 << 20];
                        pos = 0;
                    }
                }
                total += row.length;
            }
            chunks.add(java.util.Arrays.copyOf(chunk, pos));
            r.copyBytes = total;
            return chunks;
        }
    }

    /** The ceiling: the pre-made rows, one connection, one COPY, one transaction. */
    private double runCeiling(String table, List<byte[]> data, int rep, TableResult r)
            throws Exception {
        String db = "ceiling_" + table + "_" + rep;
        databases.create(db);
        createTable(db, table);
        double rate;
        try (Connection c = databases.connect(db)) {
            c.setAutoCommit(false);
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            int backend = BackendCpu.pid(c);
            double cpuAtStart = BackendCpu.seconds(backend);
            long t0 = System.nanoTime();
            CopyIn in =
                    cm.copyIn(
                            "COPY "
                                    + new TableRef("public", table).quoted()
                                    + " ("
                                    + columnList(table)
                                    + ") FROM STDIN (FORMAT binary)");
            for (byte[] chunk : data) {
                in.writeToCopy(chunk, 0, chunk.length);
            }
            long rows = in.endCopy();
            c.commit();
            long t1 = System.nanoTime();
            r.ceilingBackendCpu.add(BackendCpu.seconds(backend) - cpuAtStart);
            if (rows != expectedRows(table)) {
                throw new IllegalStateException("The ceiling copied " + rows + " rows of " + table);
            }
            rate = rows / ((t1 - t0) / 1e9);
        }
        databases.drop(db);
        return rate;
    }

    void createTable(String db, String table) throws SQLException {
        try (Connection c = databases.connect(db)) {
            PostgresTables.ensureTable(
                    c, new TableRef("public", table), schemas.get(table), TableOptions.defaults());
        }
    }

    List<String> columns(String table) {
        List<String> names = new ArrayList<>();
        for (Field f : schemas.get(table).getFields()) {
            names.add(f.getName());
        }
        return names;
    }

    private String columnList(String table) {
        List<String> quoted = new ArrayList<>();
        for (String c : columns(table)) {
            quoted.add(TableRef.quote(c));
        }
        return String.join(", ", quoted);
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The JVM arguments and {@code sync …} of a Sluice run, checkpointing every second: {@code -jar
     * sync-job.jar sync …} with {@code --launch-jar}, else the same job class on the harness's
     * class path (the same classes and embedded Flink; it does not depend on the jar's launcher).
     */
    static List<String> syncArgs(
            BenchOptions o, String tables, String databaseUrl, int flightPort, Path state) {
        List<String> args = new ArrayList<>();
        if (o.launchJar) {
            args.add("-jar");
            args.add(o.jar.toString());
        } else {
            args.addAll(JVM_FLAGS);
            args.add("-Dlog4j.configurationFile=sluice-log4j2.properties");
            args.add("-cp");
            args.add(System.getProperty("java.class.path"));
            args.add("dev.sluice.job.SyncJob");
        }
        args.addAll(
                List.of(
                        "sync",
                        "--dataset",
                        "anvil",
                        "--tables",
                        tables,
                        "--database-url",
                        databaseUrl,
                        "--amp-flight-addr",
                        "http://localhost:" + flightPort,
                        "--checkpoint-interval",
                        "1s",
                        "--state-dir",
                        state.toString()));
        return args;
    }

    static AmpSource source(int flightPort, List<String> tables) {
        var b = AmpSource.builder().setEndpoint("http://localhost:" + flightPort);
        for (String t : tables) {
            b.addTable(DatasetReference.parse("anvil"), t);
        }
        return b.build();
    }

    BenchOptions options() {
        return options;
    }

    BenchDatabase databases() {
        return databases;
    }

    void recordPeakRss(long kb) {
        peakRssKb = Math.max(peakRssKb, kb);
    }

    /** Everything measured for one table. */
    static final class TableResult {
        final String table;
        final long rows;
        final Measurements sluice = new Measurements();
        final Measurements ceiling = new Measurements();
        final Measurements jdbc = new Measurements();
        final Measurements startupSeconds = new Measurements();

        /** CPU seconds of the writing backend over each measured window. */
        final Measurements sluiceBackendCpu = new Measurements();

        final Measurements ceilingBackendCpu = new Measurements();

        /** CPU seconds of the harness's (the dev server's) JIT inside each Sluice window. */
        final Measurements harnessJitCpu = new Measurements();

        long copyBytes;
        long peakRssKb;
        long jdbcRssKb;

        TableResult(String table, long rows) {
            this.table = table;
            this.rows = rows;
        }
    }
}
