package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/** SQL and bindings of batched upserts and deletes of row changes. */
final class RowStatements {

    private RowStatements() {}

    static String sql(RowChangeRecord r) {
        String[] columns = r.columns();
        String[] keys = r.keyColumns();
        if (r.op() == RowChangeRecord.Op.DELETE) {
            StringBuilder sql = new StringBuilder("DELETE FROM ").append(r.table().quoted());
            for (int i = 0; i < keys.length; i++) {
                sql.append(i == 0 ? " WHERE " : " AND ")
                        .append(TableRef.quote(keys[i]))
                        .append(" = ?");
            }
            return sql.toString();
        }
        StringBuilder sql =
                new StringBuilder("INSERT INTO ").append(r.table().quoted()).append(" (");
        for (int i = 0; i < columns.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(TableRef.quote(columns[i]));
        }
        sql.append(") VALUES (");
        for (int i = 0; i < columns.length; i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        sql.append(") ON CONFLICT (");
        for (int i = 0; i < keys.length; i++) {
            sql.append(i == 0 ? "" : ", ").append(TableRef.quote(keys[i]));
        }
        List<String> keyList = Arrays.asList(keys);
        StringBuilder set = new StringBuilder();
        for (String c : columns) {
            if (!keyList.contains(c)) {
                set.append(set.length() == 0 ? "" : ", ")
                        .append(TableRef.quote(c))
                        .append(" = EXCLUDED.")
                        .append(TableRef.quote(c));
            }
        }
        sql.append(set.length() == 0 ? ") DO NOTHING" : ") DO UPDATE SET " + set);
        return sql.toString();
    }

    static void bind(PreparedStatement ps, RowChangeRecord r) throws SQLException {
        if (r.op() == RowChangeRecord.Op.DELETE) {
            String[] keys = r.keyColumns();
            String[] columns = r.columns();
            for (int k = 0; k < keys.length; k++) {
                int c = Arrays.asList(columns).indexOf(keys[k]);
                bindValue(ps, k + 1, r.value(c));
            }
            return;
        }
        for (int i = 0; i < r.columnCount(); i++) {
            bindValue(ps, i + 1, r.value(i));
        }
    }

    private static void bindValue(PreparedStatement ps, int index, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(index, java.sql.Types.NULL);
        } else if (v instanceof BigInteger) {
            ps.setBigDecimal(index, new BigDecimal((BigInteger) v));
        } else if (v instanceof Instant) {
            ps.setObject(index, OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
        } else if (v instanceof byte[]) {
            ps.setBytes(index, (byte[]) v);
        } else if (v instanceof String) {
            ps.setString(index, (String) v);
        } else {
            ps.setObject(index, v);
        }
    }
}
