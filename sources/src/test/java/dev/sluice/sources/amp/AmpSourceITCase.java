package dev.sluice.sources.amp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.devserver.DevBlock;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.testutils.ChainModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Amp source in a real Flink job against the dev server over real Flight: with reorgs, a
 * failure and restore, and the server going away, the records — applied only when a checkpoint
 * completes, as a transactional target would — rebuild exactly the canonical chain.
 */
@Timeout(180)
class AmpSourceITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final Map<String, ChainModel> MODELS = new ConcurrentHashMap<>();
    static final AtomicBoolean FAIL_ARMED = new AtomicBoolean();
    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        FAIL_ARMED.set(false);
        FAILED_ONCE.set(false);
    }

    private AmpDevServer server(int port, int blocks, int txs, int logs) throws Exception {
        AmpDevServer server =
                AmpDevServer.builder()
                        .port(port)
                        .adminPort(-1)
                        .blocks(blocks)
                        .txsPerBlock(txs)
                        .logsPerTx(logs)
                        .headMicrobatchBlocks(3)
                        .seed(7)
                        .build()
                        .start();
        closeables.add(server);
        return server;
    }

    private JobClient startJob(String model, int port, String table) throws Exception {
        MODELS.put(model, new ChainModel());
        CommittingModelSink.APPLIED.remove(model);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(300);
        env.setParallelism(1);
        AmpSource source =
                AmpSource.builder()
                        .setEndpoint("http://localhost:" + port)
                        .setDataset("_/anvil@latest")
                        .setTables(table)
                        .set(AmpSourceOptions.RECONNECT_INITIAL_BACKOFF, Duration.ofMillis(50))
                        .set(AmpSourceOptions.RECONNECT_MAX_BACKOFF, Duration.ofMillis(500))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "amp")
                .map(new FailOnce())
                .returns(AmpRecordTypeInfo.INSTANCE)
                .addSink(new CommittingModelSink(model));
        JobClient client = env.executeAsync("amp source it");
        closeables.add(() -> client.cancel().get(30, TimeUnit.SECONDS));
        return client;
    }

    /** Waits until the model completed the server's head and holds its hash. */
    private static void awaitCaughtUp(ChainModel model, AmpDevServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            BlockRef head = server.head();
            ChainModel.Block b = model.blocks().get(head.number());
            if (model.completedHead() == head.number() && b != null && b.hash.equals(head.hash())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Not caught up: model head " + model.completedHead() + ", server " + head);
            }
            Thread.sleep(100);
        }
    }

    private static void awaitCommitted(ChainModel model) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (model.completedHead() < 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(model.completedHead()).as("a checkpoint was committed").isNotNegative();
    }

    /** Every canonical block is there with all its rows and its canonical hash; nothing else. */
    private static void assertMatchesCanonicalChain(ChainModel model, AmpDevServer server) {
        long head = server.head().number();
        Map<Long, String> expected = new TreeMap<>();
        long rowsPerBlock = -1;
        for (long from = 0; from <= head; from += 10_000) {
            for (DevBlock b : server.blocks(from, Math.min(head, from + 9_999))) {
                expected.put(b.number(), b.hash());
                rowsPerBlock = b.logs();
            }
        }
        assertThat(model.blocks().keySet()).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<Long, ChainModel.Block> e : model.blocks().entrySet()) {
            assertThat(e.getValue().hash)
                    .as("hash of block %d", e.getKey())
                    .isEqualTo(expected.get(e.getKey()));
            assertThat(e.getValue().rows)
                    .as("rows of block %d", e.getKey())
                    .isEqualTo(rowsPerBlock);
        }
    }

    @Test
    void millionLogRowsWithReorgsEveryTwentyBlocksRebuildTheCanonicalChain() throws Exception {
        AmpDevServer server = server(0, 2000, 25, 20); // 2000 blocks x 500 logs = 1M rows
        startJob("million", server.flightPort(), "logs");
        for (int i = 1; i <= 200; i++) {
            server.mine(1);
            if (i % 20 == 0) {
                server.reorg(1 + (i / 20) % 5, 0);
            }
            Thread.sleep(15);
        }
        ChainModel model = MODELS.get("million");
        awaitCaughtUp(model, server);
        assertMatchesCanonicalChain(model, server);
        assertThat(model.blocks().values().stream().mapToLong(b -> b.rows).sum())
                .isGreaterThanOrEqualTo(1_000_000);
    }

    @Test
    void failureMidStreamRestoresFromTheCheckpointWithoutLossOrDuplicates() throws Exception {
        AmpDevServer server = server(0, 300, 5, 4);
        startJob("failover", server.flightPort(), "logs");
        ChainModel model = MODELS.get("failover");
        for (int i = 1; i <= 60; i++) {
            if (i == 30) {
                awaitCommitted(model);
                FAIL_ARMED.set(true); // fail after a checkpoint, so the restore has state
            }
            server.mine(1);
            if (i % 15 == 0) {
                server.reorg(3, 1);
            }
            Thread.sleep(30);
        }
        awaitCaughtUp(model, server);
        assertThat(FAILED_ONCE).isTrue();
        assertMatchesCanonicalChain(model, server);
    }

    @Test
    void serverGoneAndBackWithADeeperReorgIsFollowedExactly() throws Exception {
        AmpDevServer first = server(0, 100, 2, 2);
        int port = first.flightPort();
        startJob("restart", port, "blocks");
        ChainModel model = MODELS.get("restart");
        awaitCaughtUp(model, first);
        first.close();
        Thread.sleep(1500); // the source keeps retrying meanwhile
        AmpDevServer second = server(port, 100, 2, 2);
        second.reorg(5, 2); // happened while the source was away: its cursor is now stale
        awaitCaughtUp(model, second);
        assertMatchesCanonicalChainForBlocks(model, second);
    }

    private static void assertMatchesCanonicalChainForBlocks(
            ChainModel model, AmpDevServer server) {
        long head = server.head().number();
        List<DevBlock> canonical = server.blocks(0, head);
        assertThat(model.blocks()).hasSize(canonical.size());
        for (DevBlock b : canonical) {
            assertThat(model.blocks().get(b.number()).hash).isEqualTo(b.hash());
            assertThat(model.blocks().get(b.number()).rows).isEqualTo(1);
        }
    }

    /** Once armed by the test, throws on the next record, once, to force a restore. */
    static final class FailOnce implements MapFunction<AmpRecord, AmpRecord> {
        @Override
        public AmpRecord map(AmpRecord r) {
            if (FAIL_ARMED.get() && FAILED_ONCE.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure");
            }
            return r;
        }
    }

    /**
     * Applies records to the shared model only when the checkpoint that covers them completes;
     * records of a failed attempt are dropped, like an aborted transaction. Like a two-phase commit
     * sink, it keeps the records of not yet committed checkpoints in its state: a restore from
     * checkpoint n commits what n covers even if the job failed before being told that n completed,
     * and the model remembers the last checkpoint it applied, so nothing is applied twice.
     */
    static final class CommittingModelSink
            implements SinkFunction<AmpRecord>, CheckpointedFunction, CheckpointListener {
        static final Map<String, Long> APPLIED = new ConcurrentHashMap<>();

        private final String model;
        private final List<AmpRecord> open = new ArrayList<>();
        private final TreeMap<Long, List<AmpRecord>> pending = new TreeMap<>();
        private transient ListState<Tuple2<Long, AmpRecord>> state;

        CommittingModelSink(String model) {
            this.model = model;
        }

        @Override
        public void invoke(AmpRecord value, Context context) {
            open.add(value);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            pending.put(context.getCheckpointId(), new ArrayList<>(open));
            open.clear();
            List<Tuple2<Long, AmpRecord>> entries = new ArrayList<>();
            pending.forEach((id, records) -> records.forEach(r -> entries.add(Tuple2.of(id, r))));
            state.update(entries);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "pending",
                                            new TupleTypeInfo<>(
                                                    Types.LONG, AmpRecordTypeInfo.INSTANCE)));
            if (context.isRestored()) {
                for (Tuple2<Long, AmpRecord> e : state.get()) {
                    pending.computeIfAbsent(e.f0, id -> new ArrayList<>()).add(e.f1);
                }
                // A restore is from a completed checkpoint: what it covers is committed.
                notifyCheckpointComplete(context.getRestoredCheckpointId().orElse(Long.MAX_VALUE));
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            ChainModel m = MODELS.get(model);
            while (!pending.isEmpty() && pending.firstKey() <= checkpointId) {
                Map.Entry<Long, List<AmpRecord>> next = pending.pollFirstEntry();
                if (next.getKey() > APPLIED.getOrDefault(model, -1L)) {
                    next.getValue().forEach(m::apply);
                    APPLIED.put(model, next.getKey());
                }
            }
        }
    }
}
