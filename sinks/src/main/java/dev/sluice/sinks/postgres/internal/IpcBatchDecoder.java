package dev.sluice.sinks.postgres.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.Arrays;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads the Arrow IPC streams of one table's batches, keeping the decoded schema, its root and
 * loader for as long as the streams start with the same schema message — which they do for every
 * batch of a stream.
 *
 * <p>Why not an {@code ArrowStreamReader} per batch: each would parse the schema FlatBuffer into
 * {@code Field} objects and allocate a root of fresh vectors, hundreds of times a second, for
 * batches of a few thousand rows; comparing the schema message bytes costs a memory compare.
 * Schemas with dictionary-encoded fields are left to {@code ArrowStreamReader}, which also reads
 * their dictionary batches ({@link #start} returns null).
 */
final class IpcBatchDecoder implements AutoCloseable {

    private static final int CONTINUATION = -1;

    private final BufferAllocator allocator;
    private byte[] schemaMessage = new byte[0];
    private VectorSchemaRoot root;
    private VectorLoader loader;

    /**
     * The bodies of this table's batches, one after the other: copied in with one memory copy each,
     * instead of a buffer from the allocator per batch filled through an 8 KiB channel.
     */
    private ArrowBuf body;

    private byte[] ipc;
    private int at;

    IpcBatchDecoder(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Starts reading {@code ipc}; returns the root its batches load into (empty until {@link
     * #loadNext}), or null when the schema has dictionary-encoded fields.
     */
    VectorSchemaRoot start(byte[] ipc) throws IOException {
        int end = schemaMessageEnd(ipc);
        if (root == null || !Arrays.equals(ipc, 0, end, schemaMessage, 0, schemaMessage.length)) {
            Schema schema = MessageSerializer.deserializeSchema(channel(ipc, 0, end));
            if (hasDictionaries(schema.getFields())) {
                return null;
            }
            close();
            root = VectorSchemaRoot.create(schema, allocator);
            loader = new VectorLoader(root);
            schemaMessage = Arrays.copyOf(ipc, end);
        }
        this.ipc = ipc;
        this.at = end;
        return root;
    }

    /** Loads the next record batch of the stream into the root; false at its end. */
    boolean loadNext() throws IOException {
        if (at == ipc.length) {
            return false;
        }
        int first = intAt(at);
        int prefix = first == CONTINUATION ? 8 : 4;
        int length = first == CONTINUATION ? intAt(at + 4) : first;
        if (length == 0) {
            return false;
        }
        int metadataAt = at + prefix;
        if (length < 0 || length > ipc.length - metadataAt) {
            throw truncated(metadataAt, length);
        }
        MessageMetadataResult message =
                MessageMetadataResult.create(
                        ByteBuffer.wrap(ipc, metadataAt, length).slice(), length);
        if (message.getMessage().headerType() != MessageHeader.RecordBatch) {
            throw new IOException(
                    "Expected an Arrow record batch, found message type "
                            + MessageHeader.name(message.getMessage().headerType())
                            + " (dictionary batches need a dictionary-encoded schema)");
        }
        int bodyAt = metadataAt + length;
        long bodyLength = message.getMessageBodyLength();
        if (bodyLength < 0 || bodyLength > ipc.length - bodyAt) {
            throw truncated(bodyAt, bodyLength);
        }
        if (body == null || body.capacity() < bodyLength) {
            long capacity = Math.max(bodyLength, body == null ? 0 : body.capacity() * 2);
            if (body != null) {
                body.close();
                body = null;
            }
            body = allocator.buffer(capacity);
        }
        body.setBytes(0, ipc, bodyAt, bodyLength);
        at = bodyAt + (int) bodyLength;
        // The batch keeps slices of the body and releases one reference to it once built:
        // ours stays, for the next batch.
        body.getReferenceManager().retain();
        ArrowRecordBatch batch;
        try {
            batch = MessageSerializer.deserializeRecordBatch(message, body);
        } catch (IOException | RuntimeException e) {
            body.getReferenceManager().release();
            throw e;
        }
        try (batch) {
            loader.load(batch);
        }
        return true;
    }

    private int intAt(int offset) throws IOException {
        if (offset + 4 > ipc.length) {
            throw truncated(offset, 4);
        }
        return intLittleEndian(ipc, offset);
    }

    private IOException truncated(int offset, long length) {
        return new IOException(
                "Truncated Arrow IPC stream: "
                        + length
                        + " bytes wanted at offset "
                        + offset
                        + " of "
                        + ipc.length);
    }

    /** Frees the last batch's buffers; the root stays for the next stream of the same schema. */
    void release() {
        ipc = null;
        if (root != null) {
            root.clear();
        }
    }

    @Override
    public void close() {
        ipc = null;
        if (body != null) {
            body.close();
            body = null;
        }
        if (root != null) {
            root.close();
            root = null;
            loader = null;
            schemaMessage = new byte[0];
        }
    }

    /** The end of the stream's first message, its schema (which has no body). */
    private static int schemaMessageEnd(byte[] ipc) throws IOException {
        if (ipc.length < 8) {
            throw new IOException("Not an Arrow IPC stream: " + ipc.length + " bytes");
        }
        int first = intLittleEndian(ipc, 0);
        long end = first == CONTINUATION ? 8L + intLittleEndian(ipc, 4) : 4L + first;
        if (first == 0 || end < 8 || end > ipc.length) {
            throw new IOException(
                    "Not an Arrow IPC stream: a schema message of "
                            + end
                            + " bytes in "
                            + ipc.length);
        }
        return (int) end;
    }

    private static int intLittleEndian(byte[] b, int at) {
        return (b[at] & 0xff)
                | (b[at + 1] & 0xff) << 8
                | (b[at + 2] & 0xff) << 16
                | (b[at + 3] & 0xff) << 24;
    }

    private static ReadChannel channel(byte[] ipc, int offset, int length) {
        return new ReadChannel(Channels.newChannel(new ByteArrayInputStream(ipc, offset, length)));
    }

    private static boolean hasDictionaries(Iterable<Field> fields) {
        for (Field f : fields) {
            if (f.getDictionary() != null || hasDictionaries(f.getChildren())) {
                return true;
            }
        }
        return false;
    }
}
