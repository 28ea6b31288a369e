package dev.sluice.sources.amp.devserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** One raw EVM table of the dev server: its columns in schema order and its rows per block. */
final class DevTable {

    /** How a table's rows relate to blocks. */
    enum Grain {
        BLOCK,
        TRANSACTION,
        LOG
    }

    private final String name;
    private final Grain grain;
    private final List<Column> columns;
    private final Schema schema;

    DevTable(String name, Grain grain, List<Column> columns) {
        this.name = name;
        this.grain = grain;
        this.columns = List.copyOf(columns);
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) {
            fields.add(c.field);
        }
        this.schema = new Schema(fields);
    }

    String name() {
        return name;
    }

    Grain grain() {
        return grain;
    }

    List<Column> columns() {
        return columns;
    }

    Schema schema() {
        return schema;
    }

    Column column(String columnName) {
        for (Column c : columns) {
            if (c.name().equals(columnName)) {
                return c;
            }
        }
        return null;
    }

    /** Rows per block for a chain of {@code txs} transactions with {@code logs} logs each. */
    int rowsPerBlock(int txs, int logs) {
        switch (grain) {
            case BLOCK:
                return 1;
            case TRANSACTION:
                return txs;
            default:
                return txs * logs;
        }
    }

    /** Positions the cursor (already on its block) on the {@code k}-th row of the block. */
    void position(RowCursor r, int k) {
        if (grain == Grain.TRANSACTION) {
            r.setTx(k);
        } else if (grain == Grain.LOG) {
            r.setLog(k);
        }
    }

    /** Table names are matched case-insensitively when unquoted, as DataFusion folds them. */
    static String normalize(String table) {
        return table.toLowerCase(Locale.ROOT);
    }
}
