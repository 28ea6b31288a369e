package dev.sluice.sinks.postgres.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One checkpoint's work of one writer subtask, to be committed once the checkpoint completes. In
 * prepared mode it names the prepared transaction; in wal mode it also carries the serialized
 * records ({@link #walPayload}), so they live in Flink state until applied.
 */
public final class PostgresCommittable {

    private final String gid;
    private final long checkpointId;
    private final int subtask;
    private final long rows;
    private final byte[] walPayload;

    public PostgresCommittable(
            String gid, long checkpointId, int subtask, long rows, byte[] walPayload) {
        this.gid = Objects.requireNonNull(gid);
        this.checkpointId = checkpointId;
        this.subtask = subtask;
        this.rows = rows;
        this.walPayload = walPayload;
    }

    public static PostgresCommittable prepared(
            String gid, long checkpointId, int subtask, long rows) {
        return new PostgresCommittable(gid, checkpointId, subtask, rows, null);
    }

    public String gid() {
        return gid;
    }

    public long checkpointId() {
        return checkpointId;
    }

    public int subtask() {
        return subtask;
    }

    /** Records (wal) or rows (prepared) in the transaction. */
    public long rows() {
        return rows;
    }

    public boolean isWal() {
        return walPayload != null;
    }

    /** Serialized records of a wal committable (not a copy), or null. */
    public byte[] walPayload() {
        return walPayload;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PostgresCommittable)) {
            return false;
        }
        PostgresCommittable that = (PostgresCommittable) o;
        return checkpointId == that.checkpointId
                && subtask == that.subtask
                && rows == that.rows
                && gid.equals(that.gid)
                && Arrays.equals(walPayload, that.walPayload);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(gid, checkpointId, subtask, rows) + Arrays.hashCode(walPayload);
    }

    @Override
    public String toString() {
        return "PostgresCommittable{gid="
                + gid
                + ", checkpointId="
                + checkpointId
                + ", subtask="
                + subtask
                + ", rows="
                + rows
                + (walPayload == null ? "" : ", walBytes=" + walPayload.length)
                + '}';
    }
}
