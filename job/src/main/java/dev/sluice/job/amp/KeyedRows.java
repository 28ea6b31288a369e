package dev.sluice.job.amp;

import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.Collector;

/**
 * A table merged by a user key instead of appended: each row becomes an upsert, and the prior
 * version of every key changed at a non-final block goes into an undo log, so that a rollback from
 * block F restores what the table held before F (deleting keys that did not exist then). Versions
 * older than the retention window are final and pruned from the log; the current version of each
 * key is kept, since it becomes the prior version of the next change.
 *
 * <p>Works on the keyed state of the current stream (the operator's key).
 */
final class KeyedRows {

    private final MapState<String, byte[]> current;
    private final ListState<byte[]> undo;
    private final ValueState<byte[]> schemas;

    KeyedRows(
            MapState<String, byte[]> current, ListState<byte[]> undo, ValueState<byte[]> schemas) {
        this.current = current;
        this.undo = undo;
        this.schemas = schemas;
    }

    /** Upserts every row of an Arrow batch, logging prior versions. */
    void write(
            byte[] arrowIpc,
            TableRef target,
            List<String> keyColumns,
            BufferAllocator allocator,
            Collector<PostgresSinkRecord> out)
            throws Exception {
        String[] keys = keyColumns.toArray(new String[0]);
        try (ArrowStreamReader reader =
                new ArrowStreamReader(new ByteArrayInputStream(arrowIpc), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            List<FieldVector> vectors = root.getFieldVectors();
            String[] columns = vectors.stream().map(FieldVector::getName).toArray(String[]::new);
            int blockIdx = Arrays.asList(columns).indexOf("_block_num");
            int[] keyIdx = new int[keys.length];
            for (int k = 0; k < keys.length; k++) {
                keyIdx[k] = Arrays.asList(columns).indexOf(keys[k]);
                if (keyIdx[k] < 0) {
                    throw new IllegalStateException(
                            "Table "
                                    + target
                                    + " is merged by key "
                                    + keyColumns
                                    + " but the stream has no column "
                                    + keys[k]);
                }
            }
            if (blockIdx < 0) {
                throw new IllegalStateException(
                        "Table "
                                + target
                                + " is merged by key, which needs a _block_num column"
                                + " to undo reorgs; the stream has none");
            }
            int schema = schemaIndex(columns);
            while (reader.loadNextBatch()) {
                for (int r = 0; r < root.getRowCount(); r++) {
                    Object[] values = new Object[columns.length];
                    for (int c = 0; c < values.length; c++) {
                        values[c] = ArrowRows.value(vectors.get(c), r);
                    }
                    long block = ((Number) values[blockIdx]).longValue();
                    Object[] keyValues = new Object[keys.length];
                    for (int k = 0; k < keys.length; k++) {
                        keyValues[k] = values[keyIdx[k]];
                    }
                    String key = keyOf(keyValues);
                    byte[] prior = current.get(key);
                    undo.add(undoEntry(block, key, prior));
                    current.put(key, RowValues.encode(block, schema, values));
                    out.collect(RowChangeRecord.upsert(target, columns, values, keys));
                }
            }
        }
    }

    /** Restores, per key changed at block {@code from} or later, its version from before. */
    void rollback(
            long from, TableRef target, List<String> keyColumns, Collector<PostgresSinkRecord> out)
            throws Exception {
        String[] keys = keyColumns.toArray(new String[0]);
        List<byte[]> kept = new ArrayList<>();
        // The first undone entry of a key holds its version from before the fork.
        Map<String, byte[]> restore = new LinkedHashMap<>();
        Map<String, Boolean> existed = new LinkedHashMap<>();
        for (byte[] entry : undo.get()) {
            DataInputDeserializer in = new DataInputDeserializer(entry);
            long block = in.readLong();
            String key = in.readUTF();
            if (block < from) {
                kept.add(entry);
            } else if (!existed.containsKey(key)) {
                boolean hasPrior = in.readBoolean();
                existed.put(key, hasPrior);
                if (hasPrior) {
                    byte[] prior = new byte[in.readInt()];
                    in.readFully(prior);
                    restore.put(key, prior);
                }
            }
        }
        String[][] columnsBySchema = columns();
        for (Map.Entry<String, Boolean> e : existed.entrySet()) {
            String key = e.getKey();
            if (e.getValue()) {
                byte[] prior = restore.get(key);
                current.put(key, prior);
                out.collect(
                        RowChangeRecord.upsert(
                                target,
                                columnsBySchema[RowValues.schema(prior)],
                                RowValues.values(prior),
                                keys));
            } else {
                current.remove(key);
                out.collect(RowChangeRecord.delete(target, keys, keyValuesOf(key)));
            }
        }
        undo.update(kept);
    }

    /** Forgets undo entries of blocks that can no longer be rolled back. */
    void prune(long finalBefore) throws Exception {
        List<byte[]> kept = new ArrayList<>();
        boolean dropped = false;
        for (byte[] entry : undo.get()) {
            if (new DataInputDeserializer(entry).readLong() >= finalBefore) {
                kept.add(entry);
            } else {
                dropped = true;
            }
        }
        if (dropped) {
            undo.update(kept);
        }
    }

    private static byte[] undoEntry(long block, String key, byte[] prior) throws IOException {
        DataOutputSerializer out =
                new DataOutputSerializer(32 + (prior == null ? 0 : prior.length));
        out.writeLong(block);
        out.writeUTF(key);
        out.writeBoolean(prior != null);
        if (prior != null) {
            out.writeInt(prior.length);
            out.write(prior);
        }
        return out.getCopyOfBuffer();
    }

    private static String keyOf(Object[] keyValues) throws IOException {
        return Base64.getEncoder().encodeToString(RowValues.encode(0, 0, keyValues));
    }

    private static Object[] keyValuesOf(String key) throws IOException {
        return RowValues.values(Base64.getDecoder().decode(key));
    }

    /** The index of this column list among the stream's schemas, adding it if new. */
    private int schemaIndex(String[] columns) throws IOException {
        String[][] known = columns();
        for (int i = 0; i < known.length; i++) {
            if (Arrays.equals(known[i], columns)) {
                return i;
            }
        }
        String[][] grown = Arrays.copyOf(known, known.length + 1);
        grown[known.length] = columns;
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(grown.length);
        for (String[] cols : grown) {
            out.writeInt(cols.length);
            for (String c : cols) {
                out.writeUTF(c);
            }
        }
        schemas.update(out.getCopyOfBuffer());
        return known.length;
    }

    private String[][] columns() throws IOException {
        byte[] bytes = schemas.value();
        if (bytes == null) {
            return new String[0][];
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        String[][] all = new String[in.readInt()][];
        for (int i = 0; i < all.length; i++) {
            all[i] = new String[in.readInt()];
            for (int j = 0; j < all[i].length; j++) {
                all[i][j] = in.readUTF();
            }
        }
        return all;
    }
}
