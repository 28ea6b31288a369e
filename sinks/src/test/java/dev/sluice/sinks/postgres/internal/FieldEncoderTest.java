package dev.sluice.sinks.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/** Null tests read the validity bitmap directly; they must agree with the vector's own. */
class FieldEncoderTest {

    private static final int ROWS = 1_000;

    @Test
    void nullsReadFromTheBitmapAreTheVectorsNulls() {
        try (BufferAllocator allocator = new RootAllocator();
                BigIntVector longs = new BigIntVector("longs", allocator);
                VarCharVector text = new VarCharVector("text", allocator);
                LargeVarCharVector large = new LargeVarCharVector("large", allocator);
                BitVector bits = new BitVector("bits", allocator)) {
            for (int i = 0; i < ROWS; i++) {
                // Nulls at every bit position of the bitmap's bytes, in varying runs.
                boolean isNull = i % 7 == 3 || i % 11 == 0 || (i / 8) % 5 == 2;
                byte[] utf8 = ("v" + i).getBytes(StandardCharsets.UTF_8);
                if (isNull) {
                    longs.setNull(i);
                    text.setNull(i);
                    large.setNull(i);
                    bits.setNull(i);
                } else {
                    longs.setSafe(i, i);
                    text.setSafe(i, utf8);
                    large.setSafe(i, utf8);
                    bits.setSafe(i, i % 2);
                }
            }
            for (FieldVector v : List.<FieldVector>of(longs, text, large, bits)) {
                v.setValueCount(ROWS);
                FieldEncoder encoder = EncoderFactory.create(v, null);
                assertThat(encoder.checkNulls).as(v.getName()).isTrue();
                CopyBuffer out = new CopyBuffer(64);
                for (int i = 0; i < ROWS; i++) {
                    assertThat(encoder.isNull(i))
                            .as("%s row %d", v.getName(), i)
                            .isEqualTo(v.isNull(i));
                    out.reset();
                    encoder.writeBinary(i, out);
                    int length = ByteBuffer.wrap(out.array(), 0, 4).getInt();
                    assertThat(length == -1).as("%s row %d", v.getName(), i).isEqualTo(v.isNull(i));
                }
            }
        }
    }
}
