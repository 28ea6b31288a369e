package dev.sluice.job.enrich;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sinks.postgres.ColumnDef;
import dev.sluice.sources.postgres.CdcChange;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAccessor;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows whose lookup failed under {@code on_error: dead_letter}: they go to a dead-letter table,
 * written by the pipeline's exactly-once sink in the same transaction as the target rows, with the
 * pipeline, the lookup, the error, the row as JSON and when it failed. On Amp pipelines the row's
 * block is kept, so a reorg removes the dead letters of its rolled-back blocks too.
 */
public final class DeadLetters {

    /** The schema of a CDC change that carries a dead letter instead of a row. */
    private static final String MARKER = "\u0000sluice-dead-letter";

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String BLOCK_NUM = "_block_num";

    private DeadLetters() {}

    /** The columns of a dead-letter table; with {@code blocks} for Amp pipelines. */
    public static List<ColumnDef> columns(boolean blocks) {
        return List.of(
                new ColumnDef("pipeline", "text", false),
                new ColumnDef("lookup", "text", false),
                new ColumnDef("error", "text", false),
                new ColumnDef("row", "jsonb", false),
                new ColumnDef("failed_at", "timestamptz", false),
                blocks
                        ? new ColumnDef(BLOCK_NUM, "bigint", true)
                        : new ColumnDef("_lsn", "bigint", true));
    }

    /** The column names of {@link #columns}. */
    public static String[] names(boolean blocks) {
        return new String[] {
            "pipeline", "lookup", "error", "row", "failed_at", blocks ? BLOCK_NUM : "_lsn"
        };
    }

    /** The values of a dead letter, in {@link #names} order. */
    public static Object[] values(
            String pipeline, String lookup, String error, Map<String, Object> row, long position) {
        return new Object[] {
            pipeline,
            lookup,
            error,
            json(row),
            OffsetDateTime.now(ZoneOffset.UTC),
            position < 0 ? null : position
        };
    }

    /** A CDC change that carries a dead letter through to the merge and the sink. */
    public static CdcChange cdc(
            String pipeline, String lookup, String error, Map<String, Object> row, long lsn) {
        String[] names = names(false);
        String[] types = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            types[i] = columns(false).get(i).sqlType();
        }
        return new CdcChange(
                CdcChange.Op.INSERT,
                MARKER,
                lookup,
                names,
                types,
                null,
                values(pipeline, lookup, error, row, lsn),
                null,
                lsn);
    }

    public static boolean isDeadLetter(CdcChange change) {
        return MARKER.equals(change.schema());
    }

    /** The row as a JSON object: bytes as {@code \\x…} hex, dates and times as ISO text. */
    public static String json(Map<String, Object> row) {
        Map<String, Object> plain = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : row.entrySet()) {
            Object v = e.getValue();
            if (v instanceof byte[]) {
                v = "\\x" + HexFormat.of().formatHex((byte[]) v);
            } else if (v instanceof TemporalAccessor || v instanceof java.util.UUID) {
                v = v.toString();
            }
            plain.put(e.getKey(), v);
        }
        try {
            return JSON.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            return "{}"; // every value above is a JSON scalar: cannot happen
        }
    }
}
