package dev.sluice.job.cdc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Binds the job's values as JDBC parameters. */
public final class Values {

    private Values() {}

    public static void bind(PreparedStatement ps, int index, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.NULL);
        } else if (v instanceof byte[]) {
            ps.setBytes(index, (byte[]) v);
        } else if (v instanceof String) {
            ps.setString(index, (String) v);
        } else {
            ps.setObject(index, v);
        }
    }
}
