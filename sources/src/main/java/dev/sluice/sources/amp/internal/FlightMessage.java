package dev.sluice.sources.amp.internal;

import dev.sluice.sources.amp.protocol.AmpProtocolException;

/**
 * One {@code FlightData} message of a stream as {@link IpcStreamAssembler} read it: a record batch
 * (with its rows as a self-contained Arrow IPC stream), application metadata alone (a batch of zero
 * rows), or a schema or dictionary message that only sets up the batches after it.
 */
public final class FlightMessage {

    private final Content content;
    private final byte[] appMetadata;

    FlightMessage(Content content, byte[] appMetadata) {
        this.content = content;
        this.appMetadata = appMetadata;
    }

    /**
     * True for a record batch or metadata alone, false for a schema or dictionary message.
     *
     * @throws AmpProtocolException if the message breaks the stream's protocol (a record batch
     *     before the schema, a body of another length than its header says, an unexpected type)
     */
    public boolean isBatch() {
        if (content.problem != null) {
            throw content.problem;
        }
        return content.batch;
    }

    /** Rows of a batch. */
    public int rows() {
        return content.rows;
    }

    /** The IPC stream of a batch with rows (schema, dictionaries, batch, end); otherwise null. */
    public byte[] ipcStream() {
        return content.ipcStream;
    }

    /** The application metadata (Amp's batch metadata JSON), or null if the message has none. */
    public byte[] appMetadata() {
        return appMetadata;
    }

    /** The Arrow part of a message. */
    static final class Content {
        private static final Content SET_UP = new Content(false, 0, null, null);

        final boolean batch;
        final int rows;
        final byte[] ipcStream;
        final AmpProtocolException problem;

        private Content(boolean batch, int rows, byte[] ipcStream, AmpProtocolException problem) {
            this.batch = batch;
            this.rows = rows;
            this.ipcStream = ipcStream;
            this.problem = problem;
        }

        static Content batch(int rows, byte[] ipcStream) {
            return new Content(true, rows, ipcStream, null);
        }

        static Content setUp() {
            return SET_UP;
        }

        /** Reported to the reader, where the message is read, not in gRPC's parse. */
        static Content problem(AmpProtocolException problem) {
            return new Content(false, 0, null, problem);
        }
    }
}
