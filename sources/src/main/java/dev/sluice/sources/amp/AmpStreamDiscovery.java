package dev.sluice.sources.amp;

import java.io.Serializable;
import java.util.List;

/**
 * Where a running source learns which streams it should read: the split enumerator calls {@link
 * #discover} on the JobManager (off its main thread) at start and then periodically, starts the
 * streams that appeared and stops those that are gone, while the other streams keep running.
 *
 * <p>A stream id must never be reused for different SQL: progress is matched by id (a changed query
 * gets a new id). The table of a spec is what streams of the same target have in common: a new
 * stream of a table starts only after every removed stream of that table has stopped and a
 * checkpoint has completed behind its last record, so the two never interleave downstream.
 */
@FunctionalInterface
public interface AmpStreamDiscovery extends Serializable {

    /**
     * The streams the source should read now. Throwing keeps the current set (the error is logged
     * and the next period tries again), so a transient failure never stops a stream.
     */
    List<AmpStreamSpec> discover() throws Exception;
}
