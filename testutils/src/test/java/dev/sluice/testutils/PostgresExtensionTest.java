package dev.sluice.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresExtensionTest {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void serverAllowsLogicalReplicationAndPreparedTransactions() throws SQLException {
        try (Connection c = PG.connect()) {
            assertThat(setting(c, "wal_level")).isEqualTo("logical");
            assertThat(Integer.parseInt(setting(c, "max_prepared_transactions"))).isPositive();
        }
    }

    @Test
    void eachTestGetsAnEmptyDatabaseOfItsOwn() throws SQLException {
        try (Connection c = PG.connect();
                Statement s = c.createStatement()) {
            ResultSet rs =
                    s.executeQuery(
                            "SELECT count(*) FROM information_schema.tables WHERE table_schema ="
                                    + " 'public'");
            rs.next();
            assertThat(rs.getInt(1)).isZero();
            s.execute("CREATE TABLE leftover(x int)");
            assertThat(PG.database()).startsWith("t_");
        }
    }

    @Test
    void databaseWithAPreparedTransactionIsStillDropped() throws SQLException {
        try (Connection c = PG.connect();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TABLE held(x int)");
            s.execute("PREPARE TRANSACTION 'testutils-held'");
        }
        String db = PG.database();
        PG.server().dropDatabase(db);
        PG.server().createDatabase(db); // the extension drops it again after the test
    }

    @Test
    void aDatabaseThatDoesNotExistDropsQuietlyAndANameWithAQuoteRoundTrips() throws SQLException {
        PostgresServer server = PG.server();
        server.dropDatabase("t_never_created");
        String odd = "t_it's \"odd\"";
        server.createDatabase(odd);
        try (Connection c = server.connect(odd);
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TABLE held(x int)");
            s.execute("PREPARE TRANSACTION 'g''1'");
        }
        server.dropDatabase(odd);
        try (Connection c = server.connect("postgres");
                PreparedStatement q =
                        c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            q.setString(1, odd);
            ResultSet rs = q.executeQuery();
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void dedicatedServerRestartsWithItsData() throws SQLException {
        try (EmbeddedPostgresServer server =
                TestPostgres.dedicated(Map.of("max_prepared_transactions", "0"))) {
            try (Connection c = server.connect("postgres");
                    Statement s = c.createStatement()) {
                assertThat(setting(c, "max_prepared_transactions")).isEqualTo("0");
                s.execute("CREATE TABLE survives(x int)");
                s.execute("INSERT INTO survives VALUES (42)");
            }
            server.restart();
            try (Connection c = server.connect("postgres");
                    Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("SELECT x FROM survives");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
