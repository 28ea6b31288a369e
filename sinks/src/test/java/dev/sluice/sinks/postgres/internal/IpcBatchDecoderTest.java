package dev.sluice.sinks.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.ArrowBatches;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
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

/**
 * Batches decode to their values; the root and the body buffer are kept while the schema repeats,
 * and all memory is freed on close.
 */
class IpcBatchDecoderTest {

    @Test
    void streamsOfOneSchemaShareTheRootAndDecodeTheirOwnRows() throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                IpcBatchDecoder decoder = new IpcBatchDecoder(allocator)) {
            VectorSchemaRoot first = decoder.start(ArrowBatches.blocks(10, 13));
            assertThat(decoder.loadNext()).isTrue();
            assertThat(blocks(first)).containsExactly(10L, 11L, 12L);
            assertThat(((VarCharVector) first.getVector("label")).getObject(2).toString())
                    .isEqualTo("b12");
            assertThat(decoder.loadNext()).isFalse();
            decoder.release();
            // Only the body buffer stays, for the next batch; the root holds no batch memory.
            assertThat(first.getRowCount()).isZero();
            for (FieldVector v : first.getFieldVectors()) {
                assertThat(v.getDataBuffer().capacity()).as(v.getName()).isZero();
            }
            assertThat(allocator.getAllocatedMemory())
                    .isLessThanOrEqualTo(ArrowBatches.blocks(10, 13).length);

            VectorSchemaRoot second = decoder.start(ArrowBatches.blocks(500, 501));
            assertThat(second).isSameAs(first);
            assertThat(decoder.loadNext()).isTrue();
            assertThat(blocks(second)).containsExactly(500L);
            assertThat(decoder.loadNext()).isFalse();
            decoder.release();
        }
    }

    @Test
    void batchesOfOneStreamDecodeThroughTheReusedBodyBuffer() throws IOException {
        int[] sizes = {3, 5000, 2, 20_000, 1};
        try (BufferAllocator allocator = new RootAllocator()) {
            byte[] stream;
            try (BufferAllocator a = new RootAllocator();
                    IntVector x = new IntVector("x", a);
                    VectorSchemaRoot root = VectorSchemaRoot.of(x);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
                writer.start();
                for (int b = 0; b < sizes.length; b++) {
                    x.allocateNew(sizes[b]);
                    for (int i = 0; i < sizes[b]; i++) {
                        x.set(i, b * 1_000_000 + i);
                    }
                    root.setRowCount(sizes[b]);
                    writer.writeBatch();
                }
                writer.end();
                stream = out.toByteArray();
            }
            try (IpcBatchDecoder decoder = new IpcBatchDecoder(allocator)) {
                for (int pass = 0; pass < 2; pass++) {
                    VectorSchemaRoot root = decoder.start(stream);
                    for (int b = 0; b < sizes.length; b++) {
                        assertThat(decoder.loadNext()).isTrue();
                        IntVector x = (IntVector) root.getVector("x");
                        assertThat(root.getRowCount()).isEqualTo(sizes[b]);
                        for (int i = 0; i < sizes[b]; i++) {
                            assertThat(x.get(i)).isEqualTo(b * 1_000_000 + i);
                        }
                    }
                    assertThat(decoder.loadNext()).isFalse();
                    decoder.release();
                }
            }
            assertThat(allocator.getAllocatedMemory()).isZero();
        }
    }

    @Test
    void aTruncatedBatchFailsWithTheReason() throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                IpcBatchDecoder decoder = new IpcBatchDecoder(allocator)) {
            byte[] stream = ArrowBatches.blocks(0, 100);
            // Drops the end-of-stream marker and the last bytes of the batch's body.
            decoder.start(Arrays.copyOf(stream, stream.length - 16));
            assertThatThrownBy(decoder::loadNext)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Truncated Arrow IPC stream");
            decoder.release();
        }
    }

    @Test
    void anotherSchemaGetsAnotherRoot() throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            try (IpcBatchDecoder decoder = new IpcBatchDecoder(allocator)) {
                VectorSchemaRoot blocks = decoder.start(ArrowBatches.blocks(0, 2));
                decoder.release();
                VectorSchemaRoot other;
                try (BufferAllocator a = new RootAllocator();
                        IntVector x = new IntVector("x", a)) {
                    x.setSafe(0, 42);
                    x.setValueCount(1);
                    other = decoder.start(ArrowBatches.ipc(List.<FieldVector>of(x), null));
                }
                assertThat(other).isNotSameAs(blocks);
                assertThat(other.getSchema().getFields())
                        .extracting(Field::getName)
                        .containsExactly("x");
                assertThat(decoder.loadNext()).isTrue();
                assertThat(((IntVector) other.getVector("x")).get(0)).isEqualTo(42);
                decoder.release();
            }
            assertThat(allocator.getAllocatedMemory()).isZero();
        }
    }

    @Test
    void dictionaryEncodedSchemasAreLeftToTheStreamReader() throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                IpcBatchDecoder decoder = new IpcBatchDecoder(allocator);
                VarCharVector values = new VarCharVector("values", allocator)) {
            values.setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
            values.setValueCount(1);
            DictionaryEncoding encoding = new DictionaryEncoding(3L, false, null);
            DictionaryProvider dictionaries =
                    new DictionaryProvider.MapDictionaryProvider(new Dictionary(values, encoding));
            Field field =
                    new Field(
                            "kind",
                            new FieldType(true, new ArrowType.Int(32, true), encoding),
                            null);
            IntVector kind = (IntVector) field.createVector(allocator);
            kind.setSafe(0, 0);
            kind.setValueCount(1);
            byte[] ipc = ArrowBatches.ipc(List.<FieldVector>of(kind), dictionaries);
            assertThat(decoder.start(ipc)).isNull();
        }
    }

    @Test
    void bytesThatAreNoStreamFailWithTheReason() {
        try (BufferAllocator allocator = new RootAllocator();
                IpcBatchDecoder decoder = new IpcBatchDecoder(allocator)) {
            byte[] stream = ArrowBatches.blocks(0, 1);
            assertThatThrownBy(() -> decoder.start(Arrays.copyOf(stream, 20)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Not an Arrow IPC stream");
            assertThatThrownBy(() -> decoder.start(new byte[3]))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Not an Arrow IPC stream");
        }
    }

    private static List<Long> blocks(VectorSchemaRoot root) {
        UInt8Vector v = (UInt8Vector) root.getVector("_block_num");
        Long[] out = new Long[root.getRowCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.getObjectNoOverflow(i).longValue();
        }
        return List.of(out);
    }
}
