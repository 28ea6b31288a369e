package dev.sluice.job.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return DemoCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                (a, env, o, e) -> {
                    throw new AssertionError("the job must not start");
                });
    }

    @Test
    void helpListsTheOptions() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--pg-port", "--amp-port", "--block-time", "--reorg-every", "--dir");
    }

    @Test
    void busyPortIsOneLineWithWhatToDo() throws Exception {
        try (ServerSocket busy = new ServerSocket(0)) {
            assertThat(run("--pg-port", Integer.toString(busy.getLocalPort()))).isEqualTo(2);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).trim())
                .contains("is in use")
                .contains("--pg-port")
                .doesNotContain("\n");
    }
}
