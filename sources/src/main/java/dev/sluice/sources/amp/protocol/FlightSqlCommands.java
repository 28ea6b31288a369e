package dev.sluice.sources.amp.protocol;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery;

/**
 * Amp queries travel as Flight SQL: a CMD descriptor holding {@code
 * Any(CommandStatementQuery{query})}. Anything else is not a query.
 */
public final class FlightSqlCommands {

    public static final String STATEMENT_QUERY_TYPE_URL =
            "type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery";

    private FlightSqlCommands() {}

    public static FlightDescriptor statementQuery(String sql) {
        return FlightDescriptor.command(
                Any.pack(CommandStatementQuery.newBuilder().setQuery(sql).build()).toByteArray());
    }

    /**
     * The SQL of a Flight SQL statement-query descriptor.
     *
     * @throws IllegalArgumentException with a message fit for an {@code INVALID_ARGUMENT} status
     */
    public static String sqlOf(FlightDescriptor descriptor) {
        if (!descriptor.isCommand()) {
            throw new IllegalArgumentException(
                    "Only CMD descriptors holding a Flight SQL CommandStatementQuery are supported,"
                            + " not a PATH descriptor");
        }
        Any any;
        try {
            any = Any.parseFrom(descriptor.getCommand());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(
                    "The command is not a protobuf Any holding a Flight SQL CommandStatementQuery");
        }
        if (!STATEMENT_QUERY_TYPE_URL.equals(any.getTypeUrl())) {
            throw new IllegalArgumentException(
                    "Unsupported command type '"
                            + any.getTypeUrl()
                            + "': only "
                            + STATEMENT_QUERY_TYPE_URL
                            + " is supported");
        }
        try {
            return any.unpack(CommandStatementQuery.class).getQuery();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("Malformed CommandStatementQuery", e);
        }
    }
}
