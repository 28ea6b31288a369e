package dev.sluice.sinks.postgres.internal;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Encodes fixed-width two's-complement integers (Arrow Decimal128/256, UInt64) as PostgreSQL binary
 * NUMERIC without allocating: the magnitude is held in reused 32-bit limbs and divided by 10000
 * (NUMERIC's digit base) in place. One instance per encoder; not thread-safe.
 */
final class NumericCodec {

    private static final int NBASE = 10000;
    private static final int[] POW10 = {1, 10, 100, 1000};
    private static final int SIGN_NEG = 0x4000;

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
                writeInteger(Math.abs(low), low < 0, out);
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
        if (value < 0) {
            // Above Long.MAX_VALUE: the general limb arithmetic.
            limbs[0] = (int) value;
            limbs[1] = (int) (value >>> 32);
            encode(2, false, 0, out);
            return;
        }
        // The common case (block numbers, indexes, gas): plain long division, a few digits.
        writeInteger(value, false, out);
    }

    /** NUMERIC with scale 0 of a non-negative magnitude and a sign. */
    private void writeInteger(long magnitude, boolean negative, CopyBuffer out) {
        int count = 0;
        for (long v = magnitude; v != 0; v /= NBASE) {
            digits[count++] = (short) (v % NBASE);
        }
        int low = 0;
        while (low < count && digits[low] == 0) {
            low++;
        }
        int ndigits = count - low;
        out.putInt(8 + 2 * ndigits);
        out.putShort(ndigits);
        out.putShort(ndigits == 0 ? 0 : count - 1);
        out.putShort(negative && ndigits > 0 ? SIGN_NEG : 0);
        out.putShort(0);
        for (int k = count - 1; k >= low; k--) {
            out.putShort(digits[k]);
        }
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
        int count = 0;
        while (top >= 0) {
            long rem = 0;
            for (int k = top; k >= 0; k--) {
                long cur = (rem << 32) | (limbs[k] & 0xFFFFFFFFL);
                limbs[k] = (int) (cur / NBASE);
                rem = cur % NBASE;
            }
            digits[count++] = (short) rem;
            while (top >= 0 && limbs[top] == 0) {
                top--;
            }
        }
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
        out.putInt(8 + 2 * ndigits);
        out.putShort(ndigits);
        out.putShort(weight);
        out.putShort(negative ? SIGN_NEG : 0);
        out.putShort(scale);
        for (int k = count - 1; k >= low; k--) {
            out.putShort(digits[k]);
        }
    }
}
