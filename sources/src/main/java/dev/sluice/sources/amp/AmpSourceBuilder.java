package dev.sluice.sources.amp;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Builds an {@link AmpSource}: a dataset with tables (each streamed as {@code SELECT * FROM
 * "<dataset>"."<table>"}), named SQL queries, or both; plus connection options. {@link #build()}
 * checks everything and says what to fix.
 */
public final class AmpSourceBuilder {

    private final Configuration config = new Configuration();
    private DatasetReference dataset;
    private final List<String> tables = new ArrayList<>();
    private final List<AmpStreamSpec> streams = new ArrayList<>();
    private AmpStreamDiscovery discovery;
    private Duration discoveryInterval;

    AmpSourceBuilder() {}

    public AmpSourceBuilder setEndpoint(String endpoint) {
        config.set(AmpSourceOptions.ENDPOINT, endpoint);
        return this;
    }

    public AmpSourceBuilder setAuthToken(String token) {
        config.set(AmpSourceOptions.AUTH_TOKEN, token);
        return this;
    }

    /** Any reference form of the Amp protocol; malformed ones fail here with a clear message. */
    public AmpSourceBuilder setDataset(String reference) {
        this.dataset = DatasetReference.parse(reference);
        return this;
    }

    public AmpSourceBuilder setDataset(DatasetReference reference) {
        this.dataset = reference;
        return this;
    }

    public AmpSourceBuilder setTables(String... names) {
        tables.clear();
        for (String t : names) {
            addTable(t);
        }
        return this;
    }

    public AmpSourceBuilder addTable(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A table name must not be empty");
        }
        tables.add(name.trim());
        return this;
    }

    /** Streams {@code table} of {@code dataset} (besides those of {@link #setDataset}). */
    public AmpSourceBuilder addTable(DatasetReference dataset, String table) {
        streams.add(AmpStreamSpec.forTable(dataset, table));
        return this;
    }

    /** A stream as specified: its id, the table it feeds and its SQL. */
    public AmpSourceBuilder addStream(AmpStreamSpec stream) {
        streams.add(stream);
        return this;
    }

    /** A stream with its own SQL; {@code name} is its stream id and the table it feeds. */
    public AmpSourceBuilder addQuery(String name, String sql) {
        streams.add(new AmpStreamSpec(name, name, sql));
        return this;
    }

    /**
     * Lets {@code discovery} change the stream set while the job runs, checked every {@code
     * interval} on the JobManager; the streams configured here are the set to start with.
     */
    public AmpSourceBuilder setStreamDiscovery(AmpStreamDiscovery discovery, Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(
                    "The stream discovery interval must be positive, got " + interval);
        }
        this.discovery = discovery;
        this.discoveryInterval = interval;
        return this;
    }

    public <T> AmpSourceBuilder set(ConfigOption<T> option, T value) {
        config.set(option, value);
        return this;
    }

    /** Takes every {@code source.amp.*} option set in {@code options}. */
    public AmpSourceBuilder setConfiguration(Configuration options) {
        config.addAll(options);
        return this;
    }

    public AmpSource build() {
        List<AmpStreamSpec> streams = new ArrayList<>();
        if (!tables.isEmpty()) {
            if (dataset == null) {
                throw new IllegalArgumentException(
                        "Tables " + tables + " need a dataset: set one (e.g. _/eth_rpc@latest)");
            }
            for (String table : tables) {
                streams.add(AmpStreamSpec.forTable(dataset, table));
            }
        }
        streams.addAll(this.streams);
        if (streams.isEmpty() && discovery == null) {
            throw new IllegalArgumentException(
                    "The Amp source has nothing to read: give a dataset with tables, or a query");
        }
        Set<String> ids = new HashSet<>();
        for (AmpStreamSpec s : streams) {
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException(
                        "Stream '" + s.id() + "' is configured twice; each table or query once");
            }
        }
        return new AmpSource(
                AmpConnectionConfig.from(config),
                streams,
                discovery,
                discovery == null ? Duration.ZERO : discoveryInterval);
    }
}
