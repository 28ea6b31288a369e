package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
                try {
                    String name = Files.readString(task.resolve("comm"));
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        nanos += BackendCpu.schedstatNanos(task.resolve("schedstat"));
                    }
                } catch (NoSuchFileException e) {
                    // The thread ended between listing and reading: it has nothing left to add.
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return nanos / 1e9;
    }
}
