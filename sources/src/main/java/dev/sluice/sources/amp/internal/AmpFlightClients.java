package dev.sluice.sources.amp.internal;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.protocol.AmpHeaders;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.NettyClientBuilder;
import org.apache.arrow.memory.BufferAllocator;

/** Builds Flight clients and the per-call header options of the Amp protocol. */
public final class AmpFlightClients {

    private static final int MAX_READ_BYTES = 1 << 20;

    /**
     * The pooled buffers every Flight channel of this class loader reads into: 16 MiB chunks
     * (Netty's page of 8 KiB, order 11) in two direct arenas, and two heap arenas for whatever asks
     * Netty for heap buffers.
     *
     * <p>Why not gRPC's own allocator: its chunks are 2 MiB, and a batch of a megabyte or two read
     * in reads of up to {@link #MAX_READ_BYTES} fills one past a quarter, after which Netty frees
     * the chunk as soon as the batch is parsed, and allocates (and zeroes) a new one for the next.
     * With 20 batches of 1.7 MB, 10-15 chunks came and went ({@code FlightMessageStreamITCase}).
     * Two direct arenas bound the memory to what is in flight plus two chunks, however many streams
     * a job reads.
     */
    static final PooledByteBufAllocator READ_BUFFERS =
            new PooledByteBufAllocator(
                    true,
                    2,
                    2,
                    PooledByteBufAllocator.defaultPageSize(),
                    11,
                    PooledByteBufAllocator.defaultSmallCacheSize(),
                    PooledByteBufAllocator.defaultNormalCacheSize(),
                    PooledByteBufAllocator.defaultUseCacheForAllThreads());

    private AmpFlightClients() {}

    public static FlightClient create(AmpConnectionConfig config, BufferAllocator allocator) {
        return FlightGrpcUtils.createFlightClient(allocator, channel(config, allocator));
    }

    /**
     * The gRPC channel a Flight client would open (TLS, trusted certificates, message size), for
     * callers that also make raw calls on it. Whoever closes the client built on it closes it.
     */
    public static ManagedChannel channel(AmpConnectionConfig config, BufferAllocator allocator) {
        Location location =
                config.tls()
                        ? Location.forGrpcTls(config.host(), config.port())
                        : Location.forGrpcInsecure(config.host(), config.port());
        NettyClientBuilder builder =
                new NettyClientBuilder(allocator, location)
                        .maxInboundMessageSize(config.maxMessageSize());
        if (config.tls()) {
            builder.useTls();
        }
        try {
            if (config.tls() && config.trustedCertificates() != null) {
                builder.trustedCertificates(new ByteArrayInputStream(config.trustedCertificates()));
            }
            // Netty reads at most 64 KiB per socket read by default; with up to 1 MiB a bulk stream
            // takes fewer, larger reads, each one pass through the HTTP/2 pipeline (the gRPC
            // thread's CPU per 2 M blocks fell from 1.4 s to 1.1-1.3 s in the benchmark).
            return builder.build()
                    .withOption(ChannelOption.ALLOCATOR, READ_BUFFERS)
                    .withOption(
                            ChannelOption.RCVBUF_ALLOCATOR,
                            new AdaptiveRecvByteBufAllocator(64, 64 * 1024, MAX_READ_BYTES))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UncheckedIOException(
                    new IOException("The configured CA certificates are not valid PEM", e));
        }
    }

    /** Headers of GetFlightInfo: streaming on, the resume cursor if any, the token if any. */
    public static CallOption infoHeaders(AmpConnectionConfig config, ResumeCursor cursor) {
        FlightCallHeaders headers = new FlightCallHeaders();
        headers.insert(AmpHeaders.STREAM, "true");
        if (cursor != null && !cursor.isEmpty()) {
            headers.insert(AmpHeaders.RESUME, cursor.toHeader());
        }
        if (config.authToken() != null) {
            headers.insert(AmpHeaders.AUTHORIZATION, bearer(config));
        }
        return new HeaderCallOption(headers);
    }

    /** Headers of DoGet: only the token (the ticket carries the rest). */
    public static Metadata ticketHeaders(AmpConnectionConfig config) {
        Metadata headers = new Metadata();
        if (config.authToken() != null) {
            headers.put(
                    Metadata.Key.of(AmpHeaders.AUTHORIZATION, Metadata.ASCII_STRING_MARSHALLER),
                    bearer(config));
        }
        return headers;
    }

    private static String bearer(AmpConnectionConfig config) {
        return "Bearer " + config.authToken();
    }
}
