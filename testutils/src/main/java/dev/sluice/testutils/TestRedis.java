package dev.sluice.testutils;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis for tests, in this order: {@code SLUICE_TEST_REDIS_URL}; the machine's Redis on
 * localhost:6379; a {@code redis-server} from the PATH started on a free port for this JVM (and
 * stopped with it). Without any of them the calling test is skipped, saying why. Tests share the
 * server: each uses keys under its own prefix.
 */
public final class TestRedis {

    private static String url;
    private static String unavailable;

    private TestRedis() {}

    /** {@code redis://host:port}, or the test is skipped (with the reason printed). */
    public static synchronized String url() {
        if (url == null && unavailable == null) {
            find();
        }
        if (url == null) {
            System.out.println("Skipping: " + unavailable);
            Assumptions.abort(unavailable);
        }
        return url;
    }

    private static void find() {
        String given = System.getenv("SLUICE_TEST_REDIS_URL");
        if (given != null && !given.isBlank()) {
            URI uri = URI.create(given);
            if (ping(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379)) {
                url = given;
            } else {
                unavailable = "SLUICE_TEST_REDIS_URL=" + given + " does not answer PING";
            }
            return;
        }
        if (ping("127.0.0.1", 6379)) {
            url = "redis://127.0.0.1:6379";
            return;
        }
        String binary = onPath("redis-server");
        if (binary == null) {
            unavailable =
                    "no Redis: nothing answers on localhost:6379, SLUICE_TEST_REDIS_URL is not set"
                            + " and redis-server is not on the PATH";
            return;
        }
        try {
            int port = freePort();
            Process p =
                    new ProcessBuilder(
                                    binary,
                                    "--port",
                                    String.valueOf(port),
                                    "--bind",
                                    "127.0.0.1",
                                    "--save",
                                    "",
                                    "--appendonly",
                                    "no")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (ping("127.0.0.1", port)) {
                    url = "redis://127.0.0.1:" + port;
                    return;
                }
                Thread.sleep(50);
            }
            p.destroy();
            unavailable = "redis-server on port " + port + " did not answer PING within 10 s";
        } catch (IOException e) {
            unavailable = "cannot start redis-server: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while starting redis-server";
        }
    }

    private static boolean ping(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = new byte[7];
            int n = in.read(reply);
            return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
