package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's JIT compiler threads, from {@code /proc/self/task/<tid>/schedstat}. The
 * dev server runs in the harness's JVM, and what its JIT still compiles inside a Sluice window
 * takes the shared cores from that window only (the ceiling's writer has no server to feed it);
 * printed per run so that a warm-up too short to have compiled the server's path shows.
 */
final class CompilerCpu {

    private CompilerCpu() {}

    /**
     * CPU seconds used so far by this JVM's C1 and C2 compiler threads; NaN where unreadable. A
     * compiler thread that ends takes its seconds with it, which would make a difference too small;
     * on two cores the JVM runs one of each and keeps them.
     */
    static double harnessSeconds() {
        long nanos = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String name = readOrEmpty(task.resolve("comm"));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    String stat = readOrEmpty(task.resolve("schedstat"));
                    if (!stat.isEmpty()) {
                        nanos += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return nanos / 1e9;
    }

    /** A compiler thread may end between listing and reading (the JVM adds and removes them). */
    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
