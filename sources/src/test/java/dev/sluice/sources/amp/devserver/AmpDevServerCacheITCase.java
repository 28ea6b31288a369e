package dev.sluice.sources.amp.devserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With {@code cacheMicrobatches}, repeated streams are served from memory and carry exactly the
 * rows a server without the cache generates, also after a reorg replaced cached blocks.
 */
@Timeout(120)
class AmpDevServerCacheITCase {

    private static final String BLOCKS = "SELECT * FROM anvil.blocks";

    @Test
    void repeatedStreamsAreServedFromMemoryWithTheSameRows() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
                AmpDevServer cached = server(true);
                AmpDevServer generated = server(false);
                FlightClient toCached =
                        FlightClient.builder(allocator, cached.flightLocation()).build();
                FlightClient toGenerated =
                        FlightClient.builder(allocator, generated.flightLocation()).build()) {
            List<String> expected = rows(toGenerated, BLOCKS);
            assertThat(expected).hasSize(2500);

            assertThat(rows(toCached, BLOCKS)).isEqualTo(expected);
            assertThat(cached.cachedMicrobatchesServed()).isZero();
            assertThat(rows(toCached, BLOCKS)).isEqualTo(expected);
            assertThat(cached.cachedMicrobatchesServed()).isEqualTo(1);

            // A reorg replaces the last blocks (same head): the cached microbatch no longer
            // matches.
            cached.reorg(3, 0);
            generated.reorg(3, 0);
            List<String> reorged = rows(toGenerated, BLOCKS);
            assertThat(reorged).hasSize(2500).isNotEqualTo(expected);
            assertThat(rows(toCached, BLOCKS)).isEqualTo(reorged);
            assertThat(cached.cachedMicrobatchesServed()).isEqualTo(1);
            assertThat(rows(toCached, BLOCKS)).isEqualTo(reorged);
            assertThat(cached.cachedMicrobatchesServed()).isEqualTo(2);

            // Filtered queries are generated every time.
            String filtered = BLOCKS + " WHERE _block_num >= 2000";
            assertThat(rows(toCached, filtered)).isEqualTo(rows(toGenerated, filtered));
            assertThat(rows(toCached, filtered)).hasSize(500);
            assertThat(cached.cachedMicrobatchesServed()).isEqualTo(2);
        }
    }

    private static AmpDevServer server(boolean cache) throws Exception {
        return AmpDevServer.builder()
                .port(0)
                .adminPort(-1)
                .blocks(2500)
                .txsPerBlock(1)
                .logsPerTx(1)
                .batchBytes(64 * 1024)
                .cacheMicrobatches(cache)
                .build()
                .start();
    }

    /** Every value of every row of the (non-streaming) query, one string per row. */
    private static List<String> rows(FlightClient client, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (StreamRecorder r =
                StreamRecorder.open(
                        client,
                        sql,
                        null,
                        (VectorSchemaRoot root) -> {
                            for (int i = 0; i < root.getRowCount(); i++) {
                                StringBuilder row = new StringBuilder();
                                for (FieldVector v : root.getFieldVectors()) {
                                    Object value = v.getObject(i);
                                    row.append(
                                                    value instanceof byte[]
                                                            ? HexFormat.of()
                                                                    .formatHex((byte[]) value)
                                                            : value)
                                            .append('|');
                                }
                                rows.add(row.toString());
                            }
                        })) {
            r.all();
        }
        return rows;
    }
}
