package dev.sluice.sinks.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.ArrowBatches;
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
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

/** Batches decode to their values; the root is kept while the schema repeats, memory is freed. */
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
            assertThat(allocator.getAllocatedMemory()).isZero();

            VectorSchemaRoot second = decoder.start(ArrowBatches.blocks(500, 501));
            assertThat(second).isSameAs(first);
            assertThat(decoder.loadNext()).isTrue();
            assertThat(blocks(second)).containsExactly(500L);
            assertThat(decoder.loadNext()).isFalse();
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
