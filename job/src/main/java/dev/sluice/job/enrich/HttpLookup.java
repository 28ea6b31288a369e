package dev.sluice.job.enrich;

import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.EnrichmentSpec;
import dev.sluice.job.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * HTTP lookups with the JDK's asynchronous client: {@code GET} (or {@code POST} with a JSON body)
 * of the datastore's URL followed by the rendered path. 2xx answers are JSON and outputs are JSON
 * paths into it; 404 means no answer (outputs null); 429, 5xx, timeouts and connection errors are
 * retried; any other status fails at once. Messages name the lookup, the status and at most 200
 * characters of the answer, never the Authorization header or other secrets.
 */
final class HttpLookup implements LookupBackend {

    private final EnrichmentSpec spec;
    private final Datastore store;
    private final String method;
    private final LookupTemplate path;
    private final LookupTemplate body;
    private final Map<String, JsonPath> paths;
    private final Set<String> columns;
    private HttpClient client;
    private Map<String, String> headers;

    /** A rendered HTTP request. */
    private static final class HttpCall implements Request {
        final URI uri;
        final String body;

        HttpCall(URI uri, String body) {
            this.uri = uri;
            this.body = body;
        }

        @Override
        public String cacheKey() {
            return uri + (body == null ? "" : "\n" + body);
        }
    }

    HttpLookup(EnrichmentSpec spec, Map<String, String> rowTypes) throws LookupSetupException {
        this.spec = spec;
        this.store = spec.datastore;
        if (store == null || store.type != Datastore.Type.HTTP || store.url == null) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": an HTTP lookup needs an http datastore with a url",
                    null);
        }
        this.method = spec.method == null ? "GET" : spec.method.trim().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": method " + spec.method + " is not GET or POST",
                    null);
        }
        if (spec.output.isEmpty()) {
            throw new LookupSetupException(
                    "Lookup " + spec.name + ": an HTTP lookup needs output columns (JSON paths)",
                    null);
        }
        this.path =
                LookupTemplate.parse(
                        spec.name,
                        "path",
                        spec.path == null ? "" : spec.path,
                        LookupTemplate.Mode.PATH);
        this.body =
                spec.body == null || method.equals("GET")
                        ? null
                        : LookupTemplate.parse(
                                spec.name, "body", spec.body, LookupTemplate.Mode.RAW);
        this.paths = OutputValues.paths(spec.name, spec.output);
        Set<String> read = new LinkedHashSet<>(path.variables(rowTypes));
        if (body != null) {
            read.addAll(body.variables(rowTypes));
        }
        this.columns = read;
        if (rowTypes != null) {
            // a path that cannot make a URL is a configuration error, found before any row
            try {
                URI.create(url(path.renderSample(rowTypes)));
            } catch (IllegalArgumentException e) {
                throw new LookupSetupException(
                        "Lookup " + spec.name + ": path does not make a URL: " + e.getMessage(), e);
            }
        }
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
        HttpClient.Builder b =
                HttpClient.newBuilder()
                        .connectTimeout(spec.timeout)
                        // a redirect could carry the credentials elsewhere: 3xx fails instead
                        .followRedirects(HttpClient.Redirect.NEVER);
        if (store.caFile != null) {
            b.sslContext(PemTrust.sslContext(store.caFile));
        }
        client = b.build();
        Map<String, String> h = new LinkedHashMap<>();
        for (Map.Entry<String, Secret> e : store.headers.entrySet()) {
            h.put(e.getKey(), e.getValue().reveal());
        }
        if (store.authToken != null) {
            h.put("Authorization", "Bearer " + store.authToken.reveal());
        } else if (store.username != null && store.password != null) {
            String basic = store.username + ":" + store.password.reveal();
            h.put(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        headers = h;
    }

    @Override
    public Request request(Map<String, Object> row) throws LookupException {
        String p = path.render(row);
        if (p == null) {
            return null;
        }
        String b = null;
        if (body != null) {
            b = body.render(row);
            if (b == null) {
                return null;
            }
        }
        try {
            return new HttpCall(URI.create(url(p)), b);
        } catch (IllegalArgumentException e) {
            throw LookupException.permanent(
                    "Lookup " + spec.name + ": path renders to an invalid URL: " + e.getMessage(),
                    e);
        }
    }

    private String url(String renderedPath) {
        String base = store.url;
        if (renderedPath.isEmpty()) {
            return base;
        }
        if (base.endsWith("/") && renderedPath.startsWith("/")) {
            return base + renderedPath.substring(1);
        }
        if (!base.endsWith("/") && !renderedPath.startsWith("/") && !renderedPath.startsWith("?")) {
            return base + "/" + renderedPath;
        }
        return base + renderedPath;
    }

    @Override
    public CompletableFuture<Map<String, Object>> fetch(Request request, Duration timeout) {
        HttpCall call = (HttpCall) request;
        HttpRequest.Builder b =
                HttpRequest.newBuilder(call.uri)
                        .timeout(timeout)
                        .header("Accept", "application/json");
        headers.forEach(b::header);
        if (method.equals("POST")) {
            b.header("Content-Type", "application/json");
            b.POST(HttpRequest.BodyPublishers.ofString(call.body == null ? "" : call.body));
        } else {
            b.GET();
        }
        String what = method + " " + call.uri;
        return client.sendAsync(b.build(), LimitedBody.handler())
                .handle(
                        (response, error) -> {
                            try {
                                if (error != null) {
                                    throw failure(what, error);
                                }
                                return answer(what, response.statusCode(), response.body());
                            } catch (LookupException e) {
                                throw new CompletionException(e);
                            }
                        });
    }

    /** Values for a response: 2xx JSON, 404 nulls, else a failure that knows if it retries. */
    Map<String, Object> answer(String what, int status, String text) throws LookupException {
        if (status >= 200 && status < 300) {
            if (text == null || text.isBlank()) {
                return nulls();
            }
            return OutputValues.select(
                    spec.name,
                    spec.output,
                    paths,
                    OutputValues.parse(spec.name, "the answer to " + what, text));
        }
        if (status == 404) {
            return nulls();
        }
        String message = "HTTP " + status + " from " + what + ": " + Errors.cut(text);
        if (status == 429 || status >= 500) {
            throw LookupException.retriable(message, null);
        }
        throw LookupException.permanent(message, null);
    }

    private static LookupException failure(String what, Throwable error) {
        Throwable e =
                error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
        if (e instanceof LimitedBody.TooLarge) {
            return LookupException.permanent(what + ": " + e.getMessage(), e);
        }
        if (e instanceof HttpTimeoutException) {
            return LookupException.retriable(what + " timed out", e);
        }
        if (e instanceof IOException) {
            return LookupException.retriable(
                    what
                            + " failed: "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        }
        return LookupException.permanent(what + " failed: " + e, e);
    }

    private Map<String, Object> nulls() {
        Map<String, Object> out = new LinkedHashMap<>();
        spec.output.keySet().forEach(k -> out.put(k, null));
        return out;
    }

    @Override
    public void close() {
        client = null;
    }
}
