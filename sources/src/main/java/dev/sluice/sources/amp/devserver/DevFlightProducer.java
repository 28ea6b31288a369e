package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GetFlightInfo and DoGet as Amp answers them; every other RPC stays UNIMPLEMENTED (the middleware
 * rejects them before they get here).
 */
final class DevFlightProducer extends NoOpFlightProducer {

    private static final Logger LOG = LoggerFactory.getLogger(DevFlightProducer.class);

    private final AmpDevServer server;

    DevFlightProducer(AmpDevServer server) {
        this.server = server;
    }

    @Override
    public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
        AmpCallMiddleware headers = context.getMiddleware(AmpCallMiddleware.KEY);
        String sql;
        try {
            sql = FlightSqlCommands.sqlOf(descriptor);
        } catch (IllegalArgumentException e) {
            throw BoundQuery.invalid(e.getMessage());
        }
        Boolean stream = BoundQuery.streamHeader(headers == null ? null : headers.stream);
        BoundQuery query = BoundQuery.bind(sql, stream, server.options().dataset());
        Ticket ticket =
                new DevTicket(sql, stream, headers == null ? null : headers.resume).toTicket();
        return new FlightInfo(
                query.schema, descriptor, List.of(new FlightEndpoint(ticket)), -1, -1);
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
        try {
            DevTicket t = DevTicket.parse(ticket);
            BoundQuery query = BoundQuery.bind(t.sql, t.stream, server.options().dataset());
            server.serve(t.sql, query, resumeCursor(t.resume), listener);
        } catch (FlightRuntimeException e) {
            listener.error(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listener.error(
                    CallStatus.CANCELLED.withDescription("Interrupted").toRuntimeException());
        } catch (RuntimeException e) {
            LOG.error("Amp dev server stream failed", e);
            listener.error(
                    CallStatus.INTERNAL
                            .withDescription(e.toString())
                            .withCause(e)
                            .toRuntimeException());
        }
    }

    /** Like Amp, an amp-resume value that does not parse is silently ignored. */
    private static ResumeCursor resumeCursor(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return ResumeCursor.parse(header);
        } catch (RuntimeException e) {
            LOG.debug("Ignoring unparsable amp-resume header: {}", e.getMessage());
            return null;
        }
    }
}
