package dev.sluice.sinks.postgres.internal;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serializer of {@link PostgresWriterState}. */
public final class PostgresWriterStateSerializer
        implements SimpleVersionedSerializer<PostgresWriterState> {

    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PostgresWriterState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeUTF(s.prefix());
        out.writeInt(s.subtask());
        out.writeInt(s.parallelism());
        out.writeLong(s.checkpointId());
        return out.getCopyOfBuffer();
    }

    @Override
    public PostgresWriterState deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case 1:
                {
                    DataInputDeserializer in = new DataInputDeserializer(serialized);
                    return new PostgresWriterState(
                            in.readUTF(), in.readInt(), in.readInt(), in.readLong());
                }
            default:
                throw new IOException(
                        "Unknown PostgresWriterState serializer version "
                                + version
                                + " (this build reads up to "
                                + VERSION
                                + ")");
        }
    }
}
