package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.AddColumnRecord;
import dev.sluice.sinks.postgres.ArrowBatchRecord;
import dev.sluice.sinks.postgres.PostgresSinkRecord;
import dev.sluice.sinks.postgres.PostgresTables;
import dev.sluice.sinks.postgres.ReplaceTableRecord;
import dev.sluice.sinks.postgres.RollbackRecord;
import dev.sluice.sinks.postgres.RowChangeRecord;
import dev.sluice.sinks.postgres.TableOptions;
import dev.sluice.sinks.postgres.TableRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Applies records to the open transaction of one connection, in order: Arrow batches with binary
 * COPY (consecutive batches of the same table and columns share one COPY), row inserts with CSV
 * COPY, upserts and deletes as batched statements, rollbacks as one DELETE. Nothing is committed
 * here, and nothing is ever re-sent: any error leaves the transaction broken for the caller to
 * abandon.
 */
public final class RecordApplier implements AutoCloseable {

    private static final byte[] BINARY_HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };
    private static final int STATEMENT_BATCH = 1000;

    private final Connection connection;
    private final CopyManager copyManager;
    private final BufferAllocator allocator;
    private final TableCatalog catalog = new TableCatalog();
    private final Map<TableRef, IpcBatchDecoder> decoders = new HashMap<>();
    private final CopyBuffer buffer;
    private final int chunkSize;

    private CopyIn copy;
    // What the open COPY writes: compared per batch (no key string built for each).
    private String copyFormat;
    private TableRef copyTable;
    private List<String> copyColumns;
    private PreparedStatement batch;
    private RowChangeRecord batchShape;
    private int batched;

    private long rows;
    private long bytes;
    private long copyNanos;

    public RecordApplier(Connection connection, BufferAllocator allocator, int chunkSize)
            throws SQLException {
        this.connection = connection;
        this.copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
        this.allocator = allocator;
        this.chunkSize = chunkSize;
        this.buffer = new CopyBuffer(chunkSize + (chunkSize >> 2));
    }

    /** Rows written since the last {@link #resetCounters}. */
    public long rows() {
        return rows;
    }

    public long bytes() {
        return bytes;
    }

    public long copyNanos() {
        return copyNanos;
    }

    public void resetCounters() {
        rows = 0;
        bytes = 0;
        copyNanos = 0;
    }

    /** Applies one record; returns the rows it wrote (or deleted row count for rollbacks). */
    public void apply(PostgresSinkRecord record) throws SQLException, IOException {
        if (record instanceof ArrowBatchRecord) {
            applyArrow((ArrowBatchRecord) record);
        } else if (record instanceof RollbackRecord) {
            finish();
            applyRollback((RollbackRecord) record);
        } else if (record instanceof AddColumnRecord) {
            finish();
            applyAddColumn((AddColumnRecord) record);
        } else if (record instanceof ReplaceTableRecord) {
            finish();
            applyReplace((ReplaceTableRecord) record);
        } else {
            applyRow((RowChangeRecord) record);
        }
    }

    /** Forgets what it knows of {@code table}'s columns: another session replaced it. */
    public void forget(TableRef table) {
        catalog.forget(table);
    }

    /** Ends the open COPY or statement batch, surfacing any error. */
    public void finish() throws SQLException {
        finishCopy();
        finishBatch();
    }

    private void applyArrow(ArrowBatchRecord record) throws SQLException, IOException {
        finishBatch();
        IpcBatchDecoder decoder =
                decoders.computeIfAbsent(record.table(), t -> new IpcBatchDecoder(allocator));
        VectorSchemaRoot root = decoder.start(record.arrowIpc());
        if (root != null) {
            try {
                copyBatches(record, root, decoder::loadNext, null);
            } finally {
                decoder.release();
            }
            return;
        }
        try (ArrowStreamReader reader =
                new ArrowStreamReader(new ByteArrayInputStream(record.arrowIpc()), allocator)) {
            copyBatches(record, reader.getVectorSchemaRoot(), reader::loadNextBatch, reader);
        }
    }

    /** Loads the next batch into the root being copied; false at the end of the stream. */
    @FunctionalInterface
    private interface BatchLoader {
        boolean loadNext() throws IOException;
    }

    private void copyBatches(
            ArrowBatchRecord record,
            VectorSchemaRoot root,
            BatchLoader batches,
            DictionaryProvider dictionaries)
            throws SQLException, IOException {
        TableRef table = record.table();
        List<FieldVector> vectors = root.getFieldVectors();
        List<String> names = new ArrayList<>(vectors.size() + 1);
        for (FieldVector v : vectors) {
            names.add(v.getName());
        }
        if (!catalog.knows(table, names)) {
            // A catalog query cannot run on this connection while a COPY is open on it:
            // pgjdbc would make this thread wait for itself.
            finishCopy();
        }
        catalog.requireColumns(connection, table, names);
        byte[] network = null;
        if (!names.contains(TableCatalog.NETWORK_COLUMN) && catalog.hasNetwork(connection, table)) {
            if (record.network() == null) {
                throw new SQLException(
                        "Table " + table + " has a _network column but the batch has no network",
                        "23502");
            }
            names.add(TableCatalog.NETWORK_COLUMN);
            network = record.network().getBytes(StandardCharsets.UTF_8);
        }
        startCopy(table, names, "binary");
        int fields = names.size();
        FieldEncoder[] encoders = new FieldEncoder[vectors.size()];
        while (batches.loadNext()) {
            for (int c = 0; c < encoders.length; c++) {
                encoders[c] = EncoderFactory.create(vectors.get(c), dictionaries);
            }
            int n = root.getRowCount();
            for (int r = 0; r < n; r++) {
                buffer.putShort(fields);
                for (FieldEncoder e : encoders) {
                    e.writeBinary(r, buffer);
                }
                if (network != null) {
                    buffer.putInt(network.length);
                    buffer.putBytes(network);
                }
                if (buffer.position() >= chunkSize) {
                    drain();
                }
            }
            rows += n;
        }
    }

    private void applyRollback(RollbackRecord record) throws SQLException {
        TableRef table = record.table();
        boolean network = catalog.hasNetwork(connection, table);
        String sql =
                "DELETE FROM "
                        + table.quoted()
                        + " WHERE \"_block_num\" >= ?"
                        + (network ? " AND \"_network\" = ?" : "");
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, record.fromBlock());
            if (network) {
                ps.setString(2, record.network());
            }
            ps.executeUpdate();
        }
    }

    private void applyAddColumn(AddColumnRecord record) throws SQLException {
        try (java.sql.Statement s = connection.createStatement()) {
            s.execute(
                    "ALTER TABLE "
                            + record.table().quoted()
                            + " ADD COLUMN IF NOT EXISTS "
                            + TableRef.quote(record.column())
                            + ' '
                            + record.sqlType());
        }
        catalog.forget(record.table());
    }

    private void applyReplace(ReplaceTableRecord record) throws SQLException, IOException {
        try (ArrowStreamReader reader =
                new ArrowStreamReader(new ByteArrayInputStream(record.arrowIpc()), allocator)) {
            PostgresTables.replaceTable(
                    connection,
                    record.table(),
                    reader.getVectorSchemaRoot().getSchema(),
                    reader,
                    TableOptions.defaults());
        }
        catalog.forget(record.table());
    }

    private void applyRow(RowChangeRecord record) throws SQLException {
        if (record.op() == RowChangeRecord.Op.INSERT) {
            finishBatch();
            List<String> names = List.of(record.columns());
            startCopy(record.table(), names, "csv");
            RowCsv.append(record, buffer);
            rows++;
            if (buffer.position() >= chunkSize) {
                drain();
            }
            return;
        }
        finishCopy();
        if (batch != null && !batchShape.sameShape(record)) {
            finishBatch();
        }
        if (batch == null) {
            batch = connection.prepareStatement(RowStatements.sql(record));
            batchShape = record;
        }
        RowStatements.bind(batch, record);
        batch.addBatch();
        rows++;
        if (++batched >= STATEMENT_BATCH) {
            batch.executeBatch();
            batched = 0;
        }
    }

    private void startCopy(TableRef table, List<String> columns, String format)
            throws SQLException {
        if (copy != null
                && format.equals(copyFormat)
                && table.equals(copyTable)
                && columns.equals(copyColumns)) {
            return;
        }
        finishCopy();
        StringBuilder sql = new StringBuilder("COPY ").append(table.quoted()).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TableRef.quote(columns.get(i)));
        }
        sql.append(") FROM STDIN (FORMAT ").append(format).append(')');
        copy = copyManager.copyIn(sql.toString());
        copyFormat = format;
        copyTable = table;
        copyColumns = List.copyOf(columns);
        buffer.reset();
        if (format.equals("binary")) {
            buffer.putBytes(BINARY_HEADER);
        }
    }

    private void drain() throws SQLException {
        if (buffer.position() > 0) {
            long start = System.nanoTime();
            copy.writeToCopy(buffer.array(), 0, buffer.position());
            copyNanos += System.nanoTime() - start;
            bytes += buffer.position();
            buffer.reset();
        }
    }

    private void finishCopy() throws SQLException {
        if (copy == null) {
            return;
        }
        CopyIn open = copy;
        boolean binary = copyFormat.equals("binary");
        forgetCopy();
        if (binary) {
            buffer.putShort(-1);
        }
        long start = System.nanoTime();
        if (buffer.position() > 0) {
            open.writeToCopy(buffer.array(), 0, buffer.position());
            bytes += buffer.position();
            buffer.reset();
        }
        open.endCopy();
        copyNanos += System.nanoTime() - start;
    }

    private void forgetCopy() {
        copy = null;
        copyFormat = null;
        copyTable = null;
        copyColumns = null;
    }

    private void finishBatch() throws SQLException {
        if (batch == null) {
            return;
        }
        try {
            if (batched > 0) {
                batch.executeBatch();
            }
        } finally {
            batch.close();
            batch = null;
            batchShape = null;
            batched = 0;
        }
    }

    /** Forgets an open COPY or batch after the transaction broke; the connection is discarded. */
    public void abandon() {
        if (copy != null) {
            try {
                if (!connection.isClosed() && copy.isActive()) {
                    copy.cancelCopy();
                }
            } catch (SQLException ignored) {
                // The connection is being discarded anyway.
            }
        }
        forgetCopy();
        buffer.reset();
        if (batch != null) {
            try {
                batch.close();
            } catch (SQLException ignored) {
                // Same.
            }
        }
        batch = null;
        batchShape = null;
        batched = 0;
    }

    @Override
    public void close() {
        abandon();
        decoders.values().forEach(IpcBatchDecoder::close);
        decoders.clear();
    }
}
