package dev.sluice.sources.amp.devserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** Generation alone (no Flight): prints rows/s; asserts only the row count (tests time nothing). */
class GenerationThroughputTest {

    @Test
    void generatesLogRowsIntoVectors() {
        DevChain chain = new DevChain(1, 25_000, 0, 1);
        BoundQuery q = BoundQuery.bind("SELECT * FROM anvil.logs", false, null);
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(q.schema, allocator)) {
            BatchFiller filler = new BatchFiller(q, root, 20, 4, 2L << 20);
            long rows = 0;
            long t0 = System.nanoTime();
            for (int round = 0; round < 2; round++) {
                filler.reset(chain.view(), 0, 12_499);
                while (!filler.done()) {
                    rows += filler.fillNext();
                }
                if (round == 0) {
                    t0 = System.nanoTime();
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "Generated %d log rows in %.2f s: %.0f rows/s%n",
                    rows / 2, secs, rows / 2 / secs);
            assertThat(rows).isEqualTo(2_000_000);
        }
    }
}
