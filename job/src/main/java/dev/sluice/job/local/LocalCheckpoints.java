package dev.sluice.job.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
        List<Path> found = new ArrayList<>();
        collect(root, depth, found);
        return found.stream().max(Comparator.comparingLong(LocalCheckpoints::modified));
    }

    /**
     * Adds {@code dir} if it holds a {@code _metadata} file, then looks {@code depth - 1} levels
     * deeper. Flink deletes subsumed checkpoints asynchronously, also while a stopped job winds
     * down, so a directory may vanish while it is listed: it is skipped, it was never the newest.
     */
    private static void collect(Path dir, int depth, List<Path> out) {
        if (Files.isRegularFile(dir.resolve("_metadata"))) {
            out.add(dir);
        }
        if (depth <= 1) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(children::add);
        } catch (NoSuchFileException | NotDirectoryException gone) {
            return;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return;
            }
            throw new UncheckedIOException("Cannot read the state directory " + dir, e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the state directory " + dir, e);
        }
        for (Path child : children) {
            if (Files.isDirectory(child)) {
                collect(child, depth - 1, out);
            }
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
