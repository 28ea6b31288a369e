package dev.sluice.sources.amp.enumerator;

import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Reader → enumerator: this reader holds none of these streams any more; every record it emitted
 * for them precedes any checkpoint barrier it emits from now on.
 */
public final class StreamsRemovedEvent implements SourceEvent {

    private static final long serialVersionUID = 1L;

    private final List<String> streamIds;

    public StreamsRemovedEvent(List<String> streamIds) {
        this.streamIds = List.copyOf(streamIds);
    }

    public List<String> streamIds() {
        return streamIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamsRemovedEvent
                && ((StreamsRemovedEvent) o).streamIds.equals(streamIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamIds);
    }

    @Override
    public String toString() {
        return "StreamsRemovedEvent" + streamIds;
    }
}
