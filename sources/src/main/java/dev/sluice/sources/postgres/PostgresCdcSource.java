package dev.sluice.sources.postgres;

/**
 * Entry point of the PostgreSQL CDC source: Flink CDC's incremental Postgres source (pgoutput,
 * parallel consistent snapshot, then streaming from a replication slot) emitting {@link
 * CdcChange}s. The slot's confirmed position only moves when a Flink checkpoint completes, so a
 * restore replays every change after the restored checkpoint; the sink's transactions make that
 * exactly once.
 *
 * <pre>{@code
 * Source<CdcChange, ?, ?> source = PostgresCdcSource.builder()
 *     .setHostname("db").setPort(5432).setDatabase("app")
 *     .setUsername("sluice").setPassword(secret)
 *     .addTable("public", "users")
 *     .setSlotName("sluice_users").setPublicationName("sluice_users")
 *     .build();
 * }</pre>
 *
 * <p>The publication is not created by Debezium ({@code publication.autocreate.mode=disabled}):
 * create it first with {@link Publications#ensure}, which publishes exactly the configured tables.
 */
public final class PostgresCdcSource {

    private PostgresCdcSource() {}

    public static PostgresCdcSourceBuilder builder() {
        return new PostgresCdcSourceBuilder();
    }
}
