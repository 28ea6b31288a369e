package dev.sluice.bench;

import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * What a Flink user feeding {@code JdbcSink} writes: one {@code Object[]} per row, with the JDBC
 * value of each Arrow column (the scalar types of the EVM tables).
 */
final class ArrowRows extends RichFlatMapFunction<PostgresSinkRecord, Object[]> {

    private static final long serialVersionUID = 1L;

    private transient BufferAllocator allocator;

    @Override
    public void open(OpenContext openContext) {
        allocator = new RootAllocator();
    }

    @Override
    public void flatMap(PostgresSinkRecord record, Collector<Object[]> out) throws Exception {
        if (!(record instanceof ArrowBatchRecord)) {
            // A rollback: the benchmark's chain has no reorgs.
            throw new IllegalStateException("Unexpected record " + record);
        }
        byte[] ipc = ((ArrowBatchRecord) record).arrowIpc();
        try (ArrowStreamReader reader =
                new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            List<FieldVector> vectors = root.getFieldVectors();
            while (reader.loadNextBatch()) {
                int n = root.getRowCount();
                for (int r = 0; r < n; r++) {
                    Object[] row = new Object[vectors.size()];
                    for (int c = 0; c < row.length; c++) {
                        row[c] = value(vectors.get(c), r);
                    }
                    out.collect(row);
                }
            }
        }
    }

    static Object value(FieldVector v, int i) {
        if (v.isNull(i)) {
            return null;
        }
        if (v instanceof UInt8Vector) {
            long x = ((UInt8Vector) v).get(i);
            return x >= 0 ? BigDecimal.valueOf(x) : new BigDecimal(Long.toUnsignedString(x));
        }
        if (v instanceof BaseIntVector) {
            return ((BaseIntVector) v).getValueAsLong(i);
        }
        if (v instanceof BitVector) {
            return ((BitVector) v).get(i) != 0;
        }
        if (v instanceof DecimalVector) {
            return ((DecimalVector) v).getObject(i);
        }
        if (v instanceof FixedSizeBinaryVector) {
            return ((FixedSizeBinaryVector) v).get(i);
        }
        if (v instanceof VarBinaryVector) {
            return ((VarBinaryVector) v).get(i);
        }
        if (v instanceof VarCharVector) {
            return ((VarCharVector) v).getObject(i).toString();
        }
        if (v instanceof TimeStampVector) {
            ArrowType.Timestamp t = (ArrowType.Timestamp) v.getField().getType();
            long raw = ((TimeStampVector) v).get(i);
            Instant at = instant(raw, t.getUnit());
            return t.getTimezone() == null
                    ? Timestamp.from(at)
                    : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
        }
        throw new IllegalArgumentException(
                "The JdbcSink comparison does not map " + v.getField().getType());
    }

    private static Instant instant(long raw, TimeUnit unit) {
        switch (unit) {
            case SECOND:
                return Instant.ofEpochSecond(raw);
            case MILLISECOND:
                return Instant.ofEpochMilli(raw);
            case MICROSECOND:
                return Instant.ofEpochSecond(
                        Math.floorDiv(raw, 1_000_000L), Math.floorMod(raw, 1_000_000L) * 1000);
            default:
                return Instant.ofEpochSecond(
                        Math.floorDiv(raw, 1_000_000_000L), Math.floorMod(raw, 1_000_000_000L));
        }
    }

    @Override
    public void close() {
        if (allocator != null) {
            allocator.close();
        }
    }
}
