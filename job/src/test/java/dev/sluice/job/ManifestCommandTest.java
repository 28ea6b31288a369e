package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.job.manifest.ManifestSyncConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync --manifest}: the older variant's environment, and exit codes before anything runs.
 */
class ManifestCommandTest {

    @TempDir Path dir;

    static ManifestSyncConfig config(Map<String, String> env, String... args) {
        return ManifestCommand.config(new CommandLine(SyncOptions.ALL).parse(args, env), env);
    }

    @Test
    void theOlderVariantsEnvironmentWorks() {
        Map<String, String> env =
                Map.of(
                        "NOZZLE_ENDPOINT", "http://amp:1602",
                        "DATABASE_USER", "sync",
                        "DATABASE_PASSWORD", "secret",
                        "DATABASE_HOST", "db",
                        "DATABASE_PORT", "6432",
                        "DATABASE_NAME", "chain");
        ManifestSyncConfig c = config(env);
        assertThat(c.ampEndpoint()).isEqualTo("http://amp:1602");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db:6432/chain");
        assertThat(c.user()).isEqualTo("sync");
        // AMP_FLIGHT_ADDR (or the flag) wins over NOZZLE_ENDPOINT.
        Map<String, String> both = new HashMap<>(env);
        both.put("AMP_FLIGHT_ADDR", "http://other:1602");
        assertThat(config(both).ampEndpoint()).isEqualTo("http://other:1602");
        assertThat(config(env, "--amp-flight-addr", "https://flag:443").ampEndpoint())
                .isEqualTo("https://flag:443");
        assertThat(config(Map.of("DATABASE_URL", "postgresql://u:p@h/d")).ampEndpoint())
                .isEqualTo("http://localhost:1602");
    }

    @Test
    void nozzleEndpointIsAnAliasForDatasetSyncsToo() {
        Map<String, String> env =
                Map.of("NOZZLE_ENDPOINT", "http://amp:1602", "DATABASE_URL", "postgresql://h/d");
        SyncSettings s =
                SyncSettings.from(
                        new CommandLine(SyncOptions.ALL)
                                .parse(
                                        new String[] {"--dataset", "anvil", "--tables", "blocks"},
                                        env),
                        env);
        assertThat(s.ampAddress).isEqualTo("http://amp:1602");
    }

    @Test
    void badSettingsAreUsageErrors() {
        assertThatThrownBy(
                        () ->
                                config(
                                        Map.of(
                                                "NOZZLE_ENDPOINT",
                                                "amp:1602",
                                                "DATABASE_URL",
                                                "postgresql://h/d")))
                .hasMessageStartingWith(
                        "Invalid NOZZLE_ENDPOINT 'amp:1602': must be http://host:port");
        assertThatThrownBy(() -> config(Map.of()))
                .hasMessageStartingWith("No target database given");
        assertThatThrownBy(
                        () ->
                                config(
                                        Map.of("DATABASE_URL", "postgresql://h/d"),
                                        "--tables",
                                        "blocks"))
                .hasMessageStartingWith("--manifest names the datasets and tables itself");
    }

    int sync(Map<String, String> env, StringBuilder err, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        int code =
                SyncCommand.run(
                        args,
                        env,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        err.append(errBytes.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void malformedManifestsAndRejectedSqlExitTwoBeforeConnecting() throws Exception {
        Path bad = dir.resolve("nozzle.config.ts");
        Files.writeString(
                bad,
                "export default defineDataset(() => ({\n  tables: {\n    b: { sql: }\n  }\n}))\n");
        Map<String, String> env =
                Map.of("DATASET_MANIFEST", bad.toString(), "DATABASE_URL", "postgresql://h:1/d");
        StringBuilder err = new StringBuilder();
        assertThat(sync(env, err)).isEqualTo(2);
        assertThat(err.toString()).startsWith(bad + ":3: syntax error");

        Path order = dir.resolve("nozzle.config.json");
        Files.writeString(
                order,
                "{\"dependencies\": {\"anvil\": {\"owner\": \"_\", \"name\": \"anvil\","
                        + " \"version\": \"latest\"}},\n"
                        + " \"tables\": {\"b\": {\"sql\": \"SELECT hash FROM anvil.blocks ORDER BY"
                        + " hash\"}}}");
        err.setLength(0);
        assertThat(
                        sync(
                                Map.of("DATABASE_URL", "postgresql://h:1/d"),
                                err,
                                "--manifest",
                                order.toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("Table 'b' cannot be streamed: its SQL has ORDER BY at the top level");

        // A good manifest but no Amp server: exit 1, naming the table.
        Files.writeString(order, Files.readString(order).replace(" ORDER BY hash", ""));
        err.setLength(0);
        assertThat(
                        sync(
                                Map.of(
                                        "DATABASE_URL",
                                        "postgresql://h:1/d",
                                        "NOZZLE_ENDPOINT",
                                        "http://127.0.0.1:1"),
                                err,
                                "--manifest",
                                order.toString(),
                                "--state-dir",
                                dir.resolve("state").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("Table 'b': ").contains("127.0.0.1:1");
    }
}
