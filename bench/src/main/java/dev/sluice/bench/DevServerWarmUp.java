package dev.sluice.bench;

import dev.sluice.sources.amp.protocol.DatasetReference;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Streams each table once from the dev server before anything is measured, and drops the rows.
 *
 * <p>Why: the dev server runs in the harness JVM, on the same two cores as the job. Without this,
 * the first Sluice run paid for the JIT compilation of the dev server's generator and Flight path
 * (about 3 s of compiler CPU per 2 M rows, measured per thread) while the ceiling, measured after
 * it, never did. An Amp server is a long-running, warm process.
 */
final class DevServerWarmUp {

    private DevServerWarmUp() {}

    /** Returns the rows streamed (a snapshot query: everything up to the head, then the end). */
    static long run(int flightPort, String table) throws Exception {
        long rows = 0;
        try (BufferAllocator allocator = new RootAllocator();
                FlightClient client =
                        FlightClient.builder(
                                        allocator,
                                        Location.forGrpcInsecure("localhost", flightPort))
                                .build()) {
            FlightInfo info =
                    client.getInfo(
                            FlightSqlCommands.statementQuery(
                                    DatasetReference.parse("anvil").selectAllFrom(table)));
            try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
                while (stream.next()) {
                    rows += stream.getRoot().getRowCount();
                }
            }
        }
        return rows;
    }
}
