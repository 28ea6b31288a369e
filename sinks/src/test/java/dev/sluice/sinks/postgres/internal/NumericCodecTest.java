package dev.sluice.sinks.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * The limb arithmetic encodes what BigInteger arithmetic says PostgreSQL's NUMERIC is, and the
 * UInt64 and scale-0 decimal fast paths encode exactly what the limb arithmetic does.
 */
class NumericCodecTest {

    @Test
    void generalPathMatchesBigIntegerArithmetic() {
        SplittableRandom random = new SplittableRandom(11);
        try (BufferAllocator allocator = new RootAllocator();
                ArrowBuf buf = allocator.buffer(32)) {
            for (int width : new int[] {16, 32}) {
                List<BigInteger> values = new ArrayList<>();
                for (BigInteger edge :
                        new BigInteger[] {
                            BigInteger.ZERO,
                            BigInteger.ONE,
                            BigInteger.TEN.pow(8),
                            BigInteger.TEN.pow(16),
                            BigInteger.TEN.pow(32),
                            BigInteger.ONE.shiftLeft(63),
                            BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE),
                            BigInteger.ONE.shiftLeft(width * 8 - 1).subtract(BigInteger.ONE)
                        }) {
                    values.add(edge);
                    values.add(edge.negate());
                }
                values.add(BigInteger.ONE.shiftLeft(width * 8 - 1).negate());
                for (int i = 0; i < 20_000; i++) {
                    BigInteger v =
                            new BigInteger(
                                    1 + random.nextInt(width * 8 - 1), new java.util.Random(i));
                    values.add(random.nextBoolean() ? v : v.negate());
                }
                for (BigInteger v : values) {
                    int scale = random.nextInt(39);
                    byte[] le = new byte[width];
                    byte[] be = v.toByteArray();
                    for (int k = 0; k < width; k++) {
                        int from = be.length - 1 - k;
                        le[k] = from >= 0 ? be[from] : (byte) (v.signum() < 0 ? -1 : 0);
                    }
                    buf.setBytes(0, le);
                    CopyBuffer general = new CopyBuffer(64);
                    new NumericCodec()
                            .writeDecimalLimbs(buf.memoryAddress(), width, scale, general);
                    assertThat(Arrays.copyOf(general.array(), general.position()))
                            .as("encoding of %s scale %s (width %s)", v, scale, width)
                            .isEqualTo(reference(v, scale));
                }
            }
        }
    }

    /** PostgreSQL's binary NUMERIC of unscaled × 10^-scale, from BigInteger arithmetic. */
    private static byte[] reference(BigInteger unscaled, int scale) {
        int pad = (4 - scale % 4) % 4;
        BigInteger magnitude = unscaled.abs().multiply(BigInteger.TEN.pow(pad));
        List<Integer> digits = new ArrayList<>();
        BigInteger base = BigInteger.valueOf(10000);
        while (magnitude.signum() > 0) {
            BigInteger[] qr = magnitude.divideAndRemainder(base);
            digits.add(qr[1].intValue());
            magnitude = qr[0];
        }
        int low = 0;
        while (low < digits.size() && digits.get(low) == 0) {
            low++;
        }
        int ndigits = digits.size() - low;
        int weight = ndigits == 0 ? 0 : digits.size() - 1 - (scale + pad) / 4;
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(12 + 2 * ndigits);
        out.putInt(8 + 2 * ndigits).putShort((short) ndigits).putShort((short) weight);
        out.putShort((short) (unscaled.signum() < 0 ? 0x4000 : 0)).putShort((short) scale);
        for (int k = digits.size() - 1; k >= low; k--) {
            out.putShort(digits.get(k).shortValue());
        }
        return out.array();
    }

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
            1_0000_0000_0001L, // zero digits between non-zero ones
            9_999_999_999_999_999L, // the largest four-digit value
            10_000_000_000_000_000L, // the smallest with five digits
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
        long[] edges = {
            0,
            1,
            -1,
            9999,
            -9999,
            10000,
            -10000,
            -1_0000_0000_0000L,
            9_999_999_999_999_999L,
            -9_999_999_999_999_999L,
            10_000_000_000_000_000L,
            -10_000_000_000_000_000L,
            Long.MAX_VALUE,
            Long.MIN_VALUE
        };
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
