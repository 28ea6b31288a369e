package dev.sluice.sources.amp.split;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Versioned serializer of {@link AmpSplit}s (checkpointed by readers, sent by the enumerator). */
public final class AmpSplitSerializer implements SimpleVersionedSerializer<AmpSplit> {

    public static final AmpSplitSerializer INSTANCE = new AmpSplitSerializer();

    private static final int VERSION_1 = 1;

    @Override
    public int getVersion() {
        return VERSION_1;
    }

    @Override
    public byte[] serialize(AmpSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public AmpSplit deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case VERSION_1:
                return read(new DataInputDeserializer(serialized));
            default:
                throw new IOException(
                        "Unknown AmpSplit serializer version "
                                + version
                                + " (this build knows "
                                + VERSION_1
                                + "): was the checkpoint written by a newer Sluice?");
        }
    }

    /** Writes the version-1 form; the enumerator state embeds splits this way. */
    public static void write(AmpSplit split, DataOutputView out) throws IOException {
        AmpStreamSpec s = split.stream();
        out.writeUTF(s.id());
        out.writeUTF(s.table());
        writeLongString(s.sql(), out);
        Map<String, BlockRef> cursor = split.cursor().blocks();
        out.writeInt(cursor.size());
        for (Map.Entry<String, BlockRef> e : cursor.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().number());
            out.writeUTF(e.getValue().hash());
        }
        out.writeInt(split.partial().size());
        for (Map.Entry<String, Long> e : split.partial().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    public static AmpSplit read(DataInputView in) throws IOException {
        AmpStreamSpec spec = new AmpStreamSpec(in.readUTF(), in.readUTF(), readLongString(in));
        int n = in.readInt();
        Map<String, BlockRef> cursor = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            cursor.put(in.readUTF(), new BlockRef(in.readLong(), in.readUTF()));
        }
        int p = in.readInt();
        Map<String, Long> partial = new TreeMap<>();
        for (int i = 0; i < p; i++) {
            partial.put(in.readUTF(), in.readLong());
        }
        return new AmpSplit(spec, new ResumeCursor(cursor), partial);
    }

    /** SQL may exceed writeUTF's 64 KiB limit. */
    private static void writeLongString(String s, DataOutputView out) throws IOException {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readLongString(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
