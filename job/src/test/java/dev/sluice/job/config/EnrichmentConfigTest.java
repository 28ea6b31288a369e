package dev.sluice.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.config.EnrichmentSpec.OnError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code enrichment}, {@code fields} and {@code filter} keys and the lookup datastores. */
class EnrichmentConfigTest {

    @TempDir Path dir;

    private static final String STORES =
            "datastores:\n"
                    + "  - {name: app, type: postgres, host: db, database: app, username: u}\n"
                    + "  - {name: cache, type: redis, url: \"redis://:{{ env('REDIS_PW')"
                    + " }}@cache:6380/2\"}\n"
                    + "  - {name: scoring, type: http, url: \"https://scoring.internal/api/\","
                    + " auth_token: \"{{ env('TOKEN') }}\", headers: {X-Tenant: acme}}\n"
                    + "  - {name: chain, type: amp, url: grpc://localhost:1602}\n";

    private static final String ISSUE_EXAMPLE =
            "pipelines:\n"
                    + "  - name: users\n"
                    + "    source: {datastore: app, table: {table: users}}\n"
                    + "    enrichment:\n"
                    + "      - {name: score, type: http, datastore: scoring, path:"
                    + " \"/creditscore?user_id={{ id }}\", output: {credit_score: \"$.score\"}}\n"
                    + "      - {name: profile, type: redis, datastore: cache, key: \"user:{{ id"
                    + " }}\", output: {tier: \"tier\"}}\n"
                    + "      - {name: orders, type: sql, datastore: app, sql: \"SELECT count(*) AS"
                    + " order_count FROM orders WHERE user_id = :id\"}\n"
                    + "    fields:\n"
                    + "      - {column: id}\n"
                    + "      - {column: vip, source_column: \"order_count > 10 ? 1 : 0\"}\n"
                    + "    filter: \"vip == 1 || credit_score != null\"\n"
                    + "    sink: {datastore: app, table: users_enriched, unique_key: [id]}\n";

    private static final Map<String, String> ENV = Map.of("REDIS_PW", "redis-pw", "TOKEN", "tok-1");

    private PipelineFile load(String yaml) throws Exception {
        Path f = dir.resolve("pipelines.yaml");
        Files.writeString(f, yaml);
        return new PipelineFileLoader(ENV).load(f);
    }

    @Test
    void loadsTheIssueExample() throws Exception {
        PipelineFile file = load(STORES + ISSUE_EXAMPLE);
        PipelineSpec p = file.pipelines.get(0);
        assertThat(p.enrichment)
                .extracting(e -> e.name)
                .containsExactly("score", "profile", "orders");
        EnrichmentSpec score = p.enrichment.get(0);
        assertThat(score.type).isEqualTo(EnrichmentSpec.Type.HTTP);
        // the row template is kept for the lookup; env() templates were rendered
        assertThat(score.path).isEqualTo("/creditscore?user_id={{ id }}");
        assertThat(score.datastore.authToken.reveal()).isEqualTo("tok-1");
        assertThat(score.datastore.url).isEqualTo("https://scoring.internal/api");
        assertThat(score.datastore.headers.get("X-Tenant").reveal()).isEqualTo("acme");
        assertThat(score.output.get("credit_score").from).isEqualTo("$.score");
        assertThat(score.onError).isEqualTo(OnError.FAIL);
        assertThat(score.timeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(score.retries).isEqualTo(3);
        assertThat(score.cacheSize).isEqualTo(10_000);
        EnrichmentSpec profile = p.enrichment.get(1);
        assertThat(profile.key).isEqualTo("user:{{ id }}");
        assertThat(profile.datastore.url).isEqualTo("redis://cache:6380/2");
        assertThat(profile.datastore.passwordValue()).isEqualTo("redis-pw");
        assertThat(profile.datastore.database).isEqualTo("2");
        assertThat(p.enrichment.get(2).output).isEmpty();
        assertThat(p.fields.get(0).expression).isFalse();
        assertThat(p.fields.get(1).expression).isTrue();
        assertThat(p.filter).isEqualTo("vip == 1 || credit_score != null");
        assertThat(p.deadLetterTable).isEqualTo("users_enriched_dead_letter");
        assertThat(file.datastores.toString() + p.enrichment)
                .doesNotContain("redis-pw")
                .doesNotContain("tok-1");
    }

    @Test
    void lookupSettings() throws Exception {
        PipelineSpec p =
                load(STORES
                                + ISSUE_EXAMPLE.replace(
                                        "output: {tier: \"tier\"}}",
                                        "output: {tier: {from: tier, dtype: str}}, on_error:"
                                                + " dead_letter, timeout: 250ms, retries: 0,"
                                                + " backoff: 2s, cache: {size: 5, ttl: 1m},"
                                                + " max_in_flight: 7}"))
                        .pipelines
                        .get(0);
        EnrichmentSpec profile = p.enrichment.get(1);
        assertThat(profile.onError).isEqualTo(OnError.DEAD_LETTER);
        assertThat(profile.timeout).isEqualTo(Duration.ofMillis(250));
        assertThat(profile.retries).isZero();
        assertThat(profile.backoff).isEqualTo(Duration.ofSeconds(2));
        assertThat(profile.cacheSize).isEqualTo(5);
        assertThat(profile.cacheTtl).isEqualTo(Duration.ofMinutes(1));
        assertThat(profile.maxInFlight).isEqualTo(7);
        assertThat(profile.output.get("tier").dtype).isEqualTo(DataType.STR);
        assertThat(p.hasDeadLetters()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '#',
            value = {
                "type: http, datastore: scoring, path: \"/creditscore?user_id={{ id }}\"#"
                        + "pipelines[0].enrichment[0].type: must be sql, redis or http, got 'grpc'",
                "datastore: scoring, path: \"/creditscore?user_id={{ id }}\", output:"
                        + " {credit_score: \"$.score\"}, on_error: retry#"
                        + "pipelines[0].enrichment[0].on_error: must be fail, null or dead_letter",
                "datastore: cache, path: \"/x\", output: {credit_score: \"$.score\"}#"
                        + "pipelines[0].enrichment[0].datastore: 'cache' is of type redis but must"
                        + " be http",
                "datastore: scoring, path: \"/x\", output: {credit_score: score}#"
                        + "pipelines[0].enrichment[0].output.credit_score: must be a JSON path"
                        + " starting with $",
                "datastore: scoring, path: \"/x\", output: {s: \"$.s\"}, timeout: soon#"
                        + "pipelines[0].enrichment[0].timeout: must be a duration like 500ms",
                "datastore: scoring, path: \"/x\"#pipelines[0].enrichment[0].output: is required",
                "datastore: scoring, path: \"/x\", output: {s: \"$.s\"}, key: k#"
                        + "pipelines[0].enrichment[0].key: does not apply to a http lookup",
            })
    void badLookupsNameTheKey(String lookup, String message) throws Exception {
        String type = lookup.startsWith("type:") ? "" : "type: http, ";
        String yaml =
                STORES
                        + ISSUE_EXAMPLE.replaceFirst(
                                "\\{name: score, type: http, datastore: scoring, path:"
                                        + " \"/creditscore\\?user_id=\\{\\{ id }}\", output:"
                                        + " \\{credit_score: \"\\$.score\"}}",
                                java.util.regex.Matcher.quoteReplacement(
                                        "{name: score, "
                                                + type
                                                + lookup.replace("type: http", "type: grpc")
                                                + "}"));
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void malformedExpressionsAreConfigErrors() {
        assertThatThrownBy(
                        () ->
                                load(
                                        STORES
                                                + ISSUE_EXAMPLE.replace(
                                                        "order_count > 10 ? 1 : 0",
                                                        "order_count > ? 1 : 0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "pipelines[0].fields[1].source_column: not a valid expression")
                .hasMessageContaining("at 1:15: extraneous input '?'")
                .hasMessageNotContaining("1:19");
        assertThatThrownBy(
                        () ->
                                load(
                                        STORES
                                                + ISSUE_EXAMPLE.replace(
                                                        "vip == 1 || credit_score != null",
                                                        "vip == (1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[0].filter: not a valid expression");
    }

    @Test
    void lookupDatastoresAreChecked() {
        assertThatThrownBy(
                        () ->
                                load(
                                        STORES.replace("https://scoring.internal/api/", "ftp://x")
                                                + ISSUE_EXAMPLE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("datastores[2].url: must look like http://host:port");
        assertThatThrownBy(
                        () ->
                                load(
                                        STORES.replace("https://scoring.internal", "https://u:p@s")
                                                + ISSUE_EXAMPLE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must not hold credentials")
                .hasMessageNotContaining("u:p");
        assertThatThrownBy(() -> load(STORES.replace("redis://", "http://") + ISSUE_EXAMPLE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("datastores[1].url: must look like redis://host:port");
    }

    @Test
    void ampPipelinesTakeLookupsAndComputedFields() throws Exception {
        PipelineSpec p =
                load(STORES
                                + "pipelines:\n"
                                + "  - name: anvil\n"
                                + "    source: {datastore: chain, dataset: \"_/anvil@latest\","
                                + " tables: [logs]}\n"
                                + "    enrichment:\n"
                                + "      - {name: symbol, type: redis, datastore: cache, key:"
                                + " \"token:{{ address }}\", output: {symbol: \"$\"}}\n"
                                + "    fields: [{column: big, source_column: \"log_index > 2\"}]\n"
                                + "    sink: {datastore: app}\n")
                        .pipelines
                        .get(0);
        assertThat(p.isCdc()).isFalse();
        assertThat(p.enrichment.get(0).key).isEqualTo("token:{{ address }}");
        assertThat(p.fields.get(0).expression).isTrue();
    }
}
