package dev.sluice.sources.amp.split;

import static java.util.Objects.requireNonNull;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One Amp stream and how far it got: {@code cursor} holds, per network, the end of the last
 * <em>completed</em> range (what {@code amp-resume} sends); {@code partial} holds, per network, the
 * first block of a microbatch whose rows were emitted before it completed. On restore those rows
 * may already be in the target, so the reader first rolls them back (a "rewind") and then resumes
 * after {@code cursor}: nothing duplicated, nothing lost.
 */
public final class AmpSplit implements SourceSplit {

    private final AmpStreamSpec stream;
    private final ResumeCursor cursor;
    private final Map<String, Long> partial;

    public AmpSplit(AmpStreamSpec stream, ResumeCursor cursor, Map<String, Long> partial) {
        this.stream = requireNonNull(stream, "stream");
        this.cursor = requireNonNull(cursor, "cursor");
        this.partial = Collections.unmodifiableMap(new TreeMap<>(partial));
    }

    /** A stream that starts from the beginning (full backfill). */
    public static AmpSplit fresh(AmpStreamSpec stream) {
        return new AmpSplit(stream, new ResumeCursor(Map.<String, BlockRef>of()), Map.of());
    }

    @Override
    public String splitId() {
        return stream.id();
    }

    public AmpStreamSpec stream() {
        return stream;
    }

    public ResumeCursor cursor() {
        return cursor;
    }

    public Map<String, Long> partial() {
        return partial;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AmpSplit
                && ((AmpSplit) o).stream.equals(stream)
                && ((AmpSplit) o).cursor.equals(cursor)
                && ((AmpSplit) o).partial.equals(partial);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, cursor, partial);
    }

    @Override
    public String toString() {
        return "AmpSplit(" + stream.id() + ", " + cursor + ", partial " + partial + ")";
    }
}
