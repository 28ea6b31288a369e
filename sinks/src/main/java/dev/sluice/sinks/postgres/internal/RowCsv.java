package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.RowChangeRecord;
import java.math.BigDecimal;

/** Renders a row change as one CSV line for {@code COPY … (FORMAT csv)}. */
final class RowCsv {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RowCsv() {}

    static void append(RowChangeRecord record, CopyBuffer out) {
        StringBuilder line = new StringBuilder(64);
        for (int i = 0; i < record.columnCount(); i++) {
            if (i > 0) {
                line.append(',');
            }
            Object v = record.value(i);
            if (v == null) {
                continue; // unquoted empty = NULL
            }
            line.append('"');
            if (v instanceof byte[]) {
                line.append("\\x");
                for (byte b : (byte[]) v) {
                    line.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
                }
            } else if (v instanceof BigDecimal) {
                line.append(((BigDecimal) v).toPlainString());
            } else if (v instanceof Boolean) {
                line.append(((Boolean) v) ? 't' : 'f');
            } else {
                String s = v.toString();
                for (int k = 0; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (c == '"') {
                        line.append('"');
                    }
                    line.append(c);
                }
            }
            line.append('"');
        }
        line.append('\n');
        out.putUtf8(line.toString());
    }
}
