package dev.sluice.sources.amp.enumerator;

import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.split.AmpSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each stream (one split) to one reader, spreading streams over subtasks by their position in
 * the configuration ({@code index % parallelism}) so that parallel streams read (and write) through
 * parallel connections. Streams added to the configuration since the checkpoint start fresh; splits
 * a failed reader gave back go to whichever reader owns them once it registers.
 */
public final class AmpSplitEnumerator implements SplitEnumerator<AmpSplit, AmpEnumState> {

    private static final Logger LOG = LoggerFactory.getLogger(AmpSplitEnumerator.class);

    private final SplitEnumeratorContext<AmpSplit> context;
    private final Map<String, Integer> order = new HashMap<>();
    private final Set<String> assigned;
    private final Map<String, AmpSplit> pending = new LinkedHashMap<>();

    public AmpSplitEnumerator(
            SplitEnumeratorContext<AmpSplit> context,
            List<AmpStreamSpec> streams,
            @Nullable AmpEnumState restored) {
        this.context = context;
        for (int i = 0; i < streams.size(); i++) {
            order.put(streams.get(i).id(), i);
        }
        this.assigned = new TreeSet<>(restored == null ? Set.of() : restored.assigned());
        if (restored != null) {
            for (AmpSplit split : restored.pending()) {
                if (order.containsKey(split.splitId())) {
                    pending.put(split.splitId(), split);
                } else {
                    LOG.info(
                            "Stream {} is no longer configured; dropping its pending split",
                            split.splitId());
                }
            }
        }
        for (AmpStreamSpec spec : streams) {
            if (!assigned.contains(spec.id()) && !pending.containsKey(spec.id())) {
                pending.put(spec.id(), AmpSplit.fresh(spec));
            }
        }
    }

    @Override
    public void start() {
        assignPending();
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Splits are pushed when readers register; nothing to do on request.
    }

    @Override
    public void addSplitsBack(List<AmpSplit> splits, int subtaskId) {
        for (AmpSplit split : splits) {
            assigned.remove(split.splitId());
            pending.put(split.splitId(), split);
        }
        assignPending();
    }

    @Override
    public void addReader(int subtaskId) {
        assignPending();
    }

    private void assignPending() {
        int parallelism = context.currentParallelism();
        Map<Integer, List<AmpSplit>> bySubtask = new HashMap<>();
        for (AmpSplit split : new ArrayList<>(pending.values())) {
            int owner = order.getOrDefault(split.splitId(), 0) % parallelism;
            if (context.registeredReaders().containsKey(owner)) {
                bySubtask.computeIfAbsent(owner, k -> new ArrayList<>()).add(split);
                pending.remove(split.splitId());
                assigned.add(split.splitId());
            }
        }
        if (!bySubtask.isEmpty()) {
            LOG.info("Assigning Amp streams to readers: {}", bySubtask);
            context.assignSplits(new SplitsAssignment<>(bySubtask));
        }
    }

    @Override
    public AmpEnumState snapshotState(long checkpointId) {
        return new AmpEnumState(assigned, new ArrayList<>(pending.values()));
    }

    @Override
    public void close() {}
}
