package dev.sluice.sinks.postgres;

import dev.sluice.sinks.postgres.internal.PgTypeMap;
import dev.sluice.sinks.postgres.internal.TableCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DDL for target tables, run by the job before the stream starts: creates a table from an Arrow
 * schema with the type map of amp-protocol.md §6, adds new nullable upstream columns, and refuses
 * incompatible changes with one error naming table, column, old and new type.
 */
public final class PostgresTables {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresTables.class);

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private PostgresTables() {}

    /**
     * {@link #ensureTable(Connection, TableRef, Schema, DictionaryProvider, TableOptions)} without
     * dictionaries.
     */
    public static void ensureTable(
            Connection connection, TableRef table, Schema schema, TableOptions options)
            throws SQLException {
        ensureTable(connection, table, schema, null, options);
    }

    /**
     * Makes {@code table} fit {@code schema}: creates it (and its schema) if missing, with an index
     * on {@code _block_num}; otherwise adds missing columns and checks the existing ones. Runs in
     * autocommit mode. Dictionary-encoded fields need the {@code dictionaries} to know their value
     * type. Lossy mappings (nanoseconds → microseconds) are logged once per column at WARN.
     *
     * @throws SQLException with SQLSTATE 42804 when an existing column has an incompatible type
     */
    public static void ensureTable(
            Connection connection,
            TableRef table,
            Schema schema,
            DictionaryProvider dictionaries,
            TableOptions options)
            throws SQLException {
        List<String[]> wanted = columnsFor(table, schema, dictionaries, options);
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            Map<String, String> existing = TableCatalog.readColumns(connection, table);
            if (existing.isEmpty()) {
                create(s, table, wanted, options);
            } else {
                evolve(s, table, wanted, existing);
                requireUniqueIndex(connection, table, options.uniqueKey());
            }
        } finally {
            connection.setAutoCommit(auto);
        }
    }

    /** Whether {@code table} exists (and has columns). */
    public static boolean exists(Connection connection, TableRef table) throws SQLException {
        return !TableCatalog.readColumns(connection, table).isEmpty();
    }

    /**
     * Drops {@code table} if it exists and creates it empty from {@code schema}, in the
     * connection's current transaction (nothing is committed here): a replacement that commits
     * together with the first rows of the new table.
     */
    public static void replaceTable(
            Connection connection,
            TableRef table,
            Schema schema,
            DictionaryProvider dictionaries,
            TableOptions options)
            throws SQLException {
        List<String[]> wanted = columnsFor(table, schema, dictionaries, options);
        try (Statement s = connection.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table.quoted());
            create(s, table, wanted, options);
        }
        LOG.info("Replaced table {} (dropped, created empty with the new schema)", table);
    }

    /** {name, SQL type, NOT NULL or ""} of each column {@code schema} needs. */
    private static List<String[]> columnsFor(
            TableRef table, Schema schema, DictionaryProvider dictionaries, TableOptions options)
            throws SQLException {
        PgTypeMap.Dictionaries dicts = PgTypeMap.Dictionaries.of(dictionaries);
        List<String[]> wanted = new ArrayList<>();
        for (Field field : schema.getFields()) {
            PgTypeMap.PgType type;
            try {
                type = PgTypeMap.columnType(field, dicts);
            } catch (IllegalArgumentException e) {
                throw new SQLException(
                        "Table "
                                + table
                                + " column "
                                + TableRef.quote(field.getName())
                                + ": "
                                + e.getMessage(),
                        "0A000",
                        e);
            }
            if (type.lossNote != null
                    && WARNED.add(table.quoted() + '.' + field.getName() + ':' + type.lossNote)) {
                LOG.warn(
                        "Table {} column {} ({} → {}): {}",
                        table,
                        TableRef.quote(field.getName()),
                        field.getType(),
                        type.sql,
                        type.lossNote);
            }
            wanted.add(
                    new String[] {
                        field.getName(), type.sql, field.isNullable() ? "" : " NOT NULL"
                    });
        }
        if (options.networkColumn()
                && schema.getFields().stream()
                        .noneMatch(f -> f.getName().equals(TableCatalog.NETWORK_COLUMN))) {
            wanted.add(new String[] {TableCatalog.NETWORK_COLUMN, "text", " NOT NULL"});
        }
        return wanted;
    }

    /**
     * Makes {@code table} hold {@code columns} (the CDC path, where types come from the source
     * catalog): creates it (and its schema) if missing, otherwise adds the missing columns as
     * nullable. With {@code uniqueKey} non-empty and {@code unique}, the key becomes the primary
     * key of a new table, and an existing table must have a unique index on exactly those columns
     * (what {@code INSERT … ON CONFLICT} needs); without {@code unique} the key gets a plain index.
     * Runs in autocommit mode.
     *
     * @throws SQLException with SQLSTATE 42P10 when an existing table lacks the unique index
     */
    public static void ensureTable(
            Connection connection,
            TableRef table,
            List<ColumnDef> columns,
            List<String> uniqueKey,
            boolean unique)
            throws SQLException {
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            Map<String, String> existing = TableCatalog.readColumns(connection, table);
            String keyList = quotedList(uniqueKey);
            if (existing.isEmpty()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + TableRef.quote(table.schema()));
                StringBuilder ddl =
                        new StringBuilder("CREATE TABLE IF NOT EXISTS ")
                                .append(table.quoted())
                                .append(" (");
                for (int i = 0; i < columns.size(); i++) {
                    ColumnDef c = columns.get(i);
                    boolean key = uniqueKey.contains(c.name());
                    ddl.append(i == 0 ? "" : ", ")
                            .append(TableRef.quote(c.name()))
                            .append(' ')
                            .append(c.sqlType())
                            .append(c.nullable() && !(unique && key) ? "" : " NOT NULL");
                }
                if (unique && !uniqueKey.isEmpty()) {
                    ddl.append(", PRIMARY KEY (").append(keyList).append(')');
                }
                s.execute(ddl.append(')').toString());
                if (!unique && !uniqueKey.isEmpty()) {
                    s.execute(
                            "CREATE INDEX IF NOT EXISTS "
                                    + TableRef.quote(truncate(table.table() + "_key_idx"))
                                    + " ON "
                                    + table.quoted()
                                    + " ("
                                    + keyList
                                    + ")");
                }
                LOG.info("Created table {} with {} columns", table, columns.size());
                return;
            }
            for (ColumnDef c : columns) {
                if (!existing.containsKey(c.name())) {
                    s.execute(
                            "ALTER TABLE "
                                    + table.quoted()
                                    + " ADD COLUMN IF NOT EXISTS "
                                    + TableRef.quote(c.name())
                                    + ' '
                                    + c.sqlType());
                    LOG.info(
                            "Added column {} {} to {}",
                            TableRef.quote(c.name()),
                            c.sqlType(),
                            table);
                }
            }
            if (unique) {
                requireUniqueIndex(connection, table, uniqueKey);
            }
        } finally {
            connection.setAutoCommit(auto);
        }
    }

    private static void requireUniqueIndex(
            Connection connection, TableRef table, List<String> uniqueKey) throws SQLException {
        if (!uniqueKey.isEmpty() && !hasUniqueIndex(connection, table, uniqueKey)) {
            String keyList = quotedList(uniqueKey);
            throw new SQLException(
                    "Table "
                            + table
                            + " has no primary key or unique index on exactly ("
                            + keyList
                            + "), which merging by unique_key needs: create one, e.g. CREATE"
                            + " UNIQUE INDEX ON "
                            + table
                            + " ("
                            + keyList
                            + ")",
                    "42P10");
        }
    }

    private static boolean hasUniqueIndex(Connection connection, TableRef table, List<String> key)
            throws SQLException {
        try (java.sql.PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_index i"
                                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum ="
                                + " ANY(i.indkey) WHERE i.indrelid = to_regclass(?) AND"
                                + " i.indisunique AND i.indpred IS NULL GROUP BY i.indexrelid")) {
            ps.setString(1, table.quoted());
            List<String> wanted = new ArrayList<>(key);
            java.util.Collections.sort(wanted);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] cols = (String[]) rs.getArray(1).getArray();
                    if (java.util.Arrays.asList(cols).equals(wanted)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String quotedList(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            b.append(b.length() == 0 ? "" : ", ").append(TableRef.quote(n));
        }
        return b.toString();
    }

    private static void create(
            Statement s, TableRef table, List<String[]> columns, TableOptions options)
            throws SQLException {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + TableRef.quote(table.schema()));
        StringBuilder ddl =
                new StringBuilder("CREATE TABLE IF NOT EXISTS ")
                        .append(table.quoted())
                        .append(" (");
        boolean blockNum = false;
        boolean network = false;
        for (int i = 0; i < columns.size(); i++) {
            String[] c = columns.get(i);
            ddl.append(i == 0 ? "" : ", ")
                    .append(TableRef.quote(c[0]))
                    .append(' ')
                    .append(c[1])
                    .append(c[2]);
            blockNum |= c[0].equals(TableCatalog.BLOCK_NUM_COLUMN);
            network |= c[0].equals(TableCatalog.NETWORK_COLUMN);
        }
        if (!options.uniqueKey().isEmpty()) {
            ddl.append(", PRIMARY KEY (").append(quotedList(options.uniqueKey())).append(')');
        }
        ddl.append(')');
        s.execute(ddl.toString());
        if (blockNum && options.indexBlockNum()) {
            String index = TableRef.quote(truncate(table.table() + "_block_num_idx"));
            s.execute(
                    "CREATE INDEX IF NOT EXISTS "
                            + index
                            + " ON "
                            + table.quoted()
                            + (network ? " (\"_network\", \"_block_num\")" : " (\"_block_num\")"));
        }
        LOG.info("Created table {} with {} columns", table, columns.size());
    }

    private static void evolve(
            Statement s, TableRef table, List<String[]> wanted, Map<String, String> existing)
            throws SQLException {
        List<String> errors = new ArrayList<>();
        for (String[] c : wanted) {
            String have = existing.get(c[0]);
            if (have == null) {
                if (!c[2].isEmpty()) {
                    LOG.warn(
                            "Table {} gets new column {} as nullable: existing rows have no value",
                            table,
                            TableRef.quote(c[0]));
                }
                s.execute(
                        "ALTER TABLE "
                                + table.quoted()
                                + " ADD COLUMN IF NOT EXISTS "
                                + TableRef.quote(c[0])
                                + ' '
                                + c[1]);
                LOG.info("Added column {} {} to {}", TableRef.quote(c[0]), c[1], table);
            } else if (!compatible(have, c[1])) {
                errors.add(
                        "column "
                                + TableRef.quote(c[0])
                                + " is "
                                + have
                                + " but the upstream schema now needs "
                                + c[1]);
            }
        }
        if (!errors.isEmpty()) {
            throw new SQLException(
                    "Table "
                            + table
                            + " does not fit the upstream schema: "
                            + String.join("; ", errors)
                            + ". Migrate those columns or drop the table to recreate it.",
                    "42804");
        }
    }

    private static boolean compatible(String have, String want) {
        if (have.equals(want)) {
            return true;
        }
        // An unconstrained numeric column holds any numeric(p,s); arrays alike.
        return (have.equals("numeric") && want.startsWith("numeric("))
                || (have.equals("numeric[]") && want.startsWith("numeric(") && want.endsWith("[]"));
    }

    private static String truncate(String name) {
        return name.length() <= 63 ? name : name.substring(0, 63);
    }
}
