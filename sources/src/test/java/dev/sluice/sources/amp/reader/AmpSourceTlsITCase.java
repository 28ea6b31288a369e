package dev.sluice.sources.amp.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.AmpConnectionConfig;
import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.AmpSchemas;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpSourceException;
import dev.sluice.sources.amp.AmpSourceOptions;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.sources.amp.split.AmpSplit;
import dev.sluice.testutils.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Flight over TLS: the source trusts a private CA when told to, and refuses otherwise. */
@Timeout(60)
class AmpSourceTlsITCase {

    @TempDir static Path dir;
    static TestCertificates certs;
    static AmpDevServer server;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir);
        server =
                AmpDevServer.builder()
                        .host("localhost")
                        .port(0)
                        .adminPort(-1)
                        .blocks(10)
                        .tls(certs.serverCertChain(), certs.serverKey())
                        .build()
                        .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private AmpSource source(boolean trustCa) {
        var b =
                AmpSource.builder()
                        .setEndpoint("https://localhost:" + server.flightPort())
                        .setDataset("anvil")
                        .setTables("blocks");
        if (trustCa) {
            b.set(AmpSourceOptions.TLS_CA_FILE, certs.caCert().toString());
        }
        return b.build();
    }

    @Test
    void streamsOverTlsWithAPrivateCa() throws Exception {
        AmpSource source = source(true);
        assertThat(AmpSchemas.fetch(source).values().iterator().next().getFields()).hasSize(24);
        try (AmpSourceReader reader =
                new AmpSourceReader(
                        new TestingReaderContext(), source.connection(), source.streams())) {
            reader.start();
            reader.addSplits(List.of(AmpSplit.fresh(source.streams().get(0))));
            TestingReaderOutput<AmpRecord> out = new TestingReaderOutput<>();
            List<AmpRecord> records =
                    AmpSourceReaderTest.pollUntil(reader, out, r -> r.size() >= 2);
            assertThat(records.get(0).kind()).isEqualTo(AmpRecord.Kind.DATA);
            assertThat(records.get(0).rowCount()).isEqualTo(10);
        }
    }

    @Test
    void untrustedCertificateIsOneClearError() {
        assertThatThrownBy(() -> AmpSchemas.fetch(source(false)))
                .isInstanceOf(AmpSourceException.class)
                .hasMessageContaining("https://localhost:" + server.flightPort())
                .hasMessageContaining("UNAVAILABLE")
                .hasMessageContaining("--amp-tls-ca");
    }

    @Test
    void plainTextClientAgainstTlsServerFailsToo() {
        AmpConnectionConfig plain =
                AmpConnectionConfig.from(
                        org.apache.flink.configuration.Configuration.fromMap(
                                java.util.Map.of(
                                        AmpSourceOptions.ENDPOINT.key(),
                                        "http://localhost:" + server.flightPort())));
        assertThat(plain.tls()).isFalse();
        assertThatThrownBy(
                        () ->
                                AmpSchemas.fetch(
                                        AmpSource.builder()
                                                .setEndpoint(plain.endpoint())
                                                .setDataset("anvil")
                                                .setTables("blocks")
                                                .build()))
                .isInstanceOf(AmpSourceException.class);
    }
}
