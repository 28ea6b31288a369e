package dev.sluice.sources.amp.internal;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a {@code FlightData} response into one array and finds its fields, leaving the Arrow
 * message undecoded: the reader forwards the IPC header and body as they are.
 */
final class FlightMessageMarshaller implements MethodDescriptor.Marshaller<FlightMessage> {

    @Override
    public InputStream stream(FlightMessage value) {
        throw new UnsupportedOperationException("FlightData is only received here, never sent");
    }

    @Override
    public FlightMessage parse(InputStream in) {
        try {
            return FlightMessage.parse(readFully(in));
        } catch (IOException e) {
            throw Status.INTERNAL
                    .withDescription("Malformed FlightData message: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
    }

    private static byte[] readFully(InputStream in) throws IOException {
        if (!(in instanceof KnownLength)) {
            return in.readAllBytes();
        }
        // gRPC's message streams know their size: one array, one copy out of Netty's buffers.
        byte[] bytes = new byte[in.available()];
        int read = 0;
        while (read < bytes.length) {
            int n = in.read(bytes, read, bytes.length - read);
            if (n < 0) {
                throw new IOException(
                        "message ended after " + read + " of " + bytes.length + " bytes");
            }
            read += n;
        }
        return bytes;
    }
}
