package dev.sluice.sources.amp.enumerator;

import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator → every reader: stop these streams and forget them (a checkpoint must no longer carry
 * their splits). Each reader answers with a {@link StreamsRemovedEvent} for the same ids, whether
 * it had them or not.
 */
public final class RemoveStreamsEvent implements SourceEvent {

    private static final long serialVersionUID = 1L;

    private final List<String> streamIds;

    public RemoveStreamsEvent(List<String> streamIds) {
        this.streamIds = List.copyOf(streamIds);
    }

    public List<String> streamIds() {
        return streamIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoveStreamsEvent
                && ((RemoveStreamsEvent) o).streamIds.equals(streamIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamIds);
    }

    @Override
    public String toString() {
        return "RemoveStreamsEvent" + streamIds;
    }
}
