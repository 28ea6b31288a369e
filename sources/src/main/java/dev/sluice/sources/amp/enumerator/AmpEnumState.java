package dev.sluice.sources.amp.enumerator;

import dev.sluice.sources.amp.split.AmpSplit;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The enumerator's checkpoint: the ids of streams already handed to readers (their progress is in
 * reader state) and the splits still waiting for a reader.
 */
public final class AmpEnumState {

    private final Set<String> assigned;
    private final List<AmpSplit> pending;

    public AmpEnumState(Set<String> assigned, List<AmpSplit> pending) {
        this.assigned = Collections.unmodifiableSet(new TreeSet<>(assigned));
        this.pending = List.copyOf(pending);
    }

    public Set<String> assigned() {
        return assigned;
    }

    public List<AmpSplit> pending() {
        return pending;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AmpEnumState
                && ((AmpEnumState) o).assigned.equals(assigned)
                && ((AmpEnumState) o).pending.equals(pending);
    }

    @Override
    public int hashCode() {
        return Objects.hash(assigned, pending);
    }

    @Override
    public String toString() {
        return "AmpEnumState(assigned " + assigned + ", pending " + pending + ")";
    }
}
