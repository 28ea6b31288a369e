package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SyncJobTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return SyncJob.run(
                args,
                java.util.Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsUsage() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: sync-job.jar");
    }

    @Test
    void unknownOptionIsOneLineAndExitCodeTwo() throws Exception {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).trim())
                .contains("'--frobnicate'")
                .contains("--help")
                .doesNotContain("\n");
    }

    @Test
    void failuresAreReportedByTheirInnermostCause() {
        Exception e =
                new RuntimeException(
                        "Job failed",
                        new IllegalStateException(
                                "outer", new java.io.IOException("disk full\nat line 2")));
        assertThat(SyncJob.rootCause(e)).isEqualTo("IOException: disk full");
    }
}
