package dev.sluice.sources.amp.reader;

import dev.sluice.sources.amp.protocol.BatchMetadata;

/** What a fetcher thread hands to the task thread: a batch, a resumption, or a failure. */
final class FetchedItem {

    enum Type {
        /** One Flight batch: its metadata and, if it has rows, its Arrow IPC bytes. */
        BATCH,
        /** The fetcher lost its stream and opened a new one after its last completed range. */
        RESUMED,
        /** The stream failed for good; the task must fail with this error. */
        FAILED
    }

    final Type type;
    final String splitId;
    final BatchMetadata metadata;
    final byte[] arrowIpc;
    final int rowCount;
    final Throwable error;

    private FetchedItem(
            Type type,
            String splitId,
            BatchMetadata metadata,
            byte[] arrowIpc,
            int rowCount,
            Throwable error) {
        this.type = type;
        this.splitId = splitId;
        this.metadata = metadata;
        this.arrowIpc = arrowIpc;
        this.rowCount = rowCount;
        this.error = error;
    }

    static FetchedItem batch(String splitId, BatchMetadata md, byte[] ipc, int rows) {
        return new FetchedItem(Type.BATCH, splitId, md, ipc, rows, null);
    }

    static FetchedItem resumed(String splitId) {
        return new FetchedItem(Type.RESUMED, splitId, null, null, 0, null);
    }

    static FetchedItem failed(String splitId, Throwable error) {
        return new FetchedItem(Type.FAILED, splitId, null, null, 0, error);
    }
}
