package dev.sluice.sources.amp.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * One {@code FlightData} message as it came off the wire, not decoded into vectors: the Arrow IPC
 * message header (a FlatBuffer), the application metadata and the message body, each a range of the
 * one array the message was read into.
 */
public final class FlightMessage {

    // FlightData's field numbers (Flight.proto); the descriptor (1) only travels in DoPut.
    private static final int DATA_HEADER = 2;
    private static final int APP_METADATA = 3;
    private static final int DATA_BODY = 1000;

    final byte[] bytes;
    final int headerOffset;
    final int headerLength;
    final int bodyOffset;
    final int bodyLength;
    private final int metadataOffset;
    private final int metadataLength;

    private FlightMessage(byte[] bytes, int[] ranges) {
        this.bytes = bytes;
        this.headerOffset = ranges[0];
        this.headerLength = ranges[1];
        this.metadataOffset = ranges[2];
        this.metadataLength = ranges[3];
        this.bodyOffset = ranges[4];
        this.bodyLength = ranges[5];
    }

    /** Finds the fields of a serialized {@code FlightData}; missing ones are empty ranges. */
    static FlightMessage parse(byte[] bytes) throws IOException {
        int[] ranges = new int[6];
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            int slot =
                    field == DATA_HEADER
                            ? 0
                            : field == APP_METADATA ? 2 : field == DATA_BODY ? 4 : -1;
            if (slot < 0
                    || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                in.skipField(tag);
                continue;
            }
            int length = in.readRawVarint32();
            ranges[slot] = in.getTotalBytesRead();
            ranges[slot + 1] = length;
            in.skipRawBytes(length);
        }
        return new FlightMessage(bytes, ranges);
    }

    boolean hasHeader() {
        return headerLength > 0;
    }

    /** The application metadata (Amp's batch metadata JSON), or null if the message has none. */
    public byte[] appMetadata() {
        return metadataLength == 0
                ? null
                : Arrays.copyOfRange(bytes, metadataOffset, metadataOffset + metadataLength);
    }
}
