package dev.sluice.sinks.postgres.internal;

import java.util.Objects;

/**
 * What a writer subtask remembers per checkpoint: its transactional-id prefix, index and
 * parallelism, so that a restored writer (also after rescaling or a prefix change) knows which
 * prepared transactions may be its predecessors'.
 */
public final class PostgresWriterState {

    private final String prefix;
    private final int subtask;
    private final int parallelism;
    private final long checkpointId;

    public PostgresWriterState(String prefix, int subtask, int parallelism, long checkpointId) {
        this.prefix = Objects.requireNonNull(prefix);
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.checkpointId = checkpointId;
    }

    public String prefix() {
        return prefix;
    }

    public int subtask() {
        return subtask;
    }

    public int parallelism() {
        return parallelism;
    }

    public long checkpointId() {
        return checkpointId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PostgresWriterState)) {
            return false;
        }
        PostgresWriterState that = (PostgresWriterState) o;
        return subtask == that.subtask
                && parallelism == that.parallelism
                && checkpointId == that.checkpointId
                && prefix.equals(that.prefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefix, subtask, parallelism, checkpointId);
    }

    @Override
    public String toString() {
        return "PostgresWriterState{prefix="
                + prefix
                + ", subtask="
                + subtask
                + ", parallelism="
                + parallelism
                + ", checkpointId="
                + checkpointId
                + '}';
    }
}
