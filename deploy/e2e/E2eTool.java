import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sources.amp.devserver.ChainDigest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The helper of deploy/e2e/run.sh: free ports, bounded waits on the Flink REST API, a miner that
 * drives the Amp dev server, and the exact comparison of the target tables with the dev server's
 * {@code /chain/digest}. Compiled by run.sh against sync-job.jar (PostgreSQL driver, Jackson and
 * {@link ChainDigest#POSTGRES_QUERIES}, the documented digest queries, come from there).
 *
 * <p>Every wait is bounded: on timeout it prints what it last saw and exits with 1.
 */
public final class E2eTool {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private E2eTool() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        String[] a = java.util.Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "ports":
                ports(Integer.parseInt(a[0]));
                break;
            case "wait-http":
                waitHttp(a[0], seconds(a[1]));
                break;
            case "wait-job":
                waitJob(a[0], a[1], a[2], seconds(a[3]));
                break;
            case "wait-checkpoints":
                waitCheckpoints(
                        a[0],
                        a[1],
                        Long.parseLong(a[2]),
                        seconds(a[3]),
                        a.length > 4 && a[4].equals("restored"));
                break;
            case "reorg":
                System.out.println(post(a[0] + "/chain/reorg?depth=" + a[1] + "&mine=" + a[2]));
                break;
            case "mine":
                mine(a[0], Long.parseLong(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
                break;
            case "digest-rows":
                JsonNode digest = JSON.readTree(get(a[0] + "/chain/digest?table=" + a[1]));
                System.out.println(digest.path("rows").asLong());
                break;
            case "head":
                System.out.println(get(a[0] + "/chain/head"));
                break;
            case "wait-digest":
                waitDigest(a[0], a[1], a[2].split(","), seconds(a[3]));
                break;
            case "wait-no-prepared":
                waitNoPrepared(a[0], a[1], seconds(a[2]));
                break;
            case "wait-column":
                waitColumn(a[0], a[1], a[2], seconds(a[3]));
                break;
            case "sql":
                System.out.println(queryValue(a[0], a[1]));
                break;
            case "only-job":
                onlyJob(a[0], a[1]);
                break;
            case "check-metrics":
                checkMetrics(a[0], java.util.Arrays.copyOfRange(a, 1, a.length));
                break;
            default:
                usage();
        }
    }

    private static void usage() {
        System.err.println(
                "usage: E2eTool ports N | wait-http URL SECS"
                        + " | wait-job REST JOBID STATE SECS"
                        + " | wait-checkpoints REST JOBID MIN SECS [restored]"
                        + " | mine ADMIN INTERVAL_MS REORG_EVERY MAX_DEPTH | head ADMIN"
                        + " | digest-rows ADMIN TABLE"
                        + " | reorg ADMIN DEPTH MINE"
                        + " | wait-digest DATABASE_URL ADMIN CHAIN_TABLE[:TARGET],... SECS"
                        + " | wait-column DATABASE_URL TABLE COLUMN SECS | sql DATABASE_URL QUERY"
                        + " | only-job REST JOBID"
                        + " | wait-no-prepared DATABASE_URL GID_PREFIX SECS"
                        + " | check-metrics URL NAME...");
        System.exit(2);
    }

    private static long seconds(String s) {
        return Long.parseLong(s) * 1000L;
    }

    /** N ports free right now (bound together, then released). */
    private static void ports(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                out.append(i == 0 ? "" : " ").append(s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        System.out.println(out);
    }

    private static void waitHttp(String url, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "no answer";
        while (System.currentTimeMillis() < deadline) {
            try {
                get(url);
                System.out.println(url + " answers");
                return;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        fail("timed out waiting for " + url + ": " + last);
    }

    /**
     * Waits until the job reaches {@code state}; for RUNNING also every vertex (a job is RUNNING
     * while its tasks still deploy).
     */
    private static void waitJob(String rest, String jobId, String state, long timeoutMs)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "no answer";
        while (System.currentTimeMillis() < deadline) {
            try {
                JsonNode job = JSON.readTree(get(rest + "/jobs/" + jobId));
                String jobState = job.path("state").asText();
                boolean allRunning = true;
                StringBuilder vertices = new StringBuilder();
                for (JsonNode v : job.path("vertices")) {
                    String status = v.path("status").asText();
                    allRunning &= "RUNNING".equals(status);
                    vertices.append(" [")
                            .append(v.path("name").asText())
                            .append(" p=")
                            .append(v.path("parallelism").asInt())
                            .append(' ')
                            .append(status)
                            .append(']');
                }
                last = jobState + vertices;
                if (jobState.equals(state) && (!"RUNNING".equals(state) || allRunning)) {
                    System.out.println(last);
                    return;
                }
                if (isTerminal(jobState) && !jobState.equals(state)) {
                    fail("job " + jobId + " is " + last + ", expected " + state);
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        fail("timed out waiting for job " + jobId + " to be " + state + "; last: " + last);
    }

    private static boolean isTerminal(String state) {
        return state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED");
    }

    /**
     * Waits until the job has at least {@code min} completed checkpoints; with {@code restored},
     * until it was restored (from a checkpoint or savepoint) and has completed {@code min} more
     * since. Prints the stats.
     */
    private static void waitCheckpoints(
            String rest, String jobId, long min, long timeoutMs, boolean restored)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "no answer";
        while (System.currentTimeMillis() < deadline) {
            try {
                JsonNode cp = JSON.readTree(get(rest + "/jobs/" + jobId + "/checkpoints"));
                long completed = cp.path("counts").path("completed").asLong();
                long latest = cp.path("latest").path("completed").path("id").asLong(-1);
                JsonNode from = cp.path("latest").path("restored");
                long restoredId = from.isObject() ? from.path("id").asLong() : -1;
                last =
                        "completed="
                                + completed
                                + " failed="
                                + cp.path("counts").path("failed").asLong()
                                + " latest="
                                + latest
                                + " restored="
                                + (restoredId < 0
                                        ? "none"
                                        : restoredId
                                                + (from.path("is_savepoint").asBoolean()
                                                        ? " (savepoint)"
                                                        : " (checkpoint)"));
                boolean done =
                        restored
                                ? restoredId >= 0 && latest >= restoredId + min
                                : completed >= min;
                if (done) {
                    System.out.println(last);
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        fail("timed out waiting for checkpoints of " + jobId + "; " + last);
    }

    /**
     * Mines one block per interval and, every {@code reorgEvery} blocks, replaces the last 1..{@code
     * maxDepth} blocks (cycling) with a fork one block longer. Runs until killed.
     */
    private static void mine(String admin, long intervalMs, int reorgEvery, int maxDepth)
            throws InterruptedException {
        long mined = 0;
        int reorgs = 0;
        while (true) {
            try {
                post(admin + "/chain/mine?blocks=1");
                mined++;
                if (reorgEvery > 0 && mined % reorgEvery == 0) {
                    int depth = 1 + reorgs % maxDepth;
                    String head = post(admin + "/chain/reorg?depth=" + depth + "&mine=1");
                    reorgs++;
                    System.out.println("reorg #" + reorgs + " depth " + depth + " -> " + head);
                }
            } catch (IOException e) {
                System.out.println("miner: " + e);
            }
            Thread.sleep(intervalMs);
        }
    }

    /**
     * Waits until every table's row count and MD5 in PostgreSQL equal the dev server's {@code
     * /chain/digest}; prints both. A table is {@code blocks} (synced into {@code blocks}) or {@code
     * blocks:blocks_q} (the chain's blocks synced into {@code blocks_q}, e.g. by a manifest query
     * that selects at least the digest's columns). Exits 1 on timeout with the last difference.
     */
    private static void waitDigest(String databaseUrl, String admin, String[] tables, long timeoutMs)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long start = System.currentTimeMillis();
        Map<String, String> chain = new LinkedHashMap<>();
        Map<String, String> target = new LinkedHashMap<>();
        while (true) {
            chain.clear();
            target.clear();
            boolean equal = true;
            try (Connection c = connect(databaseUrl)) {
                for (String entry : tables) {
                    String[] parts = entry.split(":", 2);
                    String table = parts[0];
                    String query =
                            ChainDigest.postgresQuery(
                                    table, quoted(parts.length > 1 ? parts[1] : table));
                    JsonNode d = JSON.readTree(get(admin + "/chain/digest?table=" + table));
                    String expected = d.path("rows").asLong() + " " + d.path("md5").asText();
                    String actual;
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery(query)) {
                        rs.next();
                        actual = rs.getLong("rows") + " " + rs.getString("md5");
                    }
                    chain.put(entry, expected);
                    target.put(entry, actual);
                    equal &= expected.equals(actual);
                }
            } catch (IOException | SQLException e) {
                equal = false;
                target.put("error", e.toString());
            }
            if (equal) {
                System.out.printf(
                        "target == chain after %.1f s: %s (head %s)%n",
                        (System.currentTimeMillis() - start) / 1000.0,
                        chain,
                        get(admin + "/chain/head"));
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("timed out: chain " + chain + " but target " + target);
            }
            Thread.sleep(500);
        }
    }

    /** Waits until {@code table} has {@code column} (a manifest change applied and committed). */
    private static void waitColumn(String databaseUrl, String table, String column, long timeoutMs)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String sql =
                "SELECT count(*) FROM information_schema.columns WHERE table_schema ="
                        + " current_schema() AND table_name = '"
                        + table
                        + "' AND column_name = '"
                        + column
                        + "'";
        while ("0".equals(queryValue(databaseUrl, sql))) {
            if (System.currentTimeMillis() > deadline) {
                fail("table " + table + " still has no column " + column);
            }
            Thread.sleep(250);
        }
        System.out.println("table " + table + " has column " + column);
    }

    /** The first column of the first row of {@code sql}, as text. */
    private static String queryValue(String databaseUrl, String sql) throws SQLException {
        try (Connection c = connect(databaseUrl);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String quoted(String table) {
        return "\"" + table.replace("\"", "\"\"") + "\"";
    }

    /**
     * Checks that {@code jobId} is the only job the cluster ever ran and that it is RUNNING (so a
     * change was applied inside it, not by a resubmission or a stop-and-resume).
     */
    private static void onlyJob(String rest, String jobId) throws Exception {
        JsonNode jobs = JSON.readTree(get(rest + "/jobs/overview")).path("jobs");
        List<String> active = new ArrayList<>();
        String state = "absent";
        for (JsonNode j : jobs) {
            String id = j.path("jid").asText();
            String s = j.path("state").asText();
            if (!isTerminal(s)) {
                active.add(id + " " + s);
            }
            if (id.equals(jobId)) {
                state = s;
            }
        }
        if (!"RUNNING".equals(state) || jobs.size() != 1) {
            fail(
                    "expected only job "
                            + jobId
                            + " RUNNING, but it is "
                            + state
                            + "; active jobs: "
                            + active
                            + " of "
                            + jobs.size());
        }
        System.out.println("the only job is " + jobId + " RUNNING");
    }

    /** Waits until no prepared transaction of the sink's gid prefix is left in the database. */
    private static void waitNoPrepared(String databaseUrl, String prefix, long timeoutMs)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        List<String> gids = new ArrayList<>();
        while (true) {
            gids.clear();
            try (Connection c = connect(databaseUrl);
                    Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT gid FROM pg_prepared_xacts WHERE database ="
                                            + " current_database() ORDER BY gid")) {
                while (rs.next()) {
                    if (rs.getString(1).startsWith(prefix)) {
                        gids.add(rs.getString(1));
                    }
                }
            }
            if (gids.isEmpty()) {
                System.out.println("no prepared transaction left for " + prefix + "*");
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("prepared transactions still open: " + gids);
            }
            Thread.sleep(500);
        }
    }

    /**
     * Scrapes a Prometheus endpoint and checks that each name has at least one sample; prints the
     * first sample of each.
     */
    private static void checkMetrics(String url, String[] names) throws Exception {
        String text = get(url);
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            String found = null;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    found = line;
                    break;
                }
            }
            if (found == null) {
                missing.add(name);
            } else {
                System.out.println(found.length() > 300 ? found.substring(0, 300) + "…" : found);
            }
        }
        if (!missing.isEmpty()) {
            fail("metrics missing at " + url + ": " + missing);
        }
    }

    /** A postgresql://user:password@host:port/db URL (the job's format) as a JDBC connection. */
    private static Connection connect(String url) throws SQLException {
        URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
        Properties props = new Properties();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            props.setProperty("user", URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
            if (parts.length > 1) {
                props.setProperty("password", URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
            }
        }
        String jdbc =
                "jdbc:postgresql://"
                        + uri.getHost()
                        + ":"
                        + (uri.getPort() < 0 ? 5432 : uri.getPort())
                        + uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return DriverManager.getConnection(jdbc, props);
    }

    private static String get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private static String post(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static String send(HttpRequest.Builder request)
            throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(
                        request.timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + r.statusCode() + " from " + r.uri() + ": " + r.body());
        }
        return r.body();
    }

    private static void fail(String message) {
        System.err.println("E2E FAILED: " + message);
        System.exit(1);
    }
}
