package dev.sluice.sources.amp.enumerator;

import dev.sluice.sources.amp.AmpStreamDiscovery;
import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.split.AmpSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each stream (one split) to one reader, spreading streams over subtasks by their position
 * ({@code index % parallelism}) so that parallel streams read (and write) through parallel
 * connections. Splits a failed reader gave back go to whichever reader owns them once it registers.
 *
 * <p>With an {@link AmpStreamDiscovery}, the stream set changes while the job runs (like Kafka's
 * partition discovery): new streams are assigned, removed ones are stopped by a {@link
 * RemoveStreamsEvent} to every reader. A new stream of a table that a removed stream fed is held
 * back until every reader confirmed the removal ({@link StreamsRemovedEvent}) <em>and</em> a
 * checkpoint taken after that has completed (a reader that registers again in between — a failover
 * that restarted the tasks but not this enumerator, so the reader restored an older checkpoint —
 * must confirm again): the removed stream's last records then precede that checkpoint's barrier and
 * the new stream's first records follow it, so downstream operators see them in that order even on
 * different channels, and the rows of an old query are committed before its table is replaced. The
 * checkpointed state holds the whole stream set, so a restore resumes each of these steps where
 * that checkpoint saw it. Without discovery, streams added to the configuration since the
 * checkpoint start fresh.
 */
public final class AmpSplitEnumerator implements SplitEnumerator<AmpSplit, AmpEnumState> {

    private static final Logger LOG = LoggerFactory.getLogger(AmpSplitEnumerator.class);
    private static final long NOT_YET = -1;

    private final SplitEnumeratorContext<AmpSplit> context;
    @Nullable private final AmpStreamDiscovery discovery;
    private final Duration discoveryInterval;
    private final Map<String, Integer> order = new HashMap<>();
    private final Map<String, AmpStreamSpec> assigned = new LinkedHashMap<>();
    private final Map<String, AmpSplit> pending = new LinkedHashMap<>();
    private final Map<String, AmpStreamSpec> removing = new LinkedHashMap<>();
    private final Map<String, Set<Integer>> confirmed = new HashMap<>();
    private final Map<String, AmpStreamSpec> held = new LinkedHashMap<>();

    /** Table → the first checkpoint taken after its removed streams stopped (or NOT_YET). */
    private final Map<String, Long> draining = new HashMap<>();

    /** Without discovery: {@code streams} is the whole, fixed configuration. */
    public AmpSplitEnumerator(
            SplitEnumeratorContext<AmpSplit> context,
            List<AmpStreamSpec> streams,
            @Nullable AmpEnumState restored) {
        this(context, streams, restored, null, Duration.ZERO);
    }

    /**
     * With {@code discovery}: {@code streams} is the set to start with when nothing is restored;
     * after that, {@code discovery} decides, checked every {@code discoveryInterval}.
     */
    public AmpSplitEnumerator(
            SplitEnumeratorContext<AmpSplit> context,
            List<AmpStreamSpec> streams,
            @Nullable AmpEnumState restored,
            @Nullable AmpStreamDiscovery discovery,
            Duration discoveryInterval) {
        this.context = context;
        this.discovery = discovery;
        this.discoveryInterval = discoveryInterval;
        Map<String, AmpStreamSpec> configured = new LinkedHashMap<>();
        for (AmpStreamSpec s : streams) {
            configured.put(s.id(), s);
            order(s.id());
        }
        if (restored != null) {
            restore(restored, configured);
        }
        if (restored == null || discovery == null) {
            for (AmpStreamSpec spec : configured.values()) {
                if (!known(spec.id())) {
                    pending.put(spec.id(), AmpSplit.fresh(spec));
                }
            }
        }
    }

    private void restore(AmpEnumState restored, Map<String, AmpStreamSpec> configured) {
        for (AmpStreamSpec s : restored.assigned()) {
            // Version-1 state has ids only: take the spec from the configuration when it has one.
            AmpStreamSpec spec = s.sql().isEmpty() ? configured.getOrDefault(s.id(), s) : s;
            assigned.put(s.id(), spec);
            order(s.id());
        }
        for (AmpSplit split : restored.pending()) {
            if (discovery != null || configured.containsKey(split.splitId())) {
                pending.put(split.splitId(), split);
                order(split.splitId());
            } else {
                LOG.info(
                        "Stream {} is no longer configured; dropping its pending split",
                        split.splitId());
            }
        }
        for (AmpStreamSpec s : restored.removing()) {
            // Readers restored from this checkpoint may hold it again: ask them all once more.
            removing.put(s.id(), s);
            confirmed.put(s.id(), new HashSet<>());
        }
        for (AmpStreamSpec s : restored.held()) {
            held.put(s.id(), s);
            order(s.id());
        }
        for (String table : restored.draining()) {
            // Whether a checkpoint completed behind the stop is unknown here: wait for a new one
            // (tables with streams to stop again wait for their confirmations first).
            if (removing.values().stream().noneMatch(r -> r.table().equals(table))) {
                draining.put(table, NOT_YET);
            }
        }
    }

    private void order(String id) {
        order.putIfAbsent(id, order.size());
    }

    private boolean known(String id) {
        return assigned.containsKey(id)
                || pending.containsKey(id)
                || removing.containsKey(id)
                || held.containsKey(id);
    }

    @Override
    public void start() {
        if (discovery != null) {
            context.callAsync(
                    discovery::discover, this::onDiscovered, 0, discoveryInterval.toMillis());
        }
        assignPending();
    }

    /** Applies a discovered stream set (on the coordinator thread). */
    void onDiscovered(List<AmpStreamSpec> desired, Throwable error) {
        if (error != null) {
            LOG.warn("Discovering Amp streams failed; keeping the current set", error);
            return;
        }
        Map<String, AmpStreamSpec> wanted = new LinkedHashMap<>();
        for (AmpStreamSpec s : desired) {
            wanted.put(s.id(), s);
        }
        List<String> stopping = new ArrayList<>();
        for (AmpStreamSpec s : new ArrayList<>(assigned.values())) {
            if (!wanted.containsKey(s.id())) {
                assigned.remove(s.id());
                removing.put(s.id(), s);
                confirmed.put(s.id(), new HashSet<>());
                draining.remove(s.table()); // drains again once this one is confirmed too
                stopping.add(s.id());
            }
        }
        for (AmpSplit split : new ArrayList<>(pending.values())) {
            if (!wanted.containsKey(split.splitId())) {
                // A split given back by a failed reader may have emitted records: drain anyway
                // (a table with streams still to confirm drains once they are confirmed).
                pending.remove(split.splitId());
                String table = split.stream().table();
                if (removing.values().stream().noneMatch(r -> r.table().equals(table))) {
                    draining.put(table, NOT_YET);
                }
                LOG.info("Stream {} removed before a reader took it", split.splitId());
            }
        }
        held.keySet().removeIf(id -> !wanted.containsKey(id));
        List<String> added = new ArrayList<>();
        for (AmpStreamSpec s : wanted.values()) {
            if (!known(s.id())) {
                order(s.id());
                added.add(s.id());
                if (busy(s.table())) {
                    held.put(s.id(), s);
                } else {
                    pending.put(s.id(), AmpSplit.fresh(s));
                }
            }
        }
        if (!stopping.isEmpty()) {
            LOG.info("Stopping Amp streams {} (no longer wanted)", stopping);
            RemoveStreamsEvent event = new RemoveStreamsEvent(stopping);
            for (int subtask : context.registeredReaders().keySet()) {
                context.sendEventToSourceReader(subtask, event);
            }
            checkRemoved();
        }
        if (!added.isEmpty()) {
            LOG.info(
                    "New Amp streams {} (held until their table drains: {})", added, held.keySet());
        }
        assignPending();
    }

    /** Whether a removed stream of {@code table} may still have records on their way. */
    private boolean busy(String table) {
        return draining.containsKey(table)
                || removing.values().stream().anyMatch(s -> s.table().equals(table));
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
        if (!(sourceEvent instanceof StreamsRemovedEvent)) {
            LOG.warn("Ignoring unknown source event {} from reader {}", sourceEvent, subtaskId);
            return;
        }
        for (String id : ((StreamsRemovedEvent) sourceEvent).streamIds()) {
            Set<Integer> readers = confirmed.get(id);
            if (readers != null) {
                readers.add(subtaskId);
            }
        }
        checkRemoved();
    }

    /**
     * A table whose removed streams every reader has confirmed stopping now drains: it waits for a
     * checkpoint taken from now on to complete. The streams stay in {@link #removing} until then: a
     * reader restored from an older checkpoint may hold them again (see {@link #addReader}).
     */
    private void checkRemoved() {
        Map<String, Boolean> stoppedEverywhere = new LinkedHashMap<>();
        for (AmpStreamSpec s : removing.values()) {
            stoppedEverywhere.merge(s.table(), confirmedByAll(s.id()), Boolean::logicalAnd);
        }
        for (Map.Entry<String, Boolean> e : stoppedEverywhere.entrySet()) {
            if (e.getValue() && !draining.containsKey(e.getKey())) {
                draining.put(e.getKey(), NOT_YET);
                LOG.info("The removed streams of table {} stopped on every reader", e.getKey());
            }
        }
    }

    private boolean confirmedByAll(String id) {
        Set<Integer> readers = confirmed.get(id);
        for (int i = 0; i < context.currentParallelism(); i++) {
            if (!readers.contains(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Splits are pushed when readers register; nothing to do on request.
    }

    @Override
    public void addSplitsBack(List<AmpSplit> splits, int subtaskId) {
        for (AmpSplit split : splits) {
            assigned.remove(split.splitId());
            if (removing.containsKey(split.splitId())) {
                continue; // no reader holds it now; the re-registering reader confirms that
            }
            pending.put(split.splitId(), split);
        }
        assignPending();
    }

    /**
     * A reader (re-)registers. After a failover that restarted only the tasks (this enumerator was
     * not reset) the reader restored its splits from the latest completed checkpoint, which may
     * predate a removal whose table still drains: such a stream must be confirmed stopped again by
     * this reader, and its table wait for a checkpoint after that, before a successor starts.
     */
    @Override
    public void addReader(int subtaskId) {
        if (!removing.isEmpty()) {
            for (AmpStreamSpec s : removing.values()) {
                confirmed.get(s.id()).remove(subtaskId);
                draining.remove(s.table());
            }
            context.sendEventToSourceReader(
                    subtaskId, new RemoveStreamsEvent(new ArrayList<>(removing.keySet())));
        }
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
                assigned.put(split.splitId(), split.stream());
            }
        }
        if (!bySubtask.isEmpty()) {
            LOG.info("Assigning Amp streams to readers: {}", bySubtask);
            context.assignSplits(new SplitsAssignment<>(bySubtask));
        }
    }

    @Override
    public AmpEnumState snapshotState(long checkpointId) {
        // Readers confirmed before this checkpoint: their barriers follow the removed records.
        draining.replaceAll((table, cp) -> cp == NOT_YET ? checkpointId : cp);
        return new AmpEnumState(
                new ArrayList<>(assigned.values()),
                new ArrayList<>(pending.values()),
                new ArrayList<>(removing.values()),
                new ArrayList<>(held.values()),
                draining.keySet());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        List<String> released = new ArrayList<>();
        draining.entrySet()
                .removeIf(
                        e -> {
                            boolean done = e.getValue() != NOT_YET && e.getValue() <= checkpointId;
                            if (done) {
                                released.add(e.getKey());
                            }
                            return done;
                        });
        if (released.isEmpty()) {
            return;
        }
        for (AmpStreamSpec s : new ArrayList<>(removing.values())) {
            if (released.contains(s.table())) {
                removing.remove(s.id());
                confirmed.remove(s.id());
            }
        }
        for (AmpStreamSpec s : new ArrayList<>(held.values())) {
            if (!busy(s.table())) {
                held.remove(s.id());
                pending.put(s.id(), AmpSplit.fresh(s));
            }
        }
        LOG.info("Tables {} drained after checkpoint {}", released, checkpointId);
        assignPending();
    }

    @Override
    public void close() {}
}
