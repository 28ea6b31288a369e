package dev.sluice.sources.amp.devserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.sources.amp.protocol.BlockRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin HTTP API (JSON): {@code GET /chain/head}, {@code POST /chain/mine?blocks=n}, {@code
 * POST /chain/reorg?depth=d&mine=m}, {@code GET /chain/blocks?from=a&to=b}, {@code GET
 * /chain/digest?table=t}. Bad input answers 400 with {@code {"error":"…"}}.
 */
final class AdminHttpServer implements AutoCloseable {

    private interface Handler {
        String handle(Map<String, String> query);
    }

    private final AmpDevServer server;
    private final HttpServer http;
    private final ExecutorService executor;

    AdminHttpServer(AmpDevServer server, String host, int port) throws IOException {
        this.server = server;
        this.http = HttpServer.create(new InetSocketAddress(host, port), 16);
        route("/chain/head", "GET", q -> head(server.head()));
        route("/chain/mine", "POST", q -> head(server.mine(number(q, "blocks", 1))));
        route(
                "/chain/reorg",
                "POST",
                q -> head(server.reorg(number(q, "depth", 1), number(q, "mine", 0))));
        route("/chain/blocks", "GET", this::blocks);
        route("/chain/digest", "GET", q -> server.digest(required(q, "table")).toString());
        this.executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "amp-dev-admin");
                            t.setDaemon(true);
                            return t;
                        });
        http.setExecutor(executor);
        http.start();
    }

    int port() {
        return http.getAddress().getPort();
    }

    private void route(String path, String method, Handler handler) {
        http.createContext(
                path,
                exchange -> {
                    try {
                        if (!exchange.getRequestURI().getPath().equals(path)) {
                            respond(exchange, 404, error("No such endpoint"));
                        } else if (!method.equals(exchange.getRequestMethod())) {
                            exchange.getResponseHeaders().add("Allow", method);
                            respond(exchange, 405, error("Use " + method + " " + path));
                        } else {
                            respond(exchange, 200, handler.handle(query(exchange)));
                        }
                    } catch (IllegalArgumentException e) {
                        respond(exchange, 400, error(e.getMessage()));
                    } catch (RuntimeException e) {
                        respond(exchange, 500, error(e.toString()));
                    } finally {
                        exchange.close();
                    }
                });
    }

    private String blocks(Map<String, String> q) {
        long from = number(q, "from", 0);
        BlockRef head = server.head();
        long to = number(q, "to", head == null ? from : head.number());
        List<DevBlock> blocks = server.blocks(from, to);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < blocks.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(blocks.get(i).toJson());
        }
        return sb.append(']').toString();
    }

    private static String head(BlockRef head) {
        return head == null
                ? "{\"number\":null,\"hash\":null}"
                : "{\"number\":" + head.number() + ",\"hash\":\"" + head.hash() + "\"}";
    }

    private static long number(Map<String, String> q, String name, long defaultValue) {
        String v = q.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Query parameter '" + name + "' must be a whole number, got '" + v + "'");
        }
    }

    private static String required(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            throw new IllegalArgumentException("Query parameter '" + name + "' is required");
        }
        return v;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                out.put(
                        URLDecoder.decode(k, StandardCharsets.UTF_8),
                        URLDecoder.decode(v, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String error(String message) {
        StringBuilder sb = new StringBuilder("{\"error\":\"");
        for (char c : String.valueOf(message).toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20) {
                sb.append(c);
            }
        }
        return sb.append("\"}").toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) {
        try {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // The client went away; nothing to answer.
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
