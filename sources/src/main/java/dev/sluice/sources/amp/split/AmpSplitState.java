package dev.sluice.sources.amp.split;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.RangeValidator;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import dev.sluice.sources.amp.protocol.Rollback;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mutable progress of one split inside a reader, changed only by the task thread as it emits
 * records, so that a snapshot always matches what went downstream.
 */
public final class AmpSplitState {

    private final AmpStreamSpec stream;
    private final TreeMap<String, BlockRef> cursor;
    private final TreeMap<String, Long> partial;
    private RangeValidator validator;

    public AmpSplitState(AmpSplit split) {
        this.stream = split.stream();
        this.cursor = new TreeMap<>(split.cursor().blocks());
        this.partial = new TreeMap<>(split.partial());
        this.validator = new RangeValidator(stream.id(), split.cursor());
    }

    public AmpStreamSpec stream() {
        return stream;
    }

    public RangeValidator validator() {
        return validator;
    }

    public ResumeCursor cursor() {
        return new ResumeCursor(cursor);
    }

    /** Networks with rows emitted past the cursor, and the first such block of each. */
    public Map<String, Long> partial() {
        return partial;
    }

    /** Rows of these ranges went downstream before their microbatch completed. */
    public void onData(List<BlockRange> ranges) {
        for (BlockRange r : ranges) {
            partial.merge(r.network(), r.start(), Math::min);
        }
    }

    /** Everything from the rollback's block on was undone downstream. */
    public void onRollback(Rollback rollback) {
        Long from = partial.get(rollback.network());
        if (from != null && from >= rollback.fromBlock()) {
            partial.remove(rollback.network());
        }
    }

    /** The ranges are complete: they become the resume cursor. */
    public void onComplete(List<BlockRange> ranges) {
        for (BlockRange r : ranges) {
            cursor.put(r.network(), r.endRef());
            partial.remove(r.network());
        }
    }

    /**
     * The stream resumes after the cursor (reconnect): validation restarts from it. {@link
     * #partial()} is forgotten only as the caller emits its rollbacks ({@link #onRollback}), so a
     * checkpoint in between still records the rewind.
     */
    public void restartValidation() {
        validator = new RangeValidator(stream.id(), cursor());
    }

    public AmpSplit toSplit() {
        return new AmpSplit(stream, cursor(), partial);
    }
}
