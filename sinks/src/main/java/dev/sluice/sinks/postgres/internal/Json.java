package dev.sluice.sinks.postgres.internal;

import org.apache.arrow.memory.ArrowBuf;

/** JSON text helpers for values nested in JSONB (structs, maps, lists of lists). */
final class Json {

    private Json() {}

    /** Binary as a {@code "0x…"} hex string. */
    static void putHexString(ArrowBuf data, long start, int len, CopyBuffer out) {
        out.putAscii("\"0x");
        out.putHex(data, start, len);
        out.putByte('"');
    }

    /** A finite number as a JSON number; NaN and infinities (no JSON form) as strings. */
    static void putFloating(double v, CopyBuffer out) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.putJsonString(Double.toString(v));
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.putDecimal((long) v);
        } else {
            out.putAscii(Double.toString(v));
        }
    }

    /** Writes a JSONB binary field: length, version byte 1, then the JSON text. */
    static void writeJsonb(FieldEncoder encoder, int index, CopyBuffer out) {
        int at = out.reserveLength();
        out.putByte(1);
        encoder.writeJsonValue(index, out);
        out.patchLength(at);
    }
}
