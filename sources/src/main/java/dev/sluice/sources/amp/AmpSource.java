package dev.sluice.sources.amp;

import dev.sluice.sources.amp.enumerator.AmpEnumState;
import dev.sluice.sources.amp.enumerator.AmpEnumStateSerializer;
import dev.sluice.sources.amp.enumerator.AmpSplitEnumerator;
import dev.sluice.sources.amp.reader.AmpSourceReader;
import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.sources.amp.split.AmpSplitSerializer;
import java.util.List;
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
 * <p>Build one with {@link #builder()}.
 */
public final class AmpSource
        implements Source<AmpRecord, AmpSplit, AmpEnumState>, ResultTypeQueryable<AmpRecord> {

    private static final long serialVersionUID = 1L;

    private final AmpConnectionConfig connection;
    private final List<AmpStreamSpec> streams;

    AmpSource(AmpConnectionConfig connection, List<AmpStreamSpec> streams) {
        this.connection = connection;
        this.streams = List.copyOf(streams);
    }

    public static AmpSourceBuilder builder() {
        return new AmpSourceBuilder();
    }

    public List<AmpStreamSpec> streams() {
        return streams;
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
        return new AmpSourceReader(context, connection, streams);
    }

    @Override
    public SplitEnumerator<AmpSplit, AmpEnumState> createEnumerator(
            SplitEnumeratorContext<AmpSplit> context) {
        return new AmpSplitEnumerator(context, streams, null);
    }

    @Override
    public SplitEnumerator<AmpSplit, AmpEnumState> restoreEnumerator(
            SplitEnumeratorContext<AmpSplit> context, AmpEnumState checkpoint) {
        return new AmpSplitEnumerator(context, streams, checkpoint);
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
