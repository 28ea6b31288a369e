package dev.sluice.sinks.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** The UInt64 and scale-0 decimal fast paths encode exactly what the limb arithmetic does. */
class NumericCodecTest {

    @Test
    void unsignedLongMatchesTheGeneralPath() {
        SplittableRandom random = new SplittableRandom(42);
        long[] edges = {
            0,
            1,
            9,
            10,
            9999,
            10000,
            10001,
            100_000_000L,
            1_000_000_000_000L,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            -1
        };
        try (BufferAllocator allocator = new RootAllocator();
                ArrowBuf buf = allocator.buffer(16)) {
            for (long v : edges) {
                assertSameEncoding(v, buf);
            }
            for (int i = 0; i < 100_000; i++) {
                long v = random.nextLong() >>> random.nextInt(64);
                assertSameEncoding(v, buf);
                assertSameEncoding(v * 10_000, buf);
            }
        }
    }

    private static void assertSameEncoding(long v, ArrowBuf buf) {
        CopyBuffer fast = new CopyBuffer(64);
        new NumericCodec().writeUnsignedLong(v, fast);
        // The same magnitude as a positive Decimal128 with scale 0 goes through the limbs.
        buf.setLong(0, v);
        buf.setLong(8, 0);
        CopyBuffer general = new CopyBuffer(64);
        new NumericCodec().writeDecimalLimbs(buf.memoryAddress(), 16, 0, general);
        assertThat(Arrays.copyOf(fast.array(), fast.position()))
                .as("encoding of %s", Long.toUnsignedString(v))
                .isEqualTo(Arrays.copyOf(general.array(), general.position()));
    }

    @Test
    void scaleZeroDecimalsMatchTheGeneralPath() {
        SplittableRandom random = new SplittableRandom(7);
        long[] edges = {0, 1, -1, 9999, -9999, 10000, -10000, Long.MAX_VALUE, Long.MIN_VALUE};
        try (BufferAllocator allocator = new RootAllocator();
                ArrowBuf buf = allocator.buffer(32)) {
            for (int width : new int[] {16, 32}) {
                for (long v : edges) {
                    for (long high : new long[] {v >> 63, 0, -1, 1, -2}) {
                        assertSameDecimal(buf, width, v, high);
                    }
                }
                for (int i = 0; i < 50_000; i++) {
                    long v = random.nextLong() >> random.nextInt(64);
                    assertSameDecimal(buf, width, v, v >> 63);
                    assertSameDecimal(buf, width, v, random.nextLong());
                }
            }
        }
    }

    /** A {@code width}-byte two's complement value: {@code low}, then {@code high} repeated. */
    private static void assertSameDecimal(ArrowBuf buf, int width, long low, long high) {
        buf.setLong(0, low);
        for (int k = 8; k < width; k += 8) {
            buf.setLong(k, high);
        }
        CopyBuffer fast = new CopyBuffer(64);
        new NumericCodec().writeDecimal(buf.memoryAddress(), width, 0, fast);
        CopyBuffer general = new CopyBuffer(64);
        new NumericCodec().writeDecimalLimbs(buf.memoryAddress(), width, 0, general);
        assertThat(Arrays.copyOf(fast.array(), fast.position()))
                .as("encoding of words %s, %s (width %s)", low, high, width)
                .isEqualTo(Arrays.copyOf(general.array(), general.position()));
    }
}
