package dev.sluice.sources.amp.internal;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the {@code FlightData} responses of one call with its own {@link IpcStreamAssembler}: gRPC
 * parses a call's messages one at a time and in order, so the schema a batch needs has been read
 * before it.
 */
final class FlightMessageMarshaller implements MethodDescriptor.Marshaller<FlightMessage> {

    private final IpcStreamAssembler assembler = new IpcStreamAssembler();

    @Override
    public InputStream stream(FlightMessage value) {
        throw new UnsupportedOperationException("FlightData is only received here, never sent");
    }

    @Override
    public FlightMessage parse(InputStream in) {
        try {
            return assembler.read(in);
        } catch (IOException e) {
            throw Status.INTERNAL
                    .withDescription("Malformed FlightData message: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
    }
}
