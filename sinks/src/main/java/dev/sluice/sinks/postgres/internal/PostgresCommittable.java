package dev.sluice.sinks.postgres.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One checkpoint's work of one writer subtask, to be committed once the checkpoint completes: a
 * prepared transaction named {@link #gid} (if {@link #hasPreparedPart}), then serialized records
 * kept in Flink state ({@link #walPayload}, if any) that the committer applies afterwards in one
 * transaction with its own marker (wal mode, or records that had to wait for earlier commits).
 */
public final class PostgresCommittable {

    private final String gid;
    private final long checkpointId;
    private final int subtask;
    private final long rows;
    private final boolean preparedPart;
    private final byte[] walPayload;

    public PostgresCommittable(
            String gid,
            long checkpointId,
            int subtask,
            long rows,
            boolean preparedPart,
            byte[] walPayload) {
        this.gid = Objects.requireNonNull(gid);
        this.checkpointId = checkpointId;
        this.subtask = subtask;
        this.rows = rows;
        this.preparedPart = preparedPart;
        this.walPayload = walPayload;
        if (!preparedPart && walPayload == null) {
            throw new IllegalArgumentException("A committable needs a prepared or a wal part");
        }
    }

    public static PostgresCommittable prepared(
            String gid, long checkpointId, int subtask, long rows) {
        return new PostgresCommittable(gid, checkpointId, subtask, rows, true, null);
    }

    public static PostgresCommittable wal(
            String gid, long checkpointId, int subtask, long records, byte[] payload) {
        return new PostgresCommittable(gid, checkpointId, subtask, records, false, payload);
    }

    /** Whether a transaction named {@link #gid} was prepared. */
    public boolean hasPreparedPart() {
        return preparedPart;
    }

    /** Marker key of the wal part: the gid itself, or gid + "-w" next to a prepared part. */
    public String walMarker() {
        return preparedPart ? gid + "-w" : gid;
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

    /** Rows of the prepared part plus records of the wal part. */
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
                && preparedPart == that.preparedPart
                && gid.equals(that.gid)
                && Arrays.equals(walPayload, that.walPayload);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(gid, checkpointId, subtask, rows, preparedPart)
                + Arrays.hashCode(walPayload);
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
                + (preparedPart ? ", prepared" : "")
                + (walPayload == null ? "" : ", walBytes=" + walPayload.length)
                + '}';
    }
}
