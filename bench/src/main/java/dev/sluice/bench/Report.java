package dev.sluice.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The table and the machine-readable RESULT lines. */
final class Report {

    private Report() {}

    static void print(
            PrintStream out,
            List<Benchmark.TableResult> results,
            Latency.Result latency,
            long peakRssKb,
            BenchOptions o) {
        out.println();
        out.printf(
                "Medians of %d runs (JdbcSink: %d); load average now %s%n",
                o.repeats, o.jdbcRepeats, Environment.loadAverage());
        out.printf(
                "%-8s %10s | %12s %8s | %12s %8s | %12s %7s | %9s | %7s %7s | %8s%n",
                "table",
                "rows",
                "sluice r/s",
                "MB/s",
                "ceiling r/s",
                "MB/s",
                "jdbc r/s",
                "×ceil",
                "×jdbc",
                "p50 ms",
                "p99 ms",
                "startup");
        for (Benchmark.TableResult r : results) {
            double mbPerRow = r.copyBytes / (double) r.rows / 1e6;
            double s = r.sluice.median();
            double c = r.ceiling.median();
            double j = r.jdbc.median();
            Measurements lat = latency.millis.get(r.table);
            out.printf(
                    Locale.ROOT,
                    "%-8s %,10d | %,12.0f %8.1f | %,12.0f %8.1f | %,12.0f %7.3f | %9.3f | %7.0f"
                            + " %7.0f | %7.1fs%n",
                    r.table,
                    r.rows,
                    s,
                    s * mbPerRow,
                    c,
                    c * mbPerRow,
                    j,
                    s / c,
                    s / j,
                    lat == null ? Double.NaN : lat.percentile(50),
                    lat == null ? Double.NaN : lat.percentile(99),
                    r.startupSeconds.median());
            out.printf(
                    "         runs: sluice [%s] ceiling [%s] jdbc [%s]; COPY %.0f B/row; job peak"
                            + " RSS %.0f MB (JdbcSink job %.0f MB)%n",
                    r.sluice,
                    r.ceiling,
                    r.jdbc,
                    r.copyBytes / (double) r.rows,
                    r.peakRssKb / 1024.0,
                    r.jdbcRssKb / 1024.0);
            // How much of a gap is the backend's own speed on this box, run by run.
            out.printf(
                    Locale.ROOT,
                    "         writing backend's CPU s: sluice [%s] ceiling [%s]; rows per CPU"
                            + " second at the median: sluice %,.0f, ceiling %,.0f%n",
                    r.sluiceBackendCpu.format("%.1f"),
                    r.ceilingBackendCpu.format("%.1f"),
                    r.rows / r.sluiceBackendCpu.median(),
                    r.rows / r.ceilingBackendCpu.median());
            out.printf(
                    Locale.ROOT,
                    "         dev server's JIT CPU s in Sluice's windows: [%s]%n",
                    r.harnessJitCpu.format("%.2f"));
        }
        out.printf(
                "Latency job peak RSS %.0f MB; peak RSS over every Sluice job %.0f MB%n",
                latency.peakRssKb / 1024.0, peakRssKb / 1024.0);
        out.println();
        // Ratios with three decimals: against a target of 0.8, a 0.796 must not print as 0.80.
        for (Benchmark.TableResult r : results) {
            Measurements lat = latency.millis.get(r.table);
            double s = r.sluice.median();
            out.printf(
                    Locale.ROOT,
                    "RESULT table=%s rows=%d sluice_rows_per_s=%.0f ceiling_rows_per_s=%.0f"
                            + " ceiling_ratio=%.3f jdbc_ratio=%.3f p99_latency_ms=%.0f"
                            + " peak_rss_mb=%.0f%n",
                    r.table,
                    r.rows,
                    s,
                    r.ceiling.median(),
                    s / r.ceiling.median(),
                    s / r.jdbc.median(),
                    lat == null ? Double.NaN : lat.percentile(99),
                    peakRssKb / 1024.0);
        }
    }
}
