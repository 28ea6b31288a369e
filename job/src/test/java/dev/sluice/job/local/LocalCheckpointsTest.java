package dev.sluice.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCheckpointsTest {

    @TempDir Path state;

    private Path complete(Path dir, long modifiedMillis) throws Exception {
        Files.createDirectories(dir);
        Path metadata = Files.writeString(dir.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
        return dir;
    }

    @Test
    void nothingToResumeFromWithoutTheDirectories() {
        assertThat(LocalCheckpoints.latest(state.resolve("missing"))).isEmpty();
        assertThat(LocalCheckpoints.latest(state)).isEmpty();
    }

    @Test
    void theNewestCompleteCheckpointOrSavepoint() throws Exception {
        Path job = LocalCheckpoints.checkpointsDir(state).resolve("5c01ce");
        complete(job.resolve("chk-3"), 1_000);
        Path newest = complete(job.resolve("chk-4"), 3_000);
        Files.createDirectories(job.resolve("chk-5")); // in progress: no _metadata yet
        Files.createDirectories(job.resolve("shared"));
        complete(LocalCheckpoints.savepointsDir(state).resolve("savepoint-1"), 2_000);
        assertThat(LocalCheckpoints.latest(state)).contains(newest);

        Path savepoint =
                complete(LocalCheckpoints.savepointsDir(state).resolve("savepoint-2"), 4_000);
        assertThat(LocalCheckpoints.latest(state)).contains(savepoint);
    }
}
