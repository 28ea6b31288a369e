package dev.sluice.testutils;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a fresh, empty database on the JVM's real PostgreSQL and drops it afterwards.
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
 * ... PG.jdbcUrl() ... PG.connect() ...
 * }</pre>
 */
public final class PostgresExtension implements BeforeEachCallback, AfterEachCallback {

    private final PostgresServer server;
    private String database;

    public PostgresExtension() {
        this(null);
    }

    /** Uses {@code server} instead of the JVM-wide one (for dedicated configurations). */
    public PostgresExtension(PostgresServer server) {
        this.server = server;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        database = "t_" + UUID.randomUUID().toString().replace("-", "").toLowerCase(Locale.ROOT);
        server().createDatabase(database);
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        if (database != null) {
            server().dropDatabase(database);
            database = null;
        }
    }

    public PostgresServer server() {
        return server != null ? server : TestPostgres.shared();
    }

    /** The current test's database name. */
    public String database() {
        if (database == null) {
            throw new IllegalStateException("No database outside a test method");
        }
        return database;
    }

    /** JDBC URL of the current test's database, credentials included. */
    public String jdbcUrl() {
        return server().jdbcUrl(database());
    }

    public Connection connect() throws SQLException {
        return server().connect(database());
    }
}
