package dev.sluice.sources.amp.devserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AmpDevServerCliTest {

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                AmpDevServerCli.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new String[] {
            String.valueOf(code),
            out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)
        };
    }

    @Test
    void badValuesExitWithOneLine() {
        for (String[] args :
                new String[][] {
                    {"--port", "abc"},
                    {"--port", "70000"},
                    {"--blocks", "-1"},
                    {"--block-time", "soon"},
                    {"--reorg-depth", "0"},
                    {"--dataset", "Not/Valid"},
                    {"--frobnicate", "1"},
                    {"--cache-microbatches", "yes"},
                    {"--seed"}
                }) {
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[2].strip()).startsWith("amp-dev-server: ").doesNotContain("\n");
        }
    }

    @Test
    void helpAndParsing() {
        String[] r = run("--help");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1])
                .contains(
                        "--microbatch-blocks",
                        "--head-microbatch-blocks",
                        "--keep-alive",
                        "--cache-microbatches");
        AmpDevServerOptions o =
                AmpDevServerCli.parse(
                                new String[] {
                                    "--block-time=500ms",
                                    "--seed",
                                    "7",
                                    "--dataset",
                                    "_/anvil@latest",
                                    "--cache-microbatches=true"
                                })
                        .options();
        assertThat(o.cacheMicrobatches).isTrue();
        assertThat(o.blockTime.toMillis()).isEqualTo(500);
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.dataset().toString()).isEqualTo("_/anvil@latest");
    }
}
