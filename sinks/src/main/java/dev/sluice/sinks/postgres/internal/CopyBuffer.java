package dev.sluice.sinks.postgres.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A growable, reused byte buffer that COPY data is encoded into (big-endian, as PostgreSQL's binary
 * format wants). A whole row always fits, so lengths of nested values can be patched after the
 * value is written; the owner drains it to the server in large chunks between rows.
 */
public final class CopyBuffer {

    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int pos;

    public CopyBuffer(int initialCapacity) {
        this.buf = new byte[Math.max(64, initialCapacity)];
    }

    public byte[] array() {
        return buf;
    }

    public int position() {
        return pos;
    }

    public void reset() {
        pos = 0;
    }

    public void ensure(int more) {
        if (pos + more > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) pos + more);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("A single COPY row exceeds 2 GiB");
            }
            buf = java.util.Arrays.copyOf(buf, (int) wanted);
        }
    }

    public void putByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    public void putShort(int v) {
        ensure(2);
        SHORT.set(buf, pos, (short) v);
        pos += 2;
    }

    public void putInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
    }

    public void putLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
    }

    /** Reserves a 4-byte length and returns its position for {@link #patchLength}. */
    public int reserveLength() {
        ensure(4);
        int at = pos;
        pos += 4;
        return at;
    }

    /** Writes the number of bytes written since {@code at + 4} at {@code at}. */
    public void patchLength(int at) {
        INT.set(buf, at, pos - at - 4);
    }

    /**
     * A binary NUMERIC field: length, header and the base-10000 {@code digits} from {@code count -
     * 1} down to {@code low} (stored least significant first), with one capacity check.
     */
    public void putNumeric(short[] digits, int low, int count, int weight, int sign, int dscale) {
        int at = putNumericHeader(count - low, weight, sign, dscale);
        for (int k = count - 1; k >= low; k--, at += 2) {
            SHORT.set(buf, at, digits[k]);
        }
        pos = at;
    }

    /**
     * A binary NUMERIC field of scale 0 with magnitude {@code v} (0 ≤ v < 10^16, so at most four
     * base-10000 digits) and {@code sign}: the digits are computed in registers and written with
     * one capacity check — the common case (block numbers, gas, fees) of a column encoded for every
     * row. Trailing zero digits are left out, as PostgreSQL stores them.
     */
    public void putSmallNumeric(long v, int sign) {
        int hi = (int) (v / 100_000_000L);
        int lo = (int) (v - hi * 100_000_000L);
        // The four digits, most significant in the top 16 bits.
        long packed =
                ((long) (hi / 10000) << 48)
                        | ((long) (hi % 10000) << 32)
                        | ((long) (lo / 10000) << 16)
                        | (lo % 10000);
        // Digits up to the top non-zero one; zero digits below the lowest non-zero one are left
        // out.
        int count = packed == 0 ? 0 : 4 - Long.numberOfLeadingZeros(packed) / 16;
        int low = packed == 0 ? 0 : Long.numberOfTrailingZeros(packed) / 16;
        int at = putNumericHeader(count - low, count == 0 ? 0 : count - 1, sign, 0);
        for (int k = count - 1; k >= low; k--, at += 2) {
            SHORT.set(buf, at, (short) (packed >>> (16 * k)));
        }
        pos = at;
    }

    /**
     * The field length and NUMERIC header of a value of {@code ndigits} digits, with room for the
     * digits (one capacity check); returns where they go.
     */
    private int putNumericHeader(int ndigits, int weight, int sign, int dscale) {
        ensure(12 + 2 * ndigits);
        INT.set(buf, pos, 8 + 2 * ndigits);
        SHORT.set(buf, pos + 4, (short) ndigits);
        SHORT.set(buf, pos + 6, (short) weight);
        SHORT.set(buf, pos + 8, (short) sign);
        SHORT.set(buf, pos + 10, (short) dscale);
        return pos + 12;
    }

    public void putInt(int at, int v) {
        INT.set(buf, at, v);
    }

    public void putBytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
    }

    public void putBytes(byte[] src) {
        putBytes(src, 0, src.length);
    }

    /** Copies {@code len} bytes of an Arrow buffer without an intermediate array. */
    public void putBytes(ArrowBuf src, long index, int len) {
        ensure(len);
        src.getBytes(index, buf, pos, len);
        pos += len;
    }

    /** Copies {@code len} bytes from off-heap memory the caller has bounds-checked. */
    public void putMemory(long address, int len) {
        ensure(len);
        MemoryUtil.copyFromMemory(address, buf, pos, len);
        pos += len;
    }

    /** ASCII text (digits, punctuation); callers guarantee no character above 0x7f. */
    public void putAscii(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    public void putUtf8(String s) {
        putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-case hex of {@code len} bytes of an Arrow buffer. */
    public void putHex(ArrowBuf src, long index, int len) {
        ensure(2 * len);
        for (int i = 0; i < len; i++) {
            int b = src.getByte(index + i) & 0xff;
            buf[pos++] = HEX[b >>> 4];
            buf[pos++] = HEX[b & 0xf];
        }
    }

    /** Decimal text of a signed long, without allocating. */
    public void putDecimal(long v) {
        if (v == Long.MIN_VALUE) {
            putAscii("-9223372036854775808");
            return;
        }
        if (v < 0) {
            putByte('-');
            v = -v;
        }
        putUnsignedDecimal(v);
    }

    /** Decimal text of an unsigned 64-bit value, without allocating. */
    public void putUnsignedDecimal(long v) {
        ensure(20);
        int start = pos;
        if (v < 0) {
            long q = Long.divideUnsigned(v, 10);
            buf[pos++] = (byte) ('0' + (v - q * 10));
            v = q;
        }
        do {
            buf[pos++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = pos - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    /** A JSON string literal of UTF-8 bytes taken from an Arrow buffer. */
    public void putJsonString(ArrowBuf src, long index, int len) {
        ensure(len + 2);
        buf[pos++] = '"';
        for (int i = 0; i < len; i++) {
            byte b = src.getByte(index + i);
            putJsonByte(b);
        }
        putByte('"');
    }

    /** A JSON string literal of a Java string. */
    public void putJsonString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ensure(bytes.length + 2);
        buf[pos++] = '"';
        for (byte b : bytes) {
            putJsonByte(b);
        }
        putByte('"');
    }

    private void putJsonByte(byte b) {
        if (b == '"' || b == '\\') {
            ensure(2);
            buf[pos++] = '\\';
            buf[pos++] = b;
        } else if (b >= 0 && b < 0x20) {
            ensure(6);
            buf[pos++] = '\\';
            buf[pos++] = 'u';
            buf[pos++] = '0';
            buf[pos++] = '0';
            buf[pos++] = HEX[b >>> 4];
            buf[pos++] = HEX[b & 0xf];
        } else {
            ensure(1);
            buf[pos++] = b;
        }
    }
}
