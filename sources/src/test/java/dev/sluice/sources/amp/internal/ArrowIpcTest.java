package dev.sluice.sources.amp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

/** The cached-schema writer produces exactly the bytes {@code ArrowStreamWriter} does. */
class ArrowIpcTest {

    @Test
    void everyBatchOfOneRootMatchesArrowStreamWriter() throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                BigIntVector block = new BigIntVector("_block_num", allocator);
                VarCharVector data = new VarCharVector("data", allocator);
                VectorSchemaRoot root = VectorSchemaRoot.of(block, data)) {
            ArrowIpc ipc = new ArrowIpc();
            for (int batch = 0; batch < 3; batch++) {
                // Row counts 3, 10, 1 and a null: buffers of different sizes and padding.
                int rows = new int[] {3, 10, 1}[batch];
                root.allocateNew();
                for (int r = 0; r < rows; r++) {
                    block.setSafe(r, batch * 100L + r);
                    if (r == 1) {
                        data.setNull(r);
                    } else {
                        data.setSafe(
                                r, ("row " + batch + "/" + r).getBytes(StandardCharsets.UTF_8));
                    }
                }
                root.setRowCount(rows);
                assertThat(ipc.write(root, null)).isEqualTo(streamWriter(root, null));
            }
        }
    }

    @Test
    void aNewRootWritesItsOwnSchema() throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            ArrowIpc ipc = new ArrowIpc();
            try (BigIntVector a = new BigIntVector("a", allocator);
                    VectorSchemaRoot root = VectorSchemaRoot.of(a)) {
                a.setSafe(0, 7);
                root.setRowCount(1);
                assertThat(ipc.write(root, null)).isEqualTo(streamWriter(root, null));
            }
            try (IntVector b = new IntVector("b", allocator);
                    VectorSchemaRoot root = VectorSchemaRoot.of(b)) {
                b.setSafe(0, 8);
                root.setRowCount(1);
                assertThat(ipc.write(root, null)).isEqualTo(streamWriter(root, null));
            }
        }
    }

    @Test
    void dictionaryEncodedColumnsCarryTheirDictionaries() throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                VarCharVector values = new VarCharVector("values", allocator)) {
            values.setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
            values.setSafe(1, "y".getBytes(StandardCharsets.UTF_8));
            values.setValueCount(2);
            DictionaryEncoding encoding = new DictionaryEncoding(1L, false, null);
            DictionaryProvider.MapDictionaryProvider dictionaries =
                    new DictionaryProvider.MapDictionaryProvider(new Dictionary(values, encoding));
            Field field =
                    new Field(
                            "kind",
                            new FieldType(true, new ArrowType.Int(32, true), encoding),
                            null);
            try (IntVector kind = (IntVector) field.createVector(allocator);
                    VectorSchemaRoot root = VectorSchemaRoot.of(kind)) {
                kind.setSafe(0, 1);
                kind.setSafe(1, 0);
                root.setRowCount(2);
                byte[] bytes = new ArrowIpc().write(root, dictionaries);
                assertThat(bytes).isEqualTo(streamWriter(root, dictionaries));
            }
        }
    }

    private static byte[] streamWriter(VectorSchemaRoot root, DictionaryProvider dictionaries)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowStreamWriter writer =
                new ArrowStreamWriter(root, dictionaries, Channels.newChannel(out))) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        return out.toByteArray();
    }
}
