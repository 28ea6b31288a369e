package dev.sluice.job.enrich;

import dev.sluice.job.config.DataType;
import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.EnrichmentSpec.OnError;
import dev.sluice.job.config.EnrichmentSpec.Output;
import dev.sluice.job.config.EnrichmentSpec.Type;
import dev.sluice.job.config.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds {@link EnrichmentSpec}s and datastores for lookup tests, with test-friendly defaults. */
final class LookupSpecs {

    private final String name;
    private final Type type;
    private final Datastore datastore;
    private String sql;
    private String key;
    private String path;
    private String method;
    private String body;
    private final Map<String, Output> output = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(5);
    private int retries = 2;
    private Duration backoff = Duration.ofMillis(10);
    private long cacheSize = 0;
    private Duration cacheTtl = Duration.ofMinutes(10);
    private int maxInFlight = 4;

    private LookupSpecs(String name, Type type, Datastore datastore) {
        this.name = name;
        this.type = type;
        this.datastore = datastore;
    }

    static LookupSpecs sql(Datastore store, String sql) {
        LookupSpecs b = new LookupSpecs("lk_sql", Type.SQL, store);
        b.sql = sql;
        return b;
    }

    static LookupSpecs redis(Datastore store, String key) {
        LookupSpecs b = new LookupSpecs("lk_redis", Type.REDIS, store);
        b.key = key;
        return b;
    }

    static LookupSpecs http(Datastore store, String path) {
        LookupSpecs b = new LookupSpecs("lk_http", Type.HTTP, store);
        b.path = path;
        return b;
    }

    static Datastore postgres(String host, int port, String database, String user, String pw) {
        return new Datastore(
                "pg",
                Datastore.Type.POSTGRES,
                host,
                port,
                database,
                user,
                pw == null ? null : new Secret(pw),
                null,
                null,
                null,
                Map.of(),
                null);
    }

    static Datastore redisStore(String url, String user, String password) {
        return new Datastore(
                "cache",
                Datastore.Type.REDIS,
                null,
                0,
                null,
                user,
                password == null ? null : new Secret(password),
                null,
                url,
                null,
                Map.of(),
                null);
    }

    static Datastore httpStore(
            String url,
            String user,
            String password,
            String token,
            Map<String, Secret> headers,
            String caFile) {
        return new Datastore(
                "api",
                Datastore.Type.HTTP,
                null,
                0,
                null,
                user,
                password == null ? null : new Secret(password),
                null,
                url,
                token == null ? null : new Secret(token),
                headers,
                caFile);
    }

    LookupSpecs out(String column, String from) {
        output.put(column, new Output(from, null));
        return this;
    }

    LookupSpecs out(String column, String from, DataType dtype) {
        output.put(column, new Output(from, dtype));
        return this;
    }

    LookupSpecs post(String body) {
        this.method = "POST";
        this.body = body;
        return this;
    }

    LookupSpecs timeout(Duration d) {
        this.timeout = d;
        return this;
    }

    LookupSpecs retries(int n) {
        this.retries = n;
        return this;
    }

    LookupSpecs backoff(Duration d) {
        this.backoff = d;
        return this;
    }

    LookupSpecs cache(long size, Duration ttl) {
        this.cacheSize = size;
        this.cacheTtl = ttl;
        return this;
    }

    LookupSpecs maxInFlight(int n) {
        this.maxInFlight = n;
        return this;
    }

    EnrichmentSpec build() {
        return new EnrichmentSpec(
                name,
                type,
                datastore,
                sql,
                key,
                path,
                method,
                body,
                output,
                OnError.FAIL,
                timeout,
                retries,
                backoff,
                cacheSize,
                cacheTtl,
                maxInFlight);
    }
}
