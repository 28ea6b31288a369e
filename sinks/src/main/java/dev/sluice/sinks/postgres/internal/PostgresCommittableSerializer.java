package dev.sluice.sinks.postgres.internal;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serializer of {@link PostgresCommittable}. */
public final class PostgresCommittableSerializer
        implements SimpleVersionedSerializer<PostgresCommittable> {

    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PostgresCommittable c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(c.gid());
        out.writeLong(c.checkpointId());
        out.writeInt(c.subtask());
        out.writeLong(c.rows());
        out.writeBoolean(c.hasPreparedPart());
        byte[] payload = c.walPayload();
        out.writeInt(payload == null ? -1 : payload.length);
        if (payload != null) {
            out.write(payload);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public PostgresCommittable deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case 1:
                {
                    DataInputDeserializer in = new DataInputDeserializer(serialized);
                    String gid = in.readUTF();
                    long checkpointId = in.readLong();
                    int subtask = in.readInt();
                    long rows = in.readLong();
                    boolean prepared = in.readBoolean();
                    int len = in.readInt();
                    byte[] payload = null;
                    if (len >= 0) {
                        payload = new byte[len];
                        in.readFully(payload);
                    }
                    return new PostgresCommittable(
                            gid, checkpointId, subtask, rows, prepared, payload);
                }
            default:
                throw new IOException(
                        "Unknown PostgresCommittable serializer version "
                                + version
                                + " (this build reads up to "
                                + VERSION
                                + ")");
        }
    }
}
