package dev.sluice.sources.amp;

import dev.sluice.sources.amp.enumerator.AmpEnumState;
import dev.sluice.sources.amp.enumerator.AmpEnumStateSerializer;
import dev.sluice.sources.amp.enumerator.AmpSplitEnumerator;
import dev.sluice.sources.amp.reader.AmpSourceReader;
import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.sources.amp.split.AmpSplitSerializer;
import java.time.Duration;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Flink source that streams Amp tables (or SQL queries over them) over Arrow Flight, one split
 * per stream, following the chain head forever.
 *
 * <p>It emits {@link AmpRecord}s: columnar DATA batches, ROLLBACK records when the chain
 * reorganised (always before the replacement rows), and COMPLETE records when Amp declares a range
 * final. Checkpointed state is, per stream, the last completed range; after a restore or a
 * reconnect the stream resumes there ({@code amp-resume}) and first rolls back rows of the
 * microbatch that was cut short, so a transactional sink ends up exact.
 *
 * <p>With an {@link AmpStreamDiscovery} ({@link AmpSourceBuilder#setStreamDiscovery}) the set of
 * streams follows the discovery while the job runs: streams start and stop without restarting the
 * others (see {@link AmpSplitEnumerator}).
 *
 * <p>Build one with {@link #builder()}.
 */
public final class AmpSource
        implements Source<AmpRecord, AmpSplit, AmpEnumState>, ResultTypeQueryable<AmpRecord> {

    private static final long serialVersionUID = 1L;

    private final AmpConnectionConfig connection;
    private final List<AmpStreamSpec> streams;
    @Nullable private final AmpStreamDiscovery discovery;
    private final Duration discoveryInterval;

    AmpSource(
            AmpConnectionConfig connection,
            List<AmpStreamSpec> streams,
            @Nullable AmpStreamDiscovery discovery,
            Duration discoveryInterval) {
        this.connection = connection;
        this.streams = List.copyOf(streams);
        this.discovery = discovery;
        this.discoveryInterval = discoveryInterval;
    }

    public static AmpSourceBuilder builder() {
        return new AmpSourceBuilder();
    }

    /** The streams configured at build time (with discovery: the set to start with). */
    public List<AmpStreamSpec> streams() {
        return streams;
    }

    /** Whether the stream set is discovered at runtime. */
    public boolean discoversStreams() {
        return discovery != null;
    }

    public AmpConnectionConfig connection() {
        return connection;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<AmpRecord, AmpSplit> createReader(SourceReaderContext context) {
        return new AmpSourceReader(context, connection, streams, discovery != null);
    }

    @Override
    public SplitEnumerator<AmpSplit, AmpEnumState> createEnumerator(
            SplitEnumeratorContext<AmpSplit> context) {
        return new AmpSplitEnumerator(context, streams, null, discovery, discoveryInterval);
    }

    @Override
    public SplitEnumerator<AmpSplit, AmpEnumState> restoreEnumerator(
            SplitEnumeratorContext<AmpSplit> context, AmpEnumState checkpoint) {
        return new AmpSplitEnumerator(context, streams, checkpoint, discovery, discoveryInterval);
    }

    @Override
    public SimpleVersionedSerializer<AmpSplit> getSplitSerializer() {
        return AmpSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<AmpEnumState> getEnumeratorCheckpointSerializer() {
        return AmpEnumStateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<AmpRecord> getProducedType() {
        return AmpRecordTypeInfo.INSTANCE;
    }
}
