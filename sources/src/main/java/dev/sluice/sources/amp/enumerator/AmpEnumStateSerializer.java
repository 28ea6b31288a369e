package dev.sluice.sources.amp.enumerator;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.sources.amp.split.AmpSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Versioned serializer of the enumerator's {@link AmpEnumState}. Version 1 recorded only the ids of
 * streams handed out; they are read back as specs with an unknown ({@code ""}) SQL and the id as
 * table, which the enumerator resolves against its configured streams.
 */
public final class AmpEnumStateSerializer implements SimpleVersionedSerializer<AmpEnumState> {

    public static final AmpEnumStateSerializer INSTANCE = new AmpEnumStateSerializer();

    static final int VERSION_1 = 1;
    private static final int VERSION_2 = 2;

    @Override
    public int getVersion() {
        return VERSION_2;
    }

    @Override
    public byte[] serialize(AmpEnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        writeSpecs(state.assigned(), out);
        out.writeInt(state.pending().size());
        for (AmpSplit split : state.pending()) {
            AmpSplitSerializer.write(split, out);
        }
        writeSpecs(state.removing(), out);
        writeSpecs(state.held(), out);
        out.writeInt(state.draining().size());
        for (String table : state.draining()) {
            out.writeUTF(table);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public AmpEnumState deserialize(int version, byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        switch (version) {
            case VERSION_1:
                {
                    int n = in.readInt();
                    List<AmpStreamSpec> assigned = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String id = in.readUTF();
                        assigned.add(new AmpStreamSpec(id, id, ""));
                    }
                    return new AmpEnumState(assigned, readPending(in));
                }
            case VERSION_2:
                {
                    List<AmpStreamSpec> assigned = readSpecs(in);
                    List<AmpSplit> pending = readPending(in);
                    List<AmpStreamSpec> removing = readSpecs(in);
                    List<AmpStreamSpec> held = readSpecs(in);
                    int d = in.readInt();
                    Set<String> draining = new TreeSet<>();
                    for (int i = 0; i < d; i++) {
                        draining.add(in.readUTF());
                    }
                    return new AmpEnumState(assigned, pending, removing, held, draining);
                }
            default:
                throw new IOException(
                        "Unknown AmpEnumState serializer version "
                                + version
                                + " (this build knows "
                                + VERSION_1
                                + " and "
                                + VERSION_2
                                + "): was the checkpoint written by a newer Sluice?");
        }
    }

    private static List<AmpSplit> readPending(DataInputView in) throws IOException {
        int p = in.readInt();
        List<AmpSplit> pending = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            pending.add(AmpSplitSerializer.read(in));
        }
        return pending;
    }

    private static void writeSpecs(List<AmpStreamSpec> specs, DataOutputView out)
            throws IOException {
        out.writeInt(specs.size());
        for (AmpStreamSpec s : specs) {
            AmpSplitSerializer.write(AmpSplit.fresh(s), out);
        }
    }

    private static List<AmpStreamSpec> readSpecs(DataInputView in) throws IOException {
        int n = in.readInt();
        List<AmpStreamSpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            specs.add(AmpSplitSerializer.read(in).stream());
        }
        return specs;
    }
}
