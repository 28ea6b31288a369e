package dev.sluice.sources.amp.internal;

import dev.sluice.sources.amp.protocol.AmpProtocolException;
import io.grpc.KnownLength;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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
 * Reads the serialized {@code FlightData} messages of one Flight stream and turns each record batch
 * into a self-contained Arrow IPC stream — schema message, the dictionary batches so far, the
 * record batch, end of stream — by framing the IPC header and body the server sent, without
 * decoding them.
 *
 * <p>The body, nearly all of a message's bytes, is read from gRPC's buffers straight into its place
 * in the IPC stream: one copy on the way from the socket to the sink (Flight servers send the
 * header before the body; a body that comes first is kept and copied into place).
 *
 * <p>Framing is the IPC format's encapsulation: a {@code 0xFFFFFFFF} continuation, the header's
 * length padded so that the body starts on 8 bytes, the header, zero padding, the body.
 */
final class IpcStreamAssembler {

    private static final int CONTINUATION = -1;
    private static final int END_OF_STREAM_BYTES = 8;

    // FlightData's field numbers (Flight.proto); the descriptor (1) only travels in DoPut.
    private static final int DATA_HEADER = 2;
    private static final int APP_METADATA = 3;
    private static final int DATA_BODY = 1000;

    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;

    private byte[] schema;

    /** Per dictionary id, its last full batch and the deltas after it, framed. */
    private final Map<Long, List<byte[]>> dictionaries = new LinkedHashMap<>();

    private int dictionaryBytes;

    /**
     * Reads one {@code FlightData} message. Schema and dictionary messages are kept for the record
     * batches after them; a record batch with rows comes back as its IPC stream.
     *
     * @throws IOException if the message is not a well-formed {@code FlightData}
     */
    FlightMessage read(InputStream in) throws IOException {
        byte[] header = null;
        byte[] metadata = null;
        byte[] earlyBody = null;
        FlightMessage.Content content = null;
        for (int tag = readTag(in); tag != 0; tag = readTag(in)) {
            int field = tag >>> 3;
            int wireType = tag & 7;
            boolean known = field == DATA_HEADER || field == APP_METADATA || field == DATA_BODY;
            if (!known || wireType != WIRE_LENGTH_DELIMITED) {
                skipField(in, wireType);
                continue;
            }
            int length = readLength(in, field);
            if (field == DATA_HEADER) {
                requireOnce(header == null, field);
                header = readBytes(in, length);
            } else if (field == APP_METADATA) {
                requireOnce(metadata == null, field);
                metadata = readBytes(in, length);
            } else {
                requireOnce(earlyBody == null && content == null, field);
                if (header != null && header.length > 0) {
                    content = accept(header, new StreamBody(in, length));
                } else {
                    earlyBody = readBytes(in, length);
                }
            }
        }
        if (content == null) {
            content = accept(header, new ArrayBody(earlyBody == null ? new byte[0] : earlyBody));
        }
        return new FlightMessage(content, metadata);
    }

    /**
     * What the message's Arrow part is, once its header and the length of its body are known. The
     * header is a FlatBuffer read lazily, field by field: wherever a malformed one points outside
     * its bytes, the read fails here as a malformed message.
     */
    private FlightMessage.Content accept(byte[] header, Body body) throws IOException {
        try {
            return classify(header, body);
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            throw new IOException("its Arrow header is not a readable IPC message (" + e + ")", e);
        }
    }

    private FlightMessage.Content classify(byte[] header, Body body) throws IOException {
        if (header == null || header.length == 0) {
            // Flight's way to send application metadata alone: read as a batch of zero rows.
            body.skip();
            return FlightMessage.Content.batch(0, null);
        }
        Message message = Message.getRootAsMessage(ByteBuffer.wrap(header));
        if (message.bodyLength() != body.length()) {
            body.skip();
            return FlightMessage.Content.problem(
                    new AmpProtocolException(
                            "A Flight message's body has "
                                    + body.length()
                                    + " bytes but its Arrow header announces "
                                    + message.bodyLength()));
        }
        switch (message.headerType()) {
            case MessageHeader.Schema:
                schema = frame(header, body);
                dictionaries.clear();
                dictionaryBytes = 0;
                return FlightMessage.Content.setUp();
            case MessageHeader.DictionaryBatch:
                DictionaryBatch dictionary =
                        (DictionaryBatch) message.header(new DictionaryBatch());
                List<byte[]> batches =
                        dictionaries.computeIfAbsent(dictionary.id(), id -> new ArrayList<>());
                if (!dictionary.isDelta()) {
                    for (byte[] replaced : batches) {
                        dictionaryBytes -= replaced.length;
                    }
                    batches.clear();
                }
                byte[] framed = frame(header, body);
                batches.add(framed);
                dictionaryBytes += framed.length;
                return FlightMessage.Content.setUp();
            case MessageHeader.RecordBatch:
                if (schema == null) {
                    body.skip();
                    return FlightMessage.Content.problem(
                            new AmpProtocolException(
                                    "The Amp server sent a record batch before the stream's"
                                            + " schema"));
                }
                int rows =
                        Math.toIntExact(((RecordBatch) message.header(new RecordBatch())).length());
                if (rows == 0) {
                    body.skip();
                    return FlightMessage.Content.batch(0, null);
                }
                return FlightMessage.Content.batch(rows, ipcStream(header, body));
            default:
                body.skip();
                return FlightMessage.Content.problem(
                        new AmpProtocolException(
                                "The Amp server sent an Arrow message of unexpected type "
                                        + MessageHeader.name(message.headerType())));
        }
    }

    /** Schema, dictionaries, the batch and the end of stream, in one array. */
    private byte[] ipcStream(byte[] header, Body body) throws IOException {
        int length = schema.length + dictionaryBytes + framedLength(header, body);
        byte[] out = new byte[length + END_OF_STREAM_BYTES];
        System.arraycopy(schema, 0, out, 0, schema.length);
        int at = schema.length;
        for (List<byte[]> batches : dictionaries.values()) {
            for (byte[] b : batches) {
                System.arraycopy(b, 0, out, at, b.length);
                at += b.length;
            }
        }
        frame(header, body, out, at);
        // End of stream: a continuation and a zero length; the array is zeroed already.
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(length, CONTINUATION);
        return out;
    }

    private static byte[] frame(byte[] header, Body body) throws IOException {
        byte[] out = new byte[framedLength(header, body)];
        frame(header, body, out, 0);
        return out;
    }

    private static void frame(byte[] header, Body body, byte[] out, int at) throws IOException {
        int padded = paddedHeaderLength(header);
        ByteBuffer prefix = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putInt(at, CONTINUATION);
        prefix.putInt(at + 4, padded);
        System.arraycopy(header, 0, out, at + 8, header.length);
        body.readInto(out, at + 8 + padded);
    }

    private static int framedLength(byte[] header, Body body) {
        return 8 + paddedHeaderLength(header) + body.length();
    }

    /** The header's length including the zeros that end it on a multiple of 8 (with the prefix). */
    private static int paddedHeaderLength(byte[] header) {
        return ((header.length + 8 + 7) & ~7) - 8;
    }

    /** The next field's tag, or 0 (never a valid tag) at the end of the message. */
    private static int readTag(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return 0;
        }
        int tag = first < 0x80 ? first : continueVarint(in, first);
        if (tag >>> 3 == 0) {
            throw new IOException("field number 0");
        }
        return tag;
    }

    /**
     * A length-delimited field's length, checked before anything is allocated for it: a malformed
     * length must not cost gigabytes of heap first (gRPC's message streams know their length).
     * {@code field} 0 stands for a field being skipped.
     */
    private static int readLength(InputStream in, int field) throws IOException {
        int length = readVarint(in);
        String what = field == 0 ? "a skipped field" : "field " + field;
        if (length < 0) {
            throw new IOException(what + " has a negative length");
        }
        if (in instanceof KnownLength && length > in.available()) {
            throw new EOFException(
                    what
                            + " announces "
                            + length
                            + " bytes but the message has "
                            + in.available()
                            + " left");
        }
        return length;
    }

    private static void requireOnce(boolean first, int field) throws IOException {
        if (!first) {
            throw new IOException("field " + field + " appears twice");
        }
    }

    private static int readVarint(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("the message ends inside a field");
        }
        return first < 0x80 ? first : continueVarint(in, first);
    }

    /** Protobuf's base-128 varint, of which the first byte was read; the low 32 bits. */
    private static int continueVarint(InputStream in, int first) throws IOException {
        long value = first & 0x7f;
        for (int shift = 7; shift < 70; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the message ends inside a varint");
            }
            value |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                return (int) value;
            }
        }
        throw new IOException("a varint longer than 10 bytes");
    }

    private static void skipField(InputStream in, int wireType) throws IOException {
        switch (wireType) {
            case WIRE_VARINT:
                readVarint(in);
                return;
            case WIRE_FIXED64:
                in.skipNBytes(8);
                return;
            case WIRE_LENGTH_DELIMITED:
                in.skipNBytes(readLength(in, 0));
                return;
            case WIRE_FIXED32:
                in.skipNBytes(4);
                return;
            default:
                throw new IOException("unsupported wire type " + wireType);
        }
    }

    private static byte[] readBytes(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        readFully(in, bytes, 0, length);
        return bytes;
    }

    private static void readFully(InputStream in, byte[] into, int at, int length)
            throws IOException {
        int read = in.readNBytes(into, at, length);
        if (read < length) {
            throw new EOFException(
                    "the message ends " + read + " bytes into a " + length + "-byte field");
        }
    }

    /** A message body: still in the stream, or read before its header. */
    private interface Body {
        int length();

        void readInto(byte[] out, int at) throws IOException;

        void skip() throws IOException;
    }

    private static final class StreamBody implements Body {
        private final InputStream in;
        private final int length;

        StreamBody(InputStream in, int length) {
            this.in = in;
            this.length = length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void readInto(byte[] out, int at) throws IOException {
            readFully(in, out, at, length);
        }

        @Override
        public void skip() throws IOException {
            in.skipNBytes(length);
        }
    }

    private static final class ArrayBody implements Body {
        private final byte[] bytes;

        ArrayBody(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int length() {
            return bytes.length;
        }

        @Override
        public void readInto(byte[] out, int at) {
            System.arraycopy(bytes, 0, out, at, bytes.length);
        }

        @Override
        public void skip() {}
    }
}
