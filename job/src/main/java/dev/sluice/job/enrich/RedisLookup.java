package dev.sluice.job.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.EnrichmentSpec.Output;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Redis lookups with Lettuce's asynchronous API. The outputs are either all hash fields (one {@code
 * HMGET} of every field) or all JSON paths starting with {@code $} into a string value (one {@code
 * GET}; {@code $} alone is the whole string, unparsed). A missing key or field gives null.
 */
final class RedisLookup implements LookupBackend {

    private final EnrichmentSpec spec;
    private final Datastore store;
    private final LookupTemplate key;
    private final boolean json;
    private final String[] fields;
    private final Map<String, JsonPath> paths;
    private final Set<String> columns;

    private ClientResources resources;
    private io.lettuce.core.RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisAsyncCommands<String, String> commands;

    /** A rendered Redis command. */
    private static final class RedisCall implements Request {
        final String cacheKey;
        final String key;

        RedisCall(String cacheKey, String key) {
            this.cacheKey = cacheKey;
            this.key = key;
        }

        @Override
        public String cacheKey() {
            return cacheKey;
        }
    }

    RedisLookup(EnrichmentSpec spec, Map<String, String> rowTypes) throws LookupSetupException {
        this.spec = spec;
        this.store = spec.datastore;
        if (store == null || store.type != Datastore.Type.REDIS || store.url == null) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": a Redis lookup needs a redis datastore with a url",
                    null);
        }
        if (spec.key == null) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": a Redis lookup needs a key template", null);
        }
        if (spec.output.isEmpty()) {
            throw new LookupSetupException(
                    "Lookup "
                            + spec.name
                            + ": a Redis lookup needs output columns (hash fields or JSON paths)",
                    null);
        }
        int jsonPaths = 0;
        for (Output o : spec.output.values()) {
            jsonPaths += o.from.startsWith("$") ? 1 : 0;
        }
        if (jsonPaths != 0 && jsonPaths != spec.output.size()) {
            throw new LookupSetupException(
                    "Lookup "
                            + spec.name
                            + ": outputs mix hash fields and JSON paths ("
                            + spec.output
                            + "); a key is either a hash (fields) or a string (paths from $)",
                    null);
        }
        this.json = jsonPaths > 0;
        this.paths = json ? OutputValues.paths(spec.name, spec.output) : Map.of();
        List<String> f = new ArrayList<>();
        if (!json) {
            spec.output.values().forEach(o -> f.add(o.from));
        }
        this.fields = f.toArray(new String[0]);
        this.key = LookupTemplate.parse(spec.name, "key", spec.key, LookupTemplate.Mode.RAW);
        this.columns = key.variables(rowTypes);
    }

    @Override
    public Map<String, String> describe() {
        return OutputValues.textTypes(spec.output);
    }

    @Override
    public Set<String> columnsRead() {
        return columns;
    }

    @Override
    public void open() throws Exception {
        RedisURI uri = RedisURI.create(store.url);
        if (store.username != null && !store.username.isEmpty()) {
            uri.setUsername(store.username);
        }
        if (store.password != null) {
            uri.setPassword(store.password.reveal().toCharArray());
        }
        uri.setTimeout(spec.timeout);
        // one I/O and one computation thread: a lookup's traffic is small, and every subtask
        // and lookup has its own client
        resources =
                DefaultClientResources.builder()
                        .ioThreadPoolSize(1)
                        .computationThreadPoolSize(1)
                        .build();
        client = io.lettuce.core.RedisClient.create(resources, uri);
        ClientOptions.Builder options =
                ClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS);
        if (store.caFile != null) {
            options.sslOptions(
                    SslOptions.builder()
                            .jdkSslProvider()
                            .trustManager(new File(store.caFile))
                            .build());
        }
        client.setOptions(options.build());
        try {
            connection = client.connect(StringCodec.UTF8);
        } catch (RedisException e) {
            close();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // the cause is left out: it could quote the AUTH command
            throw new IOException(
                    new Redactor(store)
                            .redact(
                                    "Lookup "
                                            + spec.name
                                            + ": cannot connect to Redis datastore "
                                            + store.name
                                            + " ("
                                            + store.url
                                            + "): "
                                            + e.getMessage()
                                            + (root == e ? "" : " (" + root.getMessage() + ")")));
        }
        commands = connection.async();
    }

    @Override
    public Request request(Map<String, Object> row) throws LookupException {
        String k = key.render(row);
        if (k == null) {
            return null;
        }
        String cacheKey = json ? "GET " + k : "HMGET " + k + " " + String.join(" ", fields);
        return new RedisCall(cacheKey, k);
    }

    @Override
    public CompletableFuture<Map<String, Object>> fetch(Request request, Duration timeout) {
        RedisCall call = (RedisCall) request;
        if (json) {
            return commands.get(call.key)
                    .toCompletableFuture()
                    .handle(
                            (value, error) -> {
                                try {
                                    if (error != null) {
                                        throw failure(call.key, error);
                                    }
                                    return fromString(call.key, value);
                                } catch (LookupException e) {
                                    throw new CompletionException(e);
                                }
                            });
        }
        return commands.hmget(call.key, fields)
                .toCompletableFuture()
                .handle(
                        (values, error) -> {
                            try {
                                if (error != null) {
                                    throw failure(call.key, error);
                                }
                                return fromHash(values);
                            } catch (LookupException e) {
                                throw new CompletionException(e);
                            }
                        });
    }

    private Map<String, Object> fromHash(List<KeyValue<String, String>> values)
            throws LookupException {
        Map<String, Object> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Output> e : spec.output.entrySet()) {
            KeyValue<String, String> kv = i < values.size() ? values.get(i) : null;
            i++;
            String v = kv == null || !kv.hasValue() ? null : kv.getValue();
            out.put(e.getKey(), OutputValues.convert(e.getKey(), v, e.getValue().dtype));
        }
        return out;
    }

    private Map<String, Object> fromString(String k, String value) throws LookupException {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonNode root = null;
        for (Map.Entry<String, Output> e : spec.output.entrySet()) {
            Object v;
            if (value == null) {
                v = null;
            } else if (e.getValue().from.equals("$")) {
                v = value;
            } else {
                if (root == null) {
                    root = OutputValues.parse(spec.name, "the value of key " + k, value);
                }
                v = JsonPath.text(paths.get(e.getKey()).select(root));
            }
            out.put(e.getKey(), OutputValues.convert(e.getKey(), v, e.getValue().dtype));
        }
        return out;
    }

    private static LookupException failure(String key, Throwable error) {
        Throwable e =
                error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
        if (e instanceof RedisCommandExecutionException) {
            // the server refused the command (WRONGTYPE, NOAUTH, …): the same again fails again
            return LookupException.permanent("Redis refused key " + key + ": " + e.getMessage(), e);
        }
        if (e instanceof RedisCommandTimeoutException
                || e instanceof RedisConnectionException
                || e instanceof RedisException
                || e instanceof IOException) {
            return LookupException.retriable("Redis key " + key + ": " + e.getMessage(), e);
        }
        return LookupException.permanent("Redis key " + key + ": " + e, e);
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            client = null;
        }
        if (resources != null) {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            resources = null;
        }
    }
}
