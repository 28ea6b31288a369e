package dev.sluice.sources.amp.internal;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.grpc.StatusUtils;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;

/**
 * A Flight {@code DoGet} whose messages are handed over as they arrived ({@link FlightMessage})
 * instead of being loaded into vectors as {@code FlightStream} does: the source forwards Arrow IPC
 * messages to the sink, so decoding them here and encoding them again was wasted work.
 *
 * <p>Flow control is the reader's: at most {@link #WINDOW} messages are requested ahead of it, so a
 * reader that stops reading stops gRPC, which stops the server.
 */
public final class FlightMessageStream implements AutoCloseable {

    private static final int WINDOW = 4;

    private static final MethodDescriptor.Marshaller<Flight.Ticket> TICKET =
            ProtoUtils.marshaller(Flight.Ticket.getDefaultInstance());

    private final ClientCall<Flight.Ticket, FlightMessage> call;

    /** Messages and, last, the call's end; bounded by the window plus that end. */
    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();

    /** Only touched by the reading thread. */
    private Ended ended;

    private FlightMessageStream(ClientCall<Flight.Ticket, FlightMessage> call) {
        this.call = call;
    }

    /** Starts {@code DoGet} for the ticket with the given request headers. */
    public static FlightMessageStream open(Channel channel, Ticket ticket, Metadata headers) {
        // A marshaller per call: it keeps the stream's schema for the batches after it.
        MethodDescriptor<Flight.Ticket, FlightMessage> doGet =
                FlightServiceGrpc.getDoGetMethod().toBuilder(TICKET, new FlightMessageMarshaller())
                        .build();
        // Messages are parsed and queued on the transport's thread, not handed to an executor
        // thread first: the listener only enqueues, and a thread hop per message less is one
        // wake-up less on cores the job shares with PostgreSQL.
        FlightMessageStream stream =
                new FlightMessageStream(
                        channel.newCall(doGet, CallOptions.DEFAULT.withExecutor(Runnable::run)));
        stream.call.start(stream.new Listener(), headers);
        stream.call.sendMessage(
                Flight.Ticket.newBuilder()
                        .setTicket(ByteString.copyFrom(ticket.getBytes()))
                        .build());
        stream.call.halfClose();
        stream.call.request(WINDOW);
        return stream;
    }

    /**
     * Waits for the next message; null once the server ended the call normally.
     *
     * @throws FlightRuntimeException if the call failed or was cancelled
     */
    public FlightMessage next() throws InterruptedException {
        if (ended == null) {
            Object item = arrived.take();
            if (item instanceof FlightMessage) {
                call.request(1);
                return (FlightMessage) item;
            }
            ended = (Ended) item;
        }
        Status status = ended.status;
        if (status.isOk()) {
            return null;
        }
        if (status.getCause() instanceof StatusRuntimeException) {
            // gRPC fails a call whose message could not be read as CANCELLED "Failed to read
            // message."; the marshaller's own status says what was wrong with the message.
            status = ((StatusRuntimeException) status.getCause()).getStatus();
        }
        throw StatusUtils.fromGrpcStatusAndTrailers(status, ended.trailers).toRuntimeException();
    }

    /** Ends the call from any thread; a reader waiting in {@link #next()} gets CANCELLED. */
    public void cancel(String why) {
        call.cancel(why, null);
    }

    @Override
    public void close() {
        if (ended == null) {
            cancel("stream closed by the client");
        }
    }

    private final class Listener extends ClientCall.Listener<FlightMessage> {
        @Override
        public void onMessage(FlightMessage message) {
            arrived.add(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            arrived.add(new Ended(status, trailers));
        }
    }

    private static final class Ended {
        final Status status;
        final Metadata trailers;

        Ended(Status status, Metadata trailers) {
            this.status = status;
            this.trailers = trailers;
        }
    }
}
