package dev.sluice.sources.amp.devserver;

import java.util.List;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Generates the rows of a block range straight into the vectors of a {@link VectorSchemaRoot}, one
 * slice at a time, applying the query's predicates and limit. Reuses the root and one {@link
 * RowCursor}: nothing is allocated per row.
 */
final class BatchFiller {

    private final BoundQuery query;
    private final VectorSchemaRoot root;
    private final FieldVector[] vectors;
    private final Column[] columns;
    private final Predicate[] predicates;
    private final RowCursor cursor;
    private final int rowsPerBlock;
    private final int rowsPerSlice;

    private ChainView view;
    private long block;
    private long end;
    private int rowInBlock;
    private long rowsLeft;

    BatchFiller(
            BoundQuery query,
            VectorSchemaRoot root,
            int txsPerBlock,
            int logsPerTx,
            long maxBatchBytes) {
        this.query = query;
        this.root = root;
        List<FieldVector> fv = root.getFieldVectors();
        this.vectors = fv.toArray(new FieldVector[0]);
        this.columns = query.projection.toArray(new Column[0]);
        this.predicates = query.predicates.toArray(new Predicate[0]);
        this.cursor = new RowCursor(txsPerBlock, logsPerTx);
        this.rowsPerBlock = query.table.rowsPerBlock(txsPerBlock, logsPerTx);
        long rowBytes = 1;
        for (Column c : columns) {
            rowBytes += c.estimatedBytes;
        }
        this.rowsPerSlice = (int) Math.max(1, Math.min(1 << 20, maxBatchBytes / rowBytes));
        for (int i = 0; i < vectors.length; i++) {
            FieldVector v = vectors[i];
            if (v instanceof BaseVariableWidthVector) {
                ((BaseVariableWidthVector) v)
                        .setInitialCapacity(rowsPerSlice, columns[i].estimatedBytes);
            } else {
                v.setInitialCapacity(rowsPerSlice);
            }
        }
        this.rowsLeft = query.limit < 0 ? Long.MAX_VALUE : query.limit;
    }

    int rowsPerSlice() {
        return rowsPerSlice;
    }

    /** Starts generating blocks {@code start..=end} of {@code chain}. */
    void reset(ChainView chain, long start, long endInclusive) {
        this.view = chain;
        this.block = start;
        this.end = endInclusive;
        this.rowInBlock = 0;
        if (rowsPerBlock > 0 && start <= endInclusive) {
            cursor.setBlock(chain, start);
        }
    }

    /** True when the range (or the limit) is exhausted. */
    boolean done() {
        return rowsPerBlock == 0 || block > end || rowsLeft == 0;
    }

    /** Fills the root with the next slice (possibly zero rows when filters drop everything). */
    int fillNext() {
        root.allocateNew();
        int n = 0;
        int max = (int) Math.min(rowsPerSlice, rowsLeft);
        while (n < max && block <= end && rowsPerBlock > 0) {
            query.table.position(cursor, rowInBlock);
            if (matches()) {
                for (int c = 0; c < columns.length; c++) {
                    columns[c].write(vectors[c], n, cursor);
                }
                n++;
            }
            if (++rowInBlock == rowsPerBlock) {
                rowInBlock = 0;
                if (++block <= end) {
                    cursor.setBlock(view, block);
                }
            }
        }
        rowsLeft -= n;
        root.setRowCount(n);
        return n;
    }

    /**
     * An empty batch (keep-alives, watermarks): the vectors let go of their buffers instead of
     * allocating new ones. {@code allocateNew} here zero-filled a whole slice's worth (~2 MB) after
     * every microbatch, only to send none of it: 0.6 s of the server's thread and ~4 GB of memory
     * writes per 2 M-block stream (async-profiler), on the cores the job and PostgreSQL share in
     * the benchmark.
     */
    void empty() {
        root.clear();
        root.setRowCount(0);
    }

    private boolean matches() {
        for (Predicate p : predicates) {
            if (!p.test(cursor)) {
                return false;
            }
        }
        return true;
    }
}
