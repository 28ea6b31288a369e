package dev.sluice.sources.amp;

import dev.sluice.sources.amp.internal.AmpErrors;
import dev.sluice.sources.amp.internal.AmpFlightClients;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads each stream's Arrow schema from the server's FlightInfo, without streaming any rows, so the
 * job can create or evolve target tables before data flows.
 */
public final class AmpSchemas {

    private AmpSchemas() {}

    /** Stream id → schema, in stream order; a refused or unreachable server is one clear error. */
    public static Map<String, Schema> fetch(AmpSource source) {
        Map<String, Schema> schemas = new LinkedHashMap<>();
        AmpConnectionConfig config = source.connection();
        try (RootAllocator allocator = new RootAllocator();
                FlightClient client = AmpFlightClients.create(config, allocator)) {
            for (AmpStreamSpec s : source.streams()) {
                try {
                    FlightInfo info =
                            client.getInfo(
                                    FlightSqlCommands.statementQuery(s.sql()),
                                    AmpFlightClients.infoHeaders(
                                            config, new ResumeCursor(Map.of())));
                    schemas.put(
                            s.id(),
                            info.getSchemaOptional()
                                    .orElseThrow(
                                            () ->
                                                    new AmpSourceException(
                                                            "The Amp server sent no schema for"
                                                                    + " stream '"
                                                                    + s.id()
                                                                    + "'")));
                } catch (FlightRuntimeException e) {
                    throw new AmpSourceException(
                            AmpErrors.describe(s.id(), config.endpoint(), e), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmpSourceException("Interrupted while reading Amp schemas", e);
        }
        return schemas;
    }
}
