package dev.sluice.job.local;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/** Prints the {@link ProgressBoard} as a small table: block, rows, rows/s, state per stream. */
public final class ProgressPrinter {

    private final Map<String, long[]> previous = new HashMap<>();

    public void print(PrintStream out) {
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        for (ProgressBoard.Stream s : ProgressBoard.streams()) {
            long rows = s.rows();
            long[] prev = previous.put(s.id(), new long[] {now, rows});
            double rate =
                    prev == null || now == prev[0] ? 0 : (rows - prev[1]) * 1e9 / (now - prev[0]);
            String state =
                    s.stoppedReason() != null
                            ? "STOPPED (see log)"
                            : s.block() < 0
                                    ? "starting"
                                    : s.followingHead() ? "following head" : "catching up";
            sb.append(
                    String.format(
                            "  %-28s block %10s  rows %12d  %9.0f rows/s  reorgs %3d  %s%n",
                            s.table(),
                            s.block() < 0 ? "-" : Long.toString(s.block()),
                            rows,
                            rate,
                            s.reorgs(),
                            state));
        }
        if (sb.length() > 0) {
            out.print(sb);
            out.flush();
        }
    }
}
