package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testutils.PostgresExtension;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The foundation works end to end: a checkpointed MiniCluster job writes to a real PostgreSQL. */
@Timeout(120)
class PostgresRoundTripITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void checkpointedJobWritesRowsThatReadBack() throws Exception {
        try (Connection c = PG.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE numbers(n bigint PRIMARY KEY)");
        }
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(100);
        env.setParallelism(2);
        env.fromSequence(1, 1000).sinkTo(new InsertSink(PG.jdbcUrl()));
        env.execute("foundation round trip");

        try (Connection c = PG.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), sum(n) FROM numbers")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1000);
            assertThat(rs.getLong(2)).isEqualTo(1000L * 1001 / 2);
        }
    }

    /** Plain batched INSERTs, flushed on every checkpoint and at the end. */
    private static final class InsertSink implements Sink<Long> {
        private final String url;

        InsertSink(String url) {
            this.url = url;
        }

        @Override
        @SuppressWarnings("deprecation") // the only abstract factory method in Flink 1.20
        public SinkWriter<Long> createWriter(InitContext context) throws IOException {
            try {
                Connection connection = DriverManager.getConnection(url);
                PreparedStatement insert =
                        connection.prepareStatement("INSERT INTO numbers VALUES (?)");
                return new SinkWriter<>() {
                    @Override
                    public void write(Long value, Context ctx) throws IOException {
                        try {
                            insert.setLong(1, value);
                            insert.addBatch();
                        } catch (SQLException e) {
                            throw new IOException(e);
                        }
                    }

                    @Override
                    public void flush(boolean endOfInput) throws IOException {
                        try {
                            insert.executeBatch();
                        } catch (SQLException e) {
                            throw new IOException(e);
                        }
                    }

                    @Override
                    public void close() throws SQLException {
                        connection.close();
                    }
                };
            } catch (SQLException e) {
                throw new IOException(e);
            }
        }
    }
}
