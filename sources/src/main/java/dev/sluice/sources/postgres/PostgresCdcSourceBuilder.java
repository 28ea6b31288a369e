package dev.sluice.sources.postgres;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.sluice.sources.postgres.internal.CdcDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;

/** Builds the CDC source of {@link PostgresCdcSource}; checks happen in {@link #build()}. */
public final class PostgresCdcSourceBuilder {

    /** Slot names: lower-case letters, digits and underscores, at most 63 (PostgreSQL's rule). */
    public static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    private String hostname;
    private int port = 5432;
    private String database;
    private String username;
    private String password = "";
    private final List<String> tables = new ArrayList<>();
    private String slotName;
    private String publicationName;
    private boolean snapshot = true;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private int splitSize = 8096;
    private final Properties extra = new Properties();

    PostgresCdcSourceBuilder() {}

    public PostgresCdcSourceBuilder setHostname(String hostname) {
        this.hostname = checkNotNull(hostname);
        return this;
    }

    public PostgresCdcSourceBuilder setPort(int port) {
        this.port = port;
        return this;
    }

    public PostgresCdcSourceBuilder setDatabase(String database) {
        this.database = checkNotNull(database);
        return this;
    }

    public PostgresCdcSourceBuilder setUsername(String username) {
        this.username = checkNotNull(username);
        return this;
    }

    public PostgresCdcSourceBuilder setPassword(String password) {
        this.password = password == null ? "" : password;
        return this;
    }

    /** Adds a table to capture (and to publish). */
    public PostgresCdcSourceBuilder addTable(String schema, String table) {
        tables.add(checkNotNull(schema) + '.' + checkNotNull(table));
        return this;
    }

    /** The replication slot; one per pipeline, kept across restarts (it holds the position). */
    public PostgresCdcSourceBuilder setSlotName(String slotName) {
        this.slotName = checkNotNull(slotName);
        return this;
    }

    public PostgresCdcSourceBuilder setPublicationName(String publicationName) {
        this.publicationName = checkNotNull(publicationName);
        return this;
    }

    /** {@code true}: snapshot the tables first (default); {@code false}: only new changes. */
    public PostgresCdcSourceBuilder setSnapshot(boolean snapshot) {
        this.snapshot = snapshot;
        return this;
    }

    /** How often the reader reports progress on an idle table, so the slot can advance. */
    public PostgresCdcSourceBuilder setHeartbeatInterval(Duration interval) {
        this.heartbeatInterval = checkNotNull(interval);
        return this;
    }

    /** Rows per snapshot chunk (the unit of parallel snapshot reading). */
    public PostgresCdcSourceBuilder setSplitSize(int splitSize) {
        this.splitSize = splitSize;
        return this;
    }

    /** A further Debezium property (advanced; the ones this builder sets win). */
    public PostgresCdcSourceBuilder setDebeziumProperty(String key, String value) {
        extra.setProperty(key, value);
        return this;
    }

    /** Validates the settings and builds the source. */
    public PostgresIncrementalSource<CdcChange> build() {
        checkArgument(hostname != null && !hostname.isEmpty(), "hostname is required");
        checkArgument(port > 0 && port < 65536, "port must be 1..65535, got %s", port);
        checkArgument(database != null && !database.isEmpty(), "database is required");
        checkArgument(username != null && !username.isEmpty(), "username is required");
        checkArgument(!tables.isEmpty(), "at least one table is required");
        checkArgument(
                slotName != null && SLOT_NAME.matcher(slotName).matches(),
                "slot name must be 1 to 63 lower-case letters, digits or '_', got '%s'",
                slotName);
        checkArgument(
                publicationName != null && !publicationName.isEmpty(),
                "publication name is required");
        checkArgument(splitSize >= 1, "split size must be positive");
        Set<String> schemas = new LinkedHashSet<>();
        for (String t : tables) {
            schemas.add(t.substring(0, t.indexOf('.')));
        }
        Properties debezium = new Properties();
        debezium.putAll(extra);
        debezium.setProperty("publication.name", publicationName);
        debezium.setProperty("publication.autocreate.mode", "disabled");
        debezium.setProperty("column.propagate.source.type", ".*");
        debezium.setProperty("unavailable.value.placeholder", CdcDeserializer.UNAVAILABLE);
        debezium.setProperty("slot.drop.on.stop", "false");
        return PostgresSourceBuilder.PostgresIncrementalSource.<CdcChange>builder()
                .hostname(hostname)
                .port(port)
                .database(database)
                .schemaList(schemas.toArray(new String[0]))
                .tableList(tables.toArray(new String[0]))
                .username(username)
                .password(password)
                .slotName(slotName)
                .decodingPluginName("pgoutput")
                .startupOptions(snapshot ? StartupOptions.initial() : StartupOptions.latest())
                .splitSize(splitSize)
                .heartbeatInterval(heartbeatInterval)
                .debeziumProperties(debezium)
                .deserializer(new CdcDeserializer())
                .build();
    }
}
