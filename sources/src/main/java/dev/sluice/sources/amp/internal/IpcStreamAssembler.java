package dev.sluice.sources.amp.internal;

import dev.sluice.sources.amp.protocol.AmpProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;

/**
 * Turns the messages of one Flight stream into a self-contained Arrow IPC stream per record batch —
 * schema message, the dictionary batches so far, the record batch, end of stream — by framing the
 * IPC headers and bodies the server sent, without decoding them.
 *
 * <p>Framing is the IPC format's encapsulation: a {@code 0xFFFFFFFF} continuation, the header's
 * length padded so that the body starts on 8 bytes, the header, zero padding, the body.
 */
public final class IpcStreamAssembler {

    private static final int CONTINUATION = -1;
    private static final int END_OF_STREAM_BYTES = 8;

    private byte[] schema;

    /** Per dictionary id, its last full batch and the deltas after it, framed. */
    private final Map<Long, List<byte[]>> dictionaries = new LinkedHashMap<>();

    private FlightMessage batch;
    private int rows;

    /**
     * Takes the stream's next message. Returns true if it is a record batch, or a message with only
     * application metadata (Flight's way to send metadata alone, read as zero rows); {@link
     * #rows()} and {@link #ipcStream()} then describe it. Schema and dictionary messages are kept
     * for the batches after them.
     */
    public boolean add(FlightMessage message) {
        batch = null;
        if (!message.hasHeader()) {
            rows = 0;
            batch = message;
            return true;
        }
        Message header =
                Message.getRootAsMessage(
                        ByteBuffer.wrap(message.bytes, message.headerOffset, message.headerLength));
        if (header.bodyLength() != message.bodyLength) {
            throw new AmpProtocolException(
                    "A Flight message's body has "
                            + message.bodyLength
                            + " bytes but its Arrow header announces "
                            + header.bodyLength());
        }
        switch (header.headerType()) {
            case MessageHeader.Schema:
                schema = frame(message);
                dictionaries.clear();
                return false;
            case MessageHeader.DictionaryBatch:
                DictionaryBatch dictionary = (DictionaryBatch) header.header(new DictionaryBatch());
                List<byte[]> batches =
                        dictionaries.computeIfAbsent(dictionary.id(), id -> new ArrayList<>());
                if (!dictionary.isDelta()) {
                    batches.clear();
                }
                batches.add(frame(message));
                return false;
            case MessageHeader.RecordBatch:
                if (schema == null) {
                    throw new AmpProtocolException(
                            "The Amp server sent a record batch before the stream's schema");
                }
                rows = Math.toIntExact(((RecordBatch) header.header(new RecordBatch())).length());
                batch = message;
                return true;
            default:
                throw new AmpProtocolException(
                        "The Amp server sent an Arrow message of unexpected type "
                                + MessageHeader.name(header.headerType()));
        }
    }

    /** Rows of the batch {@link #add} took last. */
    public int rows() {
        return rows;
    }

    /** The IPC stream of the record batch {@link #add} took last (with rows). */
    public byte[] ipcStream() {
        int length = schema.length + framedLength(batch) + END_OF_STREAM_BYTES;
        for (List<byte[]> batches : dictionaries.values()) {
            for (byte[] b : batches) {
                length += b.length;
            }
        }
        byte[] out = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(schema);
        for (List<byte[]> batches : dictionaries.values()) {
            for (byte[] b : batches) {
                buffer.put(b);
            }
        }
        frame(batch, buffer);
        // End of stream: a continuation and a zero length; the array is zeroed already.
        buffer.putInt(CONTINUATION);
        return out;
    }

    private static byte[] frame(FlightMessage message) {
        byte[] out = new byte[framedLength(message)];
        frame(message, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN));
        return out;
    }

    private static void frame(FlightMessage message, ByteBuffer out) {
        int padded = paddedHeaderLength(message);
        out.putInt(CONTINUATION);
        out.putInt(padded);
        out.put(message.bytes, message.headerOffset, message.headerLength);
        out.position(out.position() + padded - message.headerLength);
        out.put(message.bytes, message.bodyOffset, message.bodyLength);
    }

    private static int framedLength(FlightMessage message) {
        return 8 + paddedHeaderLength(message) + message.bodyLength;
    }

    /** The header's length including the zeros that end it on a multiple of 8 (with the prefix). */
    private static int paddedHeaderLength(FlightMessage message) {
        return ((message.headerLength + 8 + 7) & ~7) - 8;
    }
}
