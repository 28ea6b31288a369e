package dev.sluice.sinks.postgres;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;

/** Builds Arrow IPC streams for tests. */
public final class ArrowBatches {

    private ArrowBatches() {}

    /** IPC stream of one batch made of {@code vectors} (closed afterwards). */
    public static byte[] ipc(List<FieldVector> vectors, DictionaryProvider dictionaries) {
        try (VectorSchemaRoot root = new VectorSchemaRoot(vectors)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ArrowStreamWriter writer =
                    new ArrowStreamWriter(root, dictionaries, Channels.newChannel(bytes))) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Schema of {@link #blocks}: {@code _block_num UInt64 NOT NULL, v Int64, label Utf8}. */
    public static Schema blocksSchema() {
        try (BufferAllocator a = new RootAllocator();
                VectorSchemaRoot root =
                        VectorSchemaRoot.of(vectors(a, 0, 0).toArray(new FieldVector[0]))) {
            return root.getSchema();
        }
    }

    /** Rows for blocks {@code [from, to)}: {@code v = block * 10}, {@code label = "b<block>"}. */
    public static byte[] blocks(long from, long to) {
        try (BufferAllocator a = new RootAllocator()) {
            return ipc(vectors(a, from, to), null);
        }
    }

    private static List<FieldVector> vectors(BufferAllocator a, long from, long to) {
        UInt8Vector block =
                new UInt8Vector(
                        org.apache.arrow.vector.types.pojo.Field.notNullable(
                                "_block_num",
                                new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, false)),
                        a);
        BigIntVector v = new BigIntVector("v", a);
        VarCharVector label = new VarCharVector("label", a);
        int n = (int) (to - from);
        for (int i = 0; i < n; i++) {
            block.setSafe(i, from + i);
            v.setSafe(i, (from + i) * 10);
            label.setSafe(i, ("b" + (from + i)).getBytes(StandardCharsets.UTF_8));
        }
        block.setValueCount(n);
        v.setValueCount(n);
        label.setValueCount(n);
        return List.of(block, v, label);
    }
}
