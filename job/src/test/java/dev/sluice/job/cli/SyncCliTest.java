package dev.sluice.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.CommitMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncCliTest {

    static CommandLine parse(Map<String, String> env, String... args) {
        return new CommandLine(SyncOptions.ALL).parse(args, env);
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        Map<String, String> env =
                Map.of("MAX_DB_CONNECTIONS", "20", "RETENTION_BLOCKS", "200", "TABLES", "blocks");
        CommandLine cl = parse(env, "--max-db-connections", "30", "-t", "logs,transactions");
        assertThat(cl.get(SyncOptions.MAX_DB_CONNECTIONS)).isEqualTo(30);
        assertThat(cl.get(SyncOptions.RETENTION_BLOCKS)).isEqualTo(200);
        assertThat(cl.get(SyncOptions.TABLES)).containsExactly("logs", "transactions");
        assertThat(cl.get(SyncOptions.GRPC_MAX_DECODE_MB)).isEqualTo(32);
        assertThat(cl.get(SyncOptions.AMP_FLIGHT_ADDR)).isEqualTo("http://localhost:1602");
        assertThat(cl.get(SyncOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
        assertThat(cl.get(SyncOptions.COMMIT_MODE)).isEqualTo(CommitMode.AUTO);
    }

    @Test
    void datasetIsRepeatableAndEnvMayListSeveral() {
        CommandLine cl = parse(Map.of(), "-d", "_/a@latest", "--dataset=b@1.0.0");
        assertThat(cl.getAll(SyncOptions.DATASET))
                .extracting(Object::toString)
                .containsExactly("_/a@latest", "_/b@1.0.0");
        CommandLine fromEnv = parse(Map.of("DATASET", "x, ns/y"));
        assertThat(fromEnv.getAll(SyncOptions.DATASET))
                .extracting(Object::toString)
                .containsExactly("_/x@latest", "ns/y@latest");
    }

    @Test
    void badValuesSayWhatIsWrongAndWhatIsAllowed() {
        assertThatThrownBy(() -> parse(Map.of(), "--max-db-connections", "0"))
                .isInstanceOf(UsageException.class)
                .hasMessage(
                        "Invalid --max-db-connections '0': must be from 1 to 1000 (default 10).");
        assertThatThrownBy(() -> parse(Map.of("RETENTION_BLOCKS", "10")))
                .hasMessage("Invalid RETENTION_BLOCKS '10': must be at least 64 (default 128).");
        assertThatThrownBy(() -> parse(Map.of(), "--grpc-max-decode-mb", "x"))
                .hasMessageContaining("must be a whole number from 1 to 512");
        assertThatThrownBy(() -> parse(Map.of(), "--commit-mode", "fast"))
                .hasMessageContaining("must be one of auto, prepared, wal");
        assertThatThrownBy(() -> parse(Map.of(), "--checkpoint-interval", "10ms"))
                .hasMessageContaining("at least 100 ms");
        assertThatThrownBy(() -> parse(Map.of(), "--dataset", "Bad-Name"))
                .hasMessageContaining("Malformed dataset reference 'Bad-Name'");
        assertThatThrownBy(() -> parse(Map.of(), "--amp-flight-addr", "localhost:1602"))
                .hasMessageContaining("must be http://host:port");
        assertThatThrownBy(() -> parse(Map.of(), "--frobnicate"))
                .hasMessage("Unknown option '--frobnicate'. Run with --help to see the options.");
        assertThatThrownBy(() -> parse(Map.of(), "--tables"))
                .hasMessage("Option --tables needs a value.");
        assertThatThrownBy(() -> parse(Map.of(), "-t", "a", "-t", "b"))
                .hasMessageContaining("given twice");
    }

    @Test
    void secretsAreNeverEchoed() {
        assertThatThrownBy(() -> parse(Map.of(), "--database-url", "mysql://u:hunter2@h/db"))
                .hasMessageNotContaining("hunter2")
                .hasMessageContaining("postgresql://");
    }

    @Test
    void databaseUrlSplitsCredentialsFromTheJdbcUrl() {
        DatabaseUrl url =
                DatabaseUrl.parse("postgresql://sync:p%40ss@db.example:6543/chain?sslmode=require");
        assertThat(url.jdbcUrl())
                .isEqualTo("jdbc:postgresql://db.example:6543/chain?sslmode=require");
        assertThat(url.user()).isEqualTo("sync");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(url.toString()).doesNotContain("p@ss");

        DatabaseUrl parts =
                DatabaseUrl.fromParts(
                        Map.of(
                                "DATABASE_USER", "u",
                                "DATABASE_PASSWORD", "pw",
                                "DATABASE_NAME", "d",
                                "DATABASE_HOST", "h"));
        assertThat(parts.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d");
        assertThat(parts.password()).isEqualTo("pw");
        assertThat(DatabaseUrl.fromParts(Map.of())).isNull();
    }

    @Test
    void helpListsEveryOptionWithDefaultAndEnv() {
        String help = CommandLine.help(SyncOptions.ALL);
        for (CliOption<?> o : SyncOptions.ALL) {
            assertThat(help).contains("--" + o.name());
        }
        assertThat(help).contains("[default: 128; env: RETENTION_BLOCKS]");
    }

    @Test
    void authTokenFileMustExist(@TempDir Path dir) throws Exception {
        assertThatThrownBy(
                        () -> parse(Map.of(), "--auth-token-file", dir.resolve("nope").toString()))
                .hasMessageContaining("no readable file");
        Path token = Files.writeString(dir.resolve("token"), "abc\n");
        assertThat(
                        parse(Map.of(), "--auth-token-file", token.toString())
                                .get(SyncOptions.AUTH_TOKEN_FILE))
                .isEqualTo(token);
    }

    @Test
    void tableListsAreChecked() {
        assertThatThrownBy(() -> parse(Map.of(), "--tables", "blocks,bad name"))
                .hasMessageContaining("'bad name' is not a table name");
        assertThat(parse(Map.of(), "--tables", " blocks , logs ").get(SyncOptions.TABLES))
                .isEqualTo(List.of("blocks", "logs"));
    }
}
