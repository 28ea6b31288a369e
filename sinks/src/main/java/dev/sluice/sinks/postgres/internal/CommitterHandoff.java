package dev.sluice.sinks.postgres.internal;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The sink's pre-commit topology: a pass-through that starts a new operator chain, so Flink's
 * committer operator (chained behind it) runs in its own task instead of the writer's.
 *
 * <p>Why: chained, every checkpoint's {@code COMMIT PREPARED} (a round trip and a WAL fsync) ran on
 * the writer's task thread between {@code PREPARE} and the next COPY, and the server received no
 * COPY data meanwhile. Unchained, the writer starts the next checkpoint's COPY right after {@code
 * PREPARE} while the committer commits the previous one on its own connection. Flink's semantics
 * are unchanged: the committer operator still commits a checkpoint's committables only after that
 * checkpoint completed, keeps them in its state until {@link PostgresCommitter#commit} returned,
 * and replays them after a restore. The committables travel writer → committer on a forward channel
 * ahead of the barrier, so the committer's snapshot of checkpoint n holds them.
 */
public final class CommitterHandoff {

    /** The operator's name in the job graph (the sink's name is prefixed by Flink). */
    public static final String NAME = "Commit Handoff";

    private CommitterHandoff() {}

    public static DataStream<CommittableMessage<PostgresCommittable>> addTo(
            DataStream<CommittableMessage<PostgresCommittable>> committables) {
        return committables
                .map(new PassThrough())
                .returns(committables.getType())
                .name(NAME)
                .startNewChain();
    }

    /** Forwards each committable message unchanged. */
    private static final class PassThrough
            implements MapFunction<
                    CommittableMessage<PostgresCommittable>,
                    CommittableMessage<PostgresCommittable>> {
        private static final long serialVersionUID = 1L;

        @Override
        public CommittableMessage<PostgresCommittable> map(
                CommittableMessage<PostgresCommittable> message) {
            return message;
        }
    }
}
