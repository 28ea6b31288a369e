package dev.sluice.job;

import static dev.sluice.job.testutils.TargetChecks.awaitExactlyCanonical;
import static dev.sluice.job.testutils.TargetChecks.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.job.amp.AmpJobPlan;
import dev.sluice.job.cli.CommandLine;
import dev.sluice.job.cli.SyncOptions;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.testutils.EmbeddedPostgresServer;
import dev.sluice.testutils.TestCertificates;
import dev.sluice.testutils.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sync job writing to a PostgreSQL that requires TLS, verified against a private CA. */
@Timeout(180)
class AmpSyncTlsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void syncsOverVerifiedTlsAndRefusesAnUnverifiableServer(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        try (EmbeddedPostgresServer pg =
                        TestPostgres.dedicated(
                                Map.of(
                                        "ssl", "on",
                                        "ssl_cert_file", certs.serverCertChain().toString(),
                                        "ssl_key_file", certs.serverKey().toString()));
                AmpDevServer amp =
                        AmpDevServer.builder().port(0).adminPort(-1).blocks(50).build().start()) {
            String url =
                    "postgresql://postgres@localhost:"
                            + pg.port()
                            + "/postgres?sslmode=verify-full&sslrootcert="
                            + certs.caCert();
            String[] args = {
                "--dataset",
                "anvil",
                "--tables",
                "blocks",
                "--amp-flight-addr",
                "http://localhost:" + amp.flightPort(),
                "--database-url",
                url,
                "--state-dir",
                dir.resolve("state").toString()
            };

            // Without the CA the server cannot be verified: one line, exit code 1.
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] untrusted = args.clone();
            untrusted[7] = url.substring(0, url.indexOf("&sslrootcert"));
            int code =
                    SyncCommand.run(
                            untrusted,
                            Map.of(),
                            new PrintStream(new ByteArrayOutputStream()),
                            new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8).trim())
                    .contains("Cannot prepare the target tables in PostgreSQL")
                    .doesNotContain("\n");

            SyncSettings settings =
                    SyncSettings.from(
                            new CommandLine(SyncOptions.ALL).parse(args, Map.of()), Map.of());
            AmpJobPlan plan = SyncCommand.plan(settings);
            plan.prepareTargets();
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.enableCheckpointing(200);
            plan.addTo(env, 1);
            JobClient job = env.executeAsync("tls");
            try (Connection c =
                    DriverManager.getConnection(
                            "jdbc:postgresql://localhost:"
                                    + pg.port()
                                    + "/postgres?user=postgres&sslmode=verify-full&sslrootcert="
                                    + certs.caCert())) {
                amp.mine(3);
                awaitExactlyCanonical(amp, c, "blocks", "\"public\".\"blocks\"", 60);
                assertThat(
                                count(
                                        c,
                                        "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a"
                                            + " USING (pid) WHERE a.datname = 'postgres' AND NOT"
                                            + " s.ssl"))
                        .as("every session, the sink's included, is encrypted")
                        .isZero();
                assertThat(
                                count(
                                        c,
                                        "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a"
                                                + " USING (pid) WHERE a.datname = 'postgres' AND"
                                                + " s.ssl"))
                        .as("this session, the sink writer's and its committer's")
                        .isGreaterThanOrEqualTo(3);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
