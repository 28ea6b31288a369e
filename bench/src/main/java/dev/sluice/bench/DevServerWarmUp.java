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
 * Streams each table from the dev server before anything is measured, the way the job does (a
 * streaming query, microbatch by microbatch, until the head's microbatch is complete), and drops
 * the rows.
 *
 * <p>Why: the dev server runs in the harness JVM, on the same two cores as the job. Without this,
 * the first Sluice run paid for the JIT compilation of the dev server's generator and Flight path
 * while the ceiling, measured after it, never did; an Amp server is a long-running, warm process.
 * One snapshot query per table was not enough: the first Sluice window still saw ~2.4 s of the
 * harness's compiler threads (per-thread CPU), the third 0.5 s, and the first run was the slowest
 * of every set. Streaming is the job's code path on the server. The second pass reads slowly, as
 * the job does while PostgreSQL holds it back: what the server still compiled inside the first
 * measured window was mostly Netty's and gRPC's flow-control paths (writability changes, partial
 * flushes; JFR compilation events), which a reader as fast as the server never exercises.
 */
final class DevServerWarmUp {

    static final int PASSES = 2;

    /** The second pass's pause per batch: enough for the server to run into flow control. */
    private static final long SLOW_READER_PAUSE_MILLIS = 5;

    private DevServerWarmUp() {}

    /**
     * Streams {@code table} up to block {@code last}, as the given pass (1 reads as fast as it can,
     * later ones slowly); returns the rows streamed.
     */
    static long run(int flightPort, String table, long last, int pass) throws Exception {
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
                    if (pass > 1) {
                        Thread.sleep(SLOW_READER_PAUSE_MILLIS);
                    }
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
