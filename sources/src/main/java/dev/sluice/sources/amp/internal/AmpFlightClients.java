package dev.sluice.sources.amp.internal;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.protocol.AmpHeaders;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** Builds Flight clients and the per-call header options of the Amp protocol. */
public final class AmpFlightClients {

    private AmpFlightClients() {}

    public static FlightClient create(AmpConnectionConfig config, BufferAllocator allocator) {
        Location location =
                config.tls()
                        ? Location.forGrpcTls(config.host(), config.port())
                        : Location.forGrpcInsecure(config.host(), config.port());
        FlightClient.Builder builder =
                FlightClient.builder(allocator, location)
                        .maxInboundMessageSize(config.maxMessageSize());
        if (config.tls()) {
            builder.useTls();
            if (config.trustedCertificates() != null) {
                try {
                    builder.trustedCertificates(
                            new ByteArrayInputStream(config.trustedCertificates()));
                } catch (RuntimeException e) {
                    throw new UncheckedIOException(
                            new IOException("The configured CA certificates are not valid PEM", e));
                }
            }
        }
        return builder.build();
    }

    /** Headers of GetFlightInfo: streaming on, the resume cursor if any, the token if any. */
    public static CallOption infoHeaders(AmpConnectionConfig config, ResumeCursor cursor) {
        FlightCallHeaders headers = new FlightCallHeaders();
        headers.insert(AmpHeaders.STREAM, "true");
        if (cursor != null && !cursor.isEmpty()) {
            headers.insert(AmpHeaders.RESUME, cursor.toHeader());
        }
        addToken(config, headers);
        return new HeaderCallOption(headers);
    }

    /** Headers of DoGet: only the token (the ticket carries the rest). */
    public static CallOption ticketHeaders(AmpConnectionConfig config) {
        FlightCallHeaders headers = new FlightCallHeaders();
        addToken(config, headers);
        return new HeaderCallOption(headers);
    }

    private static void addToken(AmpConnectionConfig config, FlightCallHeaders headers) {
        if (config.authToken() != null) {
            headers.insert(AmpHeaders.AUTHORIZATION, "Bearer " + config.authToken());
        }
    }
}
