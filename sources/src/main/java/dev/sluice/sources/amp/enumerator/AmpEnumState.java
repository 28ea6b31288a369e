package dev.sluice.sources.amp.enumerator;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.split.AmpSplit;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The enumerator's checkpoint: the stream set as it stood at the checkpoint. Streams handed to
 * readers (their progress is in reader state), splits waiting for a reader, streams being stopped
 * (until a checkpoint completed behind the confirmations of every reader), new streams held back
 * until the streams they replace have stopped, and tables whose removed streams every reader
 * confirmed stopping.
 */
public final class AmpEnumState {

    private final List<AmpStreamSpec> assigned;
    private final List<AmpSplit> pending;
    private final List<AmpStreamSpec> removing;
    private final List<AmpStreamSpec> held;
    private final Set<String> draining;

    public AmpEnumState(
            List<AmpStreamSpec> assigned,
            List<AmpSplit> pending,
            List<AmpStreamSpec> removing,
            List<AmpStreamSpec> held,
            Set<String> draining) {
        this.assigned = List.copyOf(assigned);
        this.pending = List.copyOf(pending);
        this.removing = List.copyOf(removing);
        this.held = List.copyOf(held);
        this.draining = Collections.unmodifiableSet(new TreeSet<>(draining));
    }

    /** A state with streams handed out and pending only (what version 1 recorded). */
    public AmpEnumState(List<AmpStreamSpec> assigned, List<AmpSplit> pending) {
        this(assigned, pending, List.of(), List.of(), Set.of());
    }

    public List<AmpStreamSpec> assigned() {
        return assigned;
    }

    public List<AmpSplit> pending() {
        return pending;
    }

    public List<AmpStreamSpec> removing() {
        return removing;
    }

    public List<AmpStreamSpec> held() {
        return held;
    }

    public Set<String> draining() {
        return draining;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AmpEnumState)) {
            return false;
        }
        AmpEnumState that = (AmpEnumState) o;
        return that.assigned.equals(assigned)
                && that.pending.equals(pending)
                && that.removing.equals(removing)
                && that.held.equals(held)
                && that.draining.equals(draining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(assigned, pending, removing, held, draining);
    }

    @Override
    public String toString() {
        return "AmpEnumState(assigned "
                + assigned
                + ", pending "
                + pending
                + ", removing "
                + removing
                + ", held "
                + held
                + ", draining "
                + draining
                + ")";
    }
}
