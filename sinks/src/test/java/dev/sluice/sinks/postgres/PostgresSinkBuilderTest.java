package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.internal.Gids;
import dev.sluice.sinks.postgres.internal.JdbcUrls;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Option validation in {@code build()}, secrets kept out of strings, gid naming. */
class PostgresSinkBuilderTest {

    private static PostgresSinkBuilder valid() {
        return PostgresSink.builder().setJdbcUrl("jdbc:postgresql://h:5432/db?password=hunter2");
    }

    @Test
    void buildsFromAConfiguration() {
        Configuration conf = new Configuration();
        conf.set(PostgresSinkOptions.URL, "jdbc:postgresql://h/db");
        conf.set(PostgresSinkOptions.COMMIT_MODE, CommitMode.WAL);
        conf.set(PostgresSinkOptions.TRANSACTIONAL_ID_PREFIX, "eth.main_1");
        conf.set(PostgresSinkOptions.MAX_DB_CONNECTIONS, 20);
        PostgresSink sink = PostgresSink.builder().setConfiguration(conf).build();
        assertThat(sink.config().commitMode).isEqualTo(CommitMode.WAL);
        assertThat(sink.config().prefix).isEqualTo("eth.main_1");
        assertThat(sink.config().maxConnections).isEqualTo(20);
        assertThat(sink.config().lockTimeout).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void rejectsBadOptionsWithTheOptionName() {
        assertThatThrownBy(() -> PostgresSink.builder().build())
                .hasMessageContaining("sink.postgres.url");
        assertThatThrownBy(() -> valid().setTransactionalIdPrefix("bad'prefix").build())
                .hasMessageContaining("sink.postgres.transactional-id-prefix");
        assertThatThrownBy(() -> valid().setTransactionalIdPrefix("").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> valid().setLockTimeout(Duration.ZERO).build())
                .hasMessageContaining("sink.postgres.lock-timeout");
        assertThatThrownBy(() -> valid().setMaxDbConnections(1).build())
                .hasMessageContaining("sink.postgres.max-db-connections");
        assertThatThrownBy(
                        () ->
                                valid().setRetryBackoff(
                                                Duration.ofSeconds(5), Duration.ofSeconds(1))
                                        .build())
                .hasMessageContaining("sink.postgres.retry.initial-backoff");
    }

    @Test
    void neverShowsThePassword() {
        PostgresSink sink = valid().setUser("u").setPassword("s3cret").build();
        assertThat(sink.toString()).doesNotContain("s3cret").doesNotContain("hunter2");
        assertThat(JdbcUrls.scrub("jdbc:postgresql://u:pw@h/db?user=u&password=x&ssl=true"))
                .isEqualTo("jdbc:postgresql://u:***@h/db?user=u&password=***&ssl=true");
        assertThatThrownBy(
                        () ->
                                PostgresSink.builder()
                                        .setJdbcUrl("jdbc:mysql://h/db?password=pw")
                                        .build())
                .hasMessageNotContaining("pw&")
                .hasMessageContaining("password=***");
    }

    @Test
    void gidsParseBackUnambiguously() {
        assertThat(Gids.gid("a-b", 3, 17)).isEqualTo("a-b-3-17");
        assertThat(Gids.parse("a-b", "a-b-3-17")).containsExactly(3, 17);
        assertThat(Gids.parse("a", "a-b-3-17")).isNull();
        assertThat(Gids.parse("a-b", "a-b-3")).isNull();
        assertThat(Gids.likePattern("a_b%")).isEqualTo("a\\_b\\%-%");
    }

    @Test
    void connectionBudgetCoversWritersAndCommitters() {
        assertThat(PostgresSink.connectionsNeeded(5)).isEqualTo(10);
    }
}
