package dev.sluice.sinks.postgres.internal;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Encodes fixed-width two's-complement integers (Arrow Decimal128/256, UInt64) as PostgreSQL binary
 * NUMERIC without allocating: the magnitude is held in reused 32-bit limbs and divided by 10000
 * (NUMERIC's digit base) in place. One instance per encoder; not thread-safe.
 */
final class NumericCodec {

    private static final int NBASE = 10000;
    private static final long BASE_SQUARED = 100_000_000L;
    private static final int[] POW10 = {1, 10, 100, 1000};
    private static final int SIGN_NEG = 0x4000;

    /**
     * Magnitudes below this (10^16) have at most four base-10000 digits: {@link
     * CopyBuffer#putSmallNumeric}.
     */
    static final long SMALL_LIMIT = BASE_SQUARED * BASE_SQUARED;

    /** Little-endian 32-bit limbs of the magnitude (+1 limb for the scale alignment). */
    private final int[] limbs = new int[9];

    /** Base-10000 digits, least significant first. */
    private final short[] digits = new short[24];

    /**
     * Writes a signed little-endian integer of {@code width} bytes at {@code address} (checked by
     * the caller), scaled by 10^-scale.
     */
    void writeDecimal(long address, int width, int scale, CopyBuffer out) {
        if (scale == 0) {
            // The common case (fees, gas prices, most difficulties): the value fits in a long,
            // all higher words are its sign extension; plain long division instead of limbs.
            long low = MemoryUtil.getLong(address);
            long extension = low >> 63;
            boolean fits = low != Long.MIN_VALUE;
            for (int k = 8; fits && k < width; k += 8) {
                fits = MemoryUtil.getLong(address + k) == extension;
            }
            if (fits) {
                long magnitude = Math.abs(low);
                if (magnitude < SMALL_LIMIT) {
                    out.putSmallNumeric(magnitude, low < 0 ? SIGN_NEG : 0);
                } else {
                    writeInteger(appendDigits(magnitude, 0), low < 0, out);
                }
                return;
            }
        }
        writeDecimalLimbs(address, width, scale, out);
    }

    /** The general path of {@link #writeDecimal}: any width and scale, through 32-bit limbs. */
    void writeDecimalLimbs(long address, int width, int scale, CopyBuffer out) {
        int n = width / 4;
        for (int k = 0; k < n; k++) {
            limbs[k] = MemoryUtil.getInt(address + 4L * k);
        }
        boolean negative = limbs[n - 1] < 0;
        if (negative) {
            long carry = 1;
            for (int k = 0; k < n; k++) {
                long v = (~limbs[k] & 0xFFFFFFFFL) + carry;
                limbs[k] = (int) v;
                carry = v >>> 32;
            }
        }
        encode(n, negative, scale, out);
    }

    /** Writes an unsigned 64-bit integer (NUMERIC(20,0)). */
    void writeUnsignedLong(long value, CopyBuffer out) {
        if (value >= 0 && value < SMALL_LIMIT) {
            // Block numbers, gas, timestamps: four digits at most, encoded without the digit array.
            out.putSmallNumeric(value, 0);
            return;
        }
        int count = 0;
        if (value < 0) {
            // Above Long.MAX_VALUE: one unsigned division brings it into the signed range.
            long q = Long.divideUnsigned(value, BASE_SQUARED);
            count = appendPair((int) (value - q * BASE_SQUARED), count);
            value = q;
        }
        // The common case (block numbers, indexes, gas): a few divisions by constants.
        writeInteger(appendDigits(value, count), false, out);
    }

    /** NUMERIC with scale 0 of the digits in {@link #digits} and a sign. */
    private void writeInteger(int count, boolean negative, CopyBuffer out) {
        int low = 0;
        while (low < count && digits[low] == 0) {
            low++;
        }
        int ndigits = count - low;
        out.putNumeric(
                digits,
                low,
                count,
                ndigits == 0 ? 0 : count - 1,
                negative && ndigits > 0 ? SIGN_NEG : 0,
                0);
    }

    /**
     * Appends the base-10000 digits of a non-negative {@code v}, least significant first, without
     * leading zeros; returns the new digit count. Divides by 10^8 while the value needs it (at most
     * twice), then with int arithmetic: constant divisors the JIT turns into multiplications.
     */
    private int appendDigits(long v, int count) {
        while (v >= BASE_SQUARED) {
            long q = v / BASE_SQUARED;
            count = appendPair((int) (v - q * BASE_SQUARED), count);
            v = q;
        }
        for (int r = (int) v; r != 0; r /= NBASE) {
            digits[count++] = (short) (r % NBASE);
        }
        return count;
    }

    /** Appends the two base-10000 digits of {@code r} (below 10^8), the lower first. */
    private int appendPair(int r, int count) {
        digits[count] = (short) (r % NBASE);
        digits[count + 1] = (short) (r / NBASE);
        return count + 2;
    }

    private void encode(int n, boolean negative, int scale, CopyBuffer out) {
        // Align the scale to whole base-10000 digits: multiply by 10^pad.
        int pad = (4 - scale % 4) % 4;
        limbs[n] = 0;
        int used = n + 1;
        if (pad > 0) {
            long mul = POW10[pad];
            long carry = 0;
            for (int k = 0; k < used; k++) {
                long v = (limbs[k] & 0xFFFFFFFFL) * mul + carry;
                limbs[k] = (int) v;
                carry = v >>> 32;
            }
        }
        int top = used - 1;
        while (top >= 0 && limbs[top] == 0) {
            top--;
        }
        // Divide the limbs by 10^8 (two digits per pass) until the rest fits in a signed long.
        int count = 0;
        while (top > 1 || (top == 1 && limbs[1] < 0)) {
            long rem = 0;
            for (int k = top; k >= 0; k--) {
                long cur = (rem << 32) | (limbs[k] & 0xFFFFFFFFL);
                long q = cur / BASE_SQUARED;
                limbs[k] = (int) q;
                rem = cur - q * BASE_SQUARED;
            }
            count = appendPair((int) rem, count);
            while (top >= 0 && limbs[top] == 0) {
                top--;
            }
        }
        long rest = top < 0 ? 0 : top == 0 ? limbs[0] & 0xFFFFFFFFL : limbsAsLong();
        // After a pass the rest is at least 2^63 / 10^8, so the top digit is never zero.
        count = appendDigits(rest, count);
        int fractionDigits = (scale + pad) / 4;
        int weight = count - 1 - fractionDigits;
        int low = 0;
        while (low < count && digits[low] == 0) {
            low++;
        }
        int ndigits = count - low;
        if (ndigits == 0) {
            weight = 0;
            negative = false;
        }
        out.putNumeric(digits, low, count, weight, negative ? SIGN_NEG : 0, scale);
    }

    private long limbsAsLong() {
        return ((long) limbs[1] << 32) | (limbs[0] & 0xFFFFFFFFL);
    }
}
