package dev.sluice.job.amp;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The reorg operator's state for one stream: per network, the completed block ranges within the
 * retention window of the head (oldest first), why the stream was stopped, if it was, and whether
 * its target table was already replaced for it (streams that replace their table do so before their
 * first row). Stored as versioned bytes, so the format is ours to evolve and Flink never falls back
 * to Kryo.
 */
final class ReorgState {

    private static final int VERSION_1 = 1;
    private static final int VERSION_2 = 2;

    /** A completed range: inclusive block numbers and the end block's hash. */
    static final class Range {
        final long start;
        final long end;
        final String hash;

        Range(long start, long end, String hash) {
            this.start = start;
            this.end = end;
            this.hash = hash;
        }

        @Override
        public String toString() {
            return start + "..=" + end;
        }
    }

    final Map<String, Deque<Range>> retained = new TreeMap<>();
    String stopped;

    /**
     * Whether this stream's rows may go into its target. A state written before version 2 belongs
     * to a stream whose table was prepared before the job started: ready.
     */
    boolean targetReady;

    /** The last completed block of {@code network}, or -1. */
    long head(String network) {
        Deque<Range> ranges = retained.get(network);
        return ranges == null || ranges.isEmpty() ? -1 : ranges.peekLast().end;
    }

    /** Records a completed range and forgets ranges that fell out of the window. */
    void complete(String network, long start, long end, String hash, int retentionBlocks) {
        Deque<Range> ranges = retained.computeIfAbsent(network, k -> new ArrayDeque<>());
        // A repeated completion (e.g. after a resume) replaces what it covers.
        while (!ranges.isEmpty() && ranges.peekLast().end >= start) {
            ranges.pollLast();
        }
        ranges.addLast(new Range(start, end, hash));
        long oldestKept = end - retentionBlocks + 1;
        while (ranges.size() > 1 && ranges.peekFirst().end < oldestKept) {
            ranges.pollFirst();
        }
    }

    /** Forgets completed blocks from {@code fromBlock} on. */
    void rollback(String network, long fromBlock) {
        Deque<Range> ranges = retained.get(network);
        if (ranges == null) {
            return;
        }
        while (!ranges.isEmpty() && ranges.peekLast().end >= fromBlock) {
            Range last = ranges.pollLast();
            if (last.start < fromBlock) {
                // Only the end hash is known; the kept part's end hash is not, so keep no hash.
                ranges.addLast(new Range(last.start, fromBlock - 1, null));
                break;
            }
        }
    }

    byte[] toBytes() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        out.writeByte(VERSION_2);
        out.writeBoolean(targetReady);
        out.writeBoolean(stopped != null);
        if (stopped != null) {
            out.writeUTF(stopped);
        }
        out.writeInt(retained.size());
        for (Map.Entry<String, Deque<Range>> e : retained.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (Range r : e.getValue()) {
                out.writeLong(r.start);
                out.writeLong(r.end);
                out.writeBoolean(r.hash != null);
                if (r.hash != null) {
                    out.writeUTF(r.hash);
                }
            }
        }
        return out.getCopyOfBuffer();
    }

    static ReorgState fromBytes(byte[] bytes) throws IOException {
        ReorgState state = new ReorgState();
        if (bytes == null) {
            return state;
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        int version = in.readByte();
        switch (version) {
            case VERSION_1:
                state.targetReady = true;
                break;
            case VERSION_2:
                state.targetReady = in.readBoolean();
                break;
            default:
                throw new IOException(
                        "Unknown reorg state version "
                                + version
                                + " (this build knows "
                                + VERSION_1
                                + " and "
                                + VERSION_2
                                + ")");
        }
        state.stopped = in.readBoolean() ? in.readUTF() : null;
        int networks = in.readInt();
        for (int i = 0; i < networks; i++) {
            String network = in.readUTF();
            int n = in.readInt();
            Deque<Range> ranges = new ArrayDeque<>(n);
            for (int j = 0; j < n; j++) {
                long start = in.readLong();
                long end = in.readLong();
                ranges.addLast(new Range(start, end, in.readBoolean() ? in.readUTF() : null));
            }
            state.retained.put(network, ranges);
        }
        return state;
    }
}
