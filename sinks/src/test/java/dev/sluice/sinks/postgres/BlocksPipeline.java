package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The test pipeline: {@code fromSequence(0, n-1)} → one Arrow batch of 10 blocks per number → the
 * sink. Numbers form networks of 10 ({@code g<n/10>}); the 4th number of each network first rolls
 * back the network's last 5 blocks and re-sends them, like a reorg. Choose n so that the source's
 * split boundaries (n / parallelism) are multiples of 10: then one subtask owns each network.
 * Expected target: blocks 0..10n-1 exactly once, {@code v = 10 * block}, {@code label = 'b' ||
 * block}. Failures are injected through static switches (the MiniCluster shares the JVM).
 */
final class BlocksPipeline {

    static final TableRef TABLE = TableRef.of("blocks");

    /**
     * Fail once in map() after this many elements were processed since the test began (-1 = off).
     */
    static final AtomicLong FAIL_AT_ELEMENT = new AtomicLong(-1);

    /** Fail once in map() once this many checkpoints completed (-1 = off). */
    static final AtomicInteger FAIL_AFTER_CHECKPOINTS = new AtomicInteger(-1);

    /** Fail once in notifyCheckpointComplete of a checkpoint >= this id (-1 = off). */
    static final AtomicLong FAIL_IN_NOTIFY_FROM = new AtomicLong(-1);

    static final AtomicLong PROCESSED = new AtomicLong();
    static final AtomicInteger COMPLETED = new AtomicInteger();
    static final AtomicInteger FAILURES = new AtomicInteger();
    private static final AtomicBoolean FAILED_AT_ELEMENT = new AtomicBoolean();
    private static final AtomicBoolean FAILED_AFTER_CHECKPOINT = new AtomicBoolean();
    private static final AtomicBoolean FAILED_IN_NOTIFY = new AtomicBoolean();

    private BlocksPipeline() {}

    static void reset() {
        FAIL_AT_ELEMENT.set(-1);
        FAIL_AFTER_CHECKPOINTS.set(-1);
        FAIL_IN_NOTIFY_FROM.set(-1);
        PROCESSED.set(0);
        COMPLETED.set(0);
        FAILURES.set(0);
        FAILED_AT_ELEMENT.set(false);
        FAILED_AFTER_CHECKPOINT.set(false);
        FAILED_IN_NOTIFY.set(false);
    }

    static void build(
            StreamExecutionEnvironment env, PostgresSink sink, long batches, long sleepMs) {
        env.fromSequence(0, batches - 1)
                .flatMap(new ToBatches(sleepMs))
                .returns(PostgresSinkRecord.typeInfo())
                .name("to-batches")
                .sinkTo(sink)
                .name("postgres");
    }

    static void createTable(Connection c) throws SQLException {
        PostgresTables.ensureTable(
                c,
                TABLE,
                ArrowBatches.blocksSchema(),
                TableOptions.defaults().withNetworkColumn(true));
    }

    /** The target holds exactly the expected rows and no prepared transaction is left. */
    static void assertExactly(Connection c, long batches) throws SQLException {
        long rows = batches * 10;
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*), count(DISTINCT _block_num), min(_block_num),"
                                    + " max(_block_num), coalesce(bool_and(v = _block_num * 10 AND"
                                    + " label = 'b' || _block_num AND _network = 'g' ||"
                                    + " floor(_block_num / 100)::bigint), true) FROM blocks")) {
            rs.next();
            assertThat(rs.getLong(1)).as("rows").isEqualTo(rows);
            assertThat(rs.getLong(2)).as("distinct blocks").isEqualTo(rows);
            assertThat(rs.getLong(3)).as("first block").isEqualTo(0);
            assertThat(rs.getLong(4)).as("last block").isEqualTo(rows - 1);
            assertThat(rs.getBoolean(5)).as("row contents").isTrue();
        }
        assertThat(Pg.preparedGids(c)).as("prepared transactions left").isEmpty();
    }

    /** Number → (sometimes a rollback plus re-sent blocks) → one Arrow batch. */
    static final class ToBatches extends RichFlatMapFunction<Long, PostgresSinkRecord>
            implements CheckpointListener {

        private final long sleepMs;

        ToBatches(long sleepMs) {
            this.sleepMs = sleepMs;
        }

        @Override
        public void flatMap(Long n, Collector<PostgresSinkRecord> out) throws Exception {
            long processed = PROCESSED.incrementAndGet();
            if (FAIL_AT_ELEMENT.get() >= 0
                    && processed >= FAIL_AT_ELEMENT.get()
                    && !FAILED_AT_ELEMENT.getAndSet(true)) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("Injected failure between checkpoints at element " + n);
            }
            if (FAIL_AFTER_CHECKPOINTS.get() >= 0
                    && COMPLETED.get() >= FAIL_AFTER_CHECKPOINTS.get()
                    && !FAILED_AFTER_CHECKPOINT.getAndSet(true)) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("Injected failure after checkpoint " + COMPLETED.get());
            }
            if (sleepMs > 0) {
                Thread.sleep(sleepMs);
            }
            long from = n * 10;
            String network = "g" + (n / 10);
            if (n % 10 == 3) {
                out.collect(new RollbackRecord(TABLE, network, from - 5));
                from -= 5;
            }
            out.collect(
                    new ArrowBatchRecord(TABLE, network, ArrowBatches.blocks(from, n * 10 + 10)));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            COMPLETED.incrementAndGet();
            if (FAIL_IN_NOTIFY_FROM.get() >= 0
                    && checkpointId >= FAIL_IN_NOTIFY_FROM.get()
                    && !FAILED_IN_NOTIFY.getAndSet(true)) {
                FAILURES.incrementAndGet();
                throw new RuntimeException(
                        "Injected failure while checkpoint " + checkpointId + " commits");
            }
        }
    }
}
