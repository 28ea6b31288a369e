package dev.sluice.job.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds what a local run should resume from: the newest retained checkpoint or savepoint under the
 * state directory (a directory holding a {@code _metadata} file).
 */
public final class LocalCheckpoints {

    private LocalCheckpoints() {}

    public static Path checkpointsDir(Path stateDir) {
        return stateDir.toAbsolutePath().resolve("checkpoints");
    }

    public static Path savepointsDir(Path stateDir) {
        return stateDir.toAbsolutePath().resolve("savepoints");
    }

    /** The newest complete checkpoint or savepoint, if any. */
    public static Optional<Path> latest(Path stateDir) {
        Optional<Path> cp = newestWithMetadata(checkpointsDir(stateDir), 3);
        Optional<Path> sp = newestWithMetadata(savepointsDir(stateDir), 2);
        if (cp.isEmpty()) {
            return sp;
        }
        if (sp.isEmpty()) {
            return cp;
        }
        return Optional.of(modified(cp.get()) >= modified(sp.get()) ? cp.get() : sp.get());
    }

    private static Optional<Path> newestWithMetadata(Path root, int depth) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(root, depth)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .max(Comparator.comparingLong(LocalCheckpoints::modified));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the state directory " + root, e);
        }
    }

    private static long modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
