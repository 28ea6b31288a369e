package dev.sluice.sources.amp.devserver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The {@code /chain/digest} of a table: row count and the MD5 of its canonical rows as text lines
 * joined by {@code \n} (no trailing newline), ordered as below; hashes in lowercase hex without
 * {@code 0x}:
 *
 * <ul>
 *   <li>blocks: {@code _block_num:hash}, by {@code _block_num}
 *   <li>transactions: {@code _block_num:tx_index:tx_hash}, by {@code _block_num, tx_index}
 *   <li>logs: {@code _block_num:log_index:tx_hash:topic0} (empty topic0 when null), by {@code
 *       _block_num, log_index}
 * </ul>
 *
 * The PostgreSQL queries in {@link #POSTGRES_QUERIES} reproduce it over a synced table.
 */
public final class ChainDigest {

    /** Row count and MD5 (lowercase hex). */
    public static final class Result {
        private final long rows;
        private final String md5;

        Result(long rows, String md5) {
            this.rows = rows;
            this.md5 = md5;
        }

        public long rows() {
            return rows;
        }

        public String md5() {
            return md5;
        }

        /** Whether both hold the same rows: the same count and MD5. */
        public boolean sameAs(Result other) {
            return rows == other.rows && md5.equals(other.md5);
        }

        @Override
        public String toString() {
            return "{\"rows\":" + rows + ",\"md5\":\"" + md5 + "\"}";
        }
    }

    /**
     * Per table, the query that gives the same {@code rows} and {@code md5} over a synced table.
     */
    public static final java.util.Map<String, String> POSTGRES_QUERIES =
            java.util.Map.of(
                    "blocks",
                    "SELECT count(*) AS rows, md5(coalesce(string_agg(\"_block_num\"::text || ':'"
                            + " || encode(\"hash\", 'hex'), E'\\n' ORDER BY \"_block_num\"), ''))"
                            + " AS md5 FROM blocks",
                    "transactions",
                    "SELECT count(*) AS rows, md5(coalesce(string_agg(\"_block_num\"::text || ':'"
                            + " || \"tx_index\"::text || ':' || encode(\"tx_hash\", 'hex'), E'\\n'"
                            + " ORDER BY \"_block_num\", \"tx_index\"), '')) AS md5 FROM"
                            + " transactions",
                    "logs",
                    "SELECT count(*) AS rows, md5(coalesce(string_agg(\"_block_num\"::text || ':'"
                            + " || \"log_index\"::text || ':' || encode(\"tx_hash\", 'hex') || ':'"
                            + " || coalesce(encode(\"topic0\", 'hex'), ''), E'\\n' ORDER BY"
                            + " \"_block_num\", \"log_index\"), '')) AS md5 FROM logs");

    /**
     * {@link #POSTGRES_QUERIES} for {@code table} synced into {@code target} (an already quoted,
     * possibly schema-qualified table name).
     */
    public static String postgresQuery(String table, String target) {
        String query = POSTGRES_QUERIES.get(table);
        if (query == null) {
            throw new IllegalArgumentException("No digest for table " + table);
        }
        return query.substring(0, query.lastIndexOf(" FROM ") + 6) + target;
    }

    /**
     * The digest of {@code table} as synced into {@code target} (quoted, as for {@link
     * #postgresQuery}), computed by PostgreSQL: equal to the chain's when the target holds exactly
     * the chain's rows.
     */
    public static Result ofTarget(Connection c, String table, String target) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(postgresQuery(table, target))) {
            rs.next();
            return new Result(rs.getLong("rows"), rs.getString("md5"));
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private ChainDigest() {}

    static Result compute(ChainView view, DevTable table, int txsPerBlock, int logsPerTx) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
        RowCursor r = new RowCursor(txsPerBlock, logsPerTx);
        int perBlock = table.rowsPerBlock(txsPerBlock, logsPerTx);
        Column topic0 = table.column("topic0");
        byte[] line = new byte[256];
        long rows = 0;
        for (long b = 0; b <= view.head(); b++) {
            r.setBlock(view, b);
            for (int k = 0; k < perBlock; k++) {
                table.position(r, k);
                int n = 0;
                if (rows > 0) {
                    line[n++] = '\n';
                }
                n = number(line, n, b);
                switch (table.grain()) {
                    case BLOCK:
                        n = hex(line, n, r.blockHash);
                        break;
                    case TRANSACTION:
                        n = number(line, n, r.tx);
                        n = hex(line, n, r.txHash);
                        break;
                    default:
                        n = number(line, n, r.logIndex);
                        n = hex(line, n, r.txHash);
                        line[n - 1] = ':';
                        if (!topic0.isNull(r)) {
                            topic0.bytesValue(r);
                            n = hex(line, n, r.b32) - 1;
                        }
                        n++;
                }
                md5.update(line, 0, n - 1);
                rows++;
            }
        }
        StringBuilder hex = new StringBuilder(32);
        for (byte x : md5.digest()) {
            hex.append((char) HEX[(x >> 4) & 0xF]).append((char) HEX[x & 0xF]);
        }
        return new Result(rows, hex.toString());
    }

    /** Appends {@code value:}; returns the new length. */
    private static int number(byte[] out, int n, long value) {
        String s = Long.toString(value);
        for (int i = 0; i < s.length(); i++) {
            out[n++] = (byte) s.charAt(i);
        }
        out[n++] = ':';
        return n;
    }

    /** Appends the hex digits of {@code bytes} and a ':'; returns the new length. */
    private static int hex(byte[] out, int n, byte[] bytes) {
        for (byte x : bytes) {
            out[n++] = HEX[(x >> 4) & 0xF];
            out[n++] = HEX[x & 0xF];
        }
        out[n++] = ':';
        return n;
    }
}
