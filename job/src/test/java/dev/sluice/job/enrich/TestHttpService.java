package dev.sluice.job.enrich;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP(S) service for lookup tests, on a free port. It counts requests per raw path, records
 * their Authorization headers and bodies, tracks how many are in flight at once, and answers by the
 * first path segment:
 *
 * <ul>
 *   <li>{@code /users/<id>}: 200 with a user document; id {@code missing}: 404
 *   <li>{@code /status/<code>}: that status, with a body that quotes the Authorization header
 *   <li>{@code /flaky/<n>/<key>}: 503 for the first n requests of that path, then 200
 *   <li>{@code /slow/<n>/<key>}: the first n requests of that path hang until released (or 30 s),
 *       then 200
 *   <li>{@code /wait/<key>}: waits until {@link #release()} (at most 30 s), then 200
 *   <li>{@code /big/<n>}: 200 with n MiB of whitespace before {@code {}}
 *   <li>{@code /echo}: 200 with the request body as the JSON answer
 * </ul>
 */
final class TestHttpService implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String expectedAuthorization;
    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(1);

    private TestHttpService(HttpServer server, String expectedAuthorization) {
        this.server = server;
        this.expectedAuthorization = expectedAuthorization;
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Plain HTTP; requests without {@code expectedAuthorization} (when not null) get 401. */
    static TestHttpService http(String expectedAuthorization) throws IOException {
        return new TestHttpService(
                HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50),
                expectedAuthorization);
    }

    static TestHttpService https(SSLContext tls, String expectedAuthorization) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new TestHttpService(s, expectedAuthorization);
    }

    String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://localhost:" + server.getAddress().getPort();
    }

    int count(String rawPath) {
        AtomicInteger n = requests.get(rawPath);
        return n == null ? 0 : n.get();
    }

    int total() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Lets every waiting {@code /wait} and {@code /slow} request answer. */
    void release() {
        gate.countDown();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            String raw = ex.getRequestURI().getRawPath();
            int n = requests.computeIfAbsent(raw, k -> new AtomicInteger()).incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(auth));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(body);
            if (expectedAuthorization != null && !expectedAuthorization.equals(auth)) {
                send(ex, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            String[] parts = raw.split("/");
            String kind = parts.length > 1 ? parts[1] : "";
            switch (kind) {
                case "users":
                    String id = java.net.URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
                    if (id.equals("missing")) {
                        send(ex, 404, "{\"error\":\"no such user\"}");
                    } else {
                        String q = ex.getRequestURI().getRawQuery();
                        send(
                                ex,
                                200,
                                "{\"id\":\""
                                        + id.replace("\"", "\\\"")
                                        + "\",\"name\":\"Ann\",\"score\":1.50,\"active\":true,"
                                        + "\"tags\":[\"a\",\"b\"],\"address\":{\"city\":\"Oslo\","
                                        + "\"zip code\":\"0150\"},\"n\":42,\"query\":"
                                        + (q == null ? "null" : "\"" + q + "\"")
                                        + ",\"none\":null}");
                    }
                    return;
                case "status":
                    send(
                            ex,
                            Integer.parseInt(parts[2]),
                            "refused; you sent Authorization: " + auth + " " + "x".repeat(400));
                    return;
                case "flaky":
                    if (n <= Integer.parseInt(parts[2])) {
                        send(ex, 503, "try later");
                    } else {
                        send(ex, 200, "{\"ok\":\"yes\"}");
                    }
                    return;
                case "slow":
                    if (n <= Integer.parseInt(parts[2])) {
                        awaitGate();
                    }
                    send(ex, 200, "{\"ok\":\"late\"}");
                    return;
                case "wait":
                    awaitGate();
                    send(ex, 200, "{\"ok\":\"" + parts[2] + "\"}");
                    return;
                case "big":
                    sendBig(ex, Integer.parseInt(parts[2]));
                    return;
                case "echo":
                    send(ex, 200, body);
                    return;
                default:
                    send(ex, 400, "unknown path " + raw);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** {@code mib} MiB of JSON whitespace, streamed. */
    private static void sendBig(HttpExchange ex, int mib) throws IOException {
        ex.sendResponseHeaders(200, 0);
        byte[] spaces = new byte[1 << 20];
        java.util.Arrays.fill(spaces, (byte) ' ');
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < mib; i++) {
                out.write(spaces);
            }
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client stopped reading: what the test expects
        } finally {
            ex.close();
        }
    }

    private void awaitGate() {
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            // the client gave up (a timed-out attempt): nothing to answer
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
