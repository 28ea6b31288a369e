package dev.sluice.sources.amp.enumerator;

import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.sources.amp.split.AmpSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serializer of the enumerator's {@link AmpEnumState}. */
public final class AmpEnumStateSerializer implements SimpleVersionedSerializer<AmpEnumState> {

    public static final AmpEnumStateSerializer INSTANCE = new AmpEnumStateSerializer();

    private static final int VERSION_1 = 1;

    @Override
    public int getVersion() {
        return VERSION_1;
    }

    @Override
    public byte[] serialize(AmpEnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(state.assigned().size());
        for (String id : state.assigned()) {
            out.writeUTF(id);
        }
        out.writeInt(state.pending().size());
        for (var split : state.pending()) {
            AmpSplitSerializer.write(split, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public AmpEnumState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION_1) {
            throw new IOException(
                    "Unknown AmpEnumState serializer version "
                            + version
                            + " (this build knows "
                            + VERSION_1
                            + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int n = in.readInt();
        Set<String> assigned = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            assigned.add(in.readUTF());
        }
        int p = in.readInt();
        List<AmpSplit> pending = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            pending.add(AmpSplitSerializer.read(in));
        }
        return new AmpEnumState(assigned, pending);
    }
}
