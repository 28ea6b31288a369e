package dev.sluice.sources.amp.internal;

import dev.sluice.sources.amp.AmpConnectionConfig;
import io.grpc.ManagedChannel;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A connection to an Amp server: one gRPC channel carrying the Flight client's calls
 * (GetFlightInfo) and raw {@code DoGet}s ({@link FlightMessageStream}). Closing it closes both.
 */
public final class AmpFlightConnection implements AutoCloseable {

    private final AmpConnectionConfig config;
    private final ManagedChannel channel;
    private final FlightClient client;

    private AmpFlightConnection(
            AmpConnectionConfig config, ManagedChannel channel, FlightClient client) {
        this.config = config;
        this.channel = channel;
        this.client = client;
    }

    public static AmpFlightConnection open(AmpConnectionConfig config, BufferAllocator allocator) {
        ManagedChannel channel = AmpFlightClients.channel(config, allocator);
        try {
            return new AmpFlightConnection(
                    config, channel, FlightGrpcUtils.createFlightClient(allocator, channel));
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw e;
        }
    }

    public FlightClient client() {
        return client;
    }

    /** Starts {@code DoGet} for the ticket with the connection's token. */
    public FlightMessageStream stream(Ticket ticket) {
        return FlightMessageStream.open(channel, ticket, AmpFlightClients.ticketHeaders(config));
    }

    /** Closes the client, which shuts its channel down. */
    @Override
    public void close() throws InterruptedException {
        client.close();
    }
}
