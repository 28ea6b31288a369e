package dev.sluice.bench;

import dev.sluice.sources.amp.protocol.AmpHeaders;
import dev.sluice.sources.amp.protocol.BatchMetadata;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.DatasetReference;
import dev.sluice.sources.amp.protocol.FlightSqlCommands;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Streams each table from the dev server once before anything is measured, the way the job does (a
 * streaming query, microbatch by microbatch, until the head's microbatch is complete), and drops
 * the rows: the server generates the chain and keeps every microbatch in its cache, as an Amp
 * server serves stored blocks.
 *
 * <p>This pass does not warm the server's Flight path enough: a stream read by another Flight
 * client, even a slow one, leaves most of what the job's stream exercises (Netty's and gRPC's
 * flow-control paths, partial flushes) to be compiled inside the measured windows — 1.0–1.3 s of
 * the harness's C2 threads in each of the first two Sluice windows (JFR compilation events). The
 * unmeasured Sluice runs after it do that ({@link BenchOptions#warmUpRuns}).
 */
final class DevServerWarmUp {

    private DevServerWarmUp() {}

    /** Streams {@code table} up to block {@code last}; returns the rows streamed. */
    static long run(int flightPort, String table, long last) throws Exception {
        long rows = 0;
        try (BufferAllocator allocator = new RootAllocator();
                FlightClient client =
                        FlightClient.builder(
                                        allocator,
                                        Location.forGrpcInsecure("localhost", flightPort))
                                .build()) {
            FlightCallHeaders headers = new FlightCallHeaders();
            headers.insert(AmpHeaders.STREAM, "true");
            FlightInfo info =
                    client.getInfo(
                            FlightSqlCommands.statementQuery(
                                    DatasetReference.parse("anvil").selectAllFrom(table)),
                            new HeaderCallOption(headers));
            try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
                while (stream.next()) {
                    rows += stream.getRoot().getRowCount();
                    if (reachedBlock(stream.getLatestMetadata(), last)) {
                        stream.cancel("warm-up done", null);
                        break;
                    }
                }
            }
        }
        return rows;
    }

    private static boolean reachedBlock(ArrowBuf metadata, long last) {
        if (metadata == null) {
            return false;
        }
        byte[] bytes = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, bytes);
        BatchMetadata md = BatchMetadata.parse(bytes);
        if (!md.rangesComplete()) {
            return false;
        }
        for (BlockRange r : md.ranges()) {
            if (r.end() >= last) {
                return true;
            }
        }
        return false;
    }
}
