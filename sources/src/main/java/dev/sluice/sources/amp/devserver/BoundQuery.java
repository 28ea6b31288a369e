package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query checked against the dev server's dataset: the table, the projected columns (the output
 * schema), the predicates, the limit and whether it streams. Binding fails with the gRPC status Amp
 * would answer: NOT_FOUND for an unknown dataset or table, INVALID_ARGUMENT for the rest.
 */
final class BoundQuery {

    static final String NON_INCREMENTAL = "non-incremental queries are not supported for streaming";

    final DevTable table;
    final List<Column> projection;
    final Schema schema;
    final List<Predicate> predicates;
    final long limit;
    final boolean streaming;

    private BoundQuery(
            DevTable table,
            List<Column> projection,
            List<Predicate> predicates,
            long limit,
            boolean streaming) {
        this.table = table;
        this.projection = List.copyOf(projection);
        List<Field> fields = new ArrayList<>();
        for (Column c : projection) {
            fields.add(c.field);
        }
        this.schema = new Schema(fields);
        this.predicates = List.copyOf(predicates);
        this.limit = limit;
        this.streaming = streaming;
    }

    /**
     * Parses and binds a query.
     *
     * @param streamHeader the {@code amp-stream} header's decision, or null when it did not decide
     * @param dataset the only dataset served, or null to answer to any reference
     */
    static BoundQuery bind(String sql, Boolean streamHeader, DatasetReference dataset) {
        ParsedQuery q;
        try {
            q = SqlParser.parse(sql);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        DatasetReference ref;
        try {
            ref = DatasetReference.parse(q.dataset);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        if (dataset != null && !dataset.equals(ref)) {
            throw CallStatus.NOT_FOUND
                    .withDescription(
                            "Dataset '" + ref + "' not found: this server serves '" + dataset + "'")
                    .toRuntimeException();
        }
        DevTable table = EvmTables.all().get(q.table);
        if (table == null) {
            throw CallStatus.NOT_FOUND
                    .withDescription(
                            "Table '"
                                    + q.table
                                    + "' not found in dataset '"
                                    + ref
                                    + "': it has blocks, transactions and logs")
                    .toRuntimeException();
        }
        List<Column> projection = new ArrayList<>();
        if (q.selectAll) {
            projection.addAll(table.columns());
        } else {
            Set<String> seen = new HashSet<>();
            for (String name : q.columns) {
                projection.add(column(table, name));
                if (!seen.add(name)) {
                    throw invalid("Column " + name + " is selected twice");
                }
            }
        }
        List<Predicate> predicates = new ArrayList<>();
        for (ParsedQuery.Condition c : q.conditions) {
            try {
                predicates.add(Predicate.bind(column(table, c.column), c));
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }
        boolean streaming = streamHeader != null ? streamHeader : streamSetting(q);
        if (streaming && !q.nonIncremental.isEmpty()) {
            throw invalid(NON_INCREMENTAL + " (" + String.join(", ", q.nonIncremental) + ")");
        }
        List<String> unsupported = new ArrayList<>(q.nonIncremental);
        unsupported.remove("LIMIT");
        if (!unsupported.isEmpty()) {
            throw invalid(
                    String.join(", ", unsupported)
                            + " is not supported by the Amp dev server: it serves plain"
                            + " projections and filters");
        }
        return new BoundQuery(
                table, projection, predicates, q.limit == null ? -1 : q.limit, streaming);
    }

    private static Column column(DevTable table, String name) {
        Column c = table.column(name);
        if (c == null) {
            throw invalid(
                    "No column named '"
                            + name
                            + "' in table "
                            + table.name()
                            + " (quote names that are keywords, e.g. \"to\", \"from\")");
        }
        return c;
    }

    private static boolean streamSetting(ParsedQuery q) {
        for (String key : q.settings.keySet()) {
            if (!key.equals("stream")) {
                throw invalid("Unknown setting '" + key + "': the Amp dev server knows 'stream'");
            }
        }
        String v = q.settings.get("stream");
        if (v == null) {
            return false;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
                return true;
            case "false":
            case "0":
                return false;
            default:
                throw invalid("SETTINGS stream must be true or false, not '" + v + "'");
        }
    }

    /** The {@code amp-stream} header: true/1/false/0 decide (case-insensitive), else null. */
    static Boolean streamHeader(String value) {
        if (value == null) {
            return null;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
                return Boolean.TRUE;
            case "false":
            case "0":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    static FlightRuntimeException invalid(String message) {
        return CallStatus.INVALID_ARGUMENT.withDescription(message).toRuntimeException();
    }
}
