package dev.sluice.job.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which manifest tables a state directory has synced, with which SQL and under which generation. A
 * table whose SQL changes (or that comes back after removal) gets the next generation, and so a new
 * stream id ({@code <table>#<generation>}): the restored job drops the old stream's progress and
 * the new one starts from the first block into a rebuilt table. Saved next to the checkpoints
 * ({@code manifest-tables.json}), written atomically.
 */
public final class ManifestRegistry {

    static final String FILE = "manifest-tables.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One table's entry; {@code active} is false once the manifest no longer has it. */
    public static final class Entry {
        final String sql;
        final int generation;
        final boolean active;

        Entry(String sql, int generation, boolean active) {
            this.sql = sql;
            this.generation = generation;
            this.active = active;
        }

        public String sql() {
            return sql;
        }

        public int generation() {
            return generation;
        }

        public boolean active() {
            return active;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry
                    && ((Entry) o).sql.equals(sql)
                    && ((Entry) o).generation == generation
                    && ((Entry) o).active == active;
        }

        @Override
        public int hashCode() {
            return Objects.hash(sql, generation, active);
        }

        @Override
        public String toString() {
            return "#" + generation + (active ? "" : " (removed)") + ": " + sql;
        }
    }

    private final Map<String, Entry> entries;

    ManifestRegistry(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static ManifestRegistry empty() {
        return new ManifestRegistry(Map.of());
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** The stream id of a table's generation. */
    public static String streamId(String table, int generation) {
        return table + "#" + generation;
    }

    public static ManifestRegistry load(Path stateDir) throws ManifestException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return empty();
        }
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            Map<String, Entry> entries = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.path("tables").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                entries.put(
                        e.getKey(),
                        new Entry(
                                e.getValue().path("sql").asText(),
                                e.getValue().path("generation").asInt(),
                                e.getValue().path("active").asBoolean(true)));
            }
            return new ManifestRegistry(entries);
        } catch (IOException e) {
            throw new ManifestException(
                    "Cannot read "
                            + file
                            + " (which tables this state directory syncs): "
                            + e.getMessage()
                            + ". Restore it or start with an empty --state-dir.",
                    e);
        }
    }

    public void save(Path stateDir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        ObjectNode tables = root.putObject("tables");
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            ObjectNode t = tables.putObject(e.getKey());
            t.put("sql", e.getValue().sql);
            t.put("generation", e.getValue().generation);
            t.put("active", e.getValue().active);
        }
        Files.createDirectories(stateDir);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.writeString(
                tmp,
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root),
                StandardCharsets.UTF_8);
        Files.move(
                tmp,
                stateDir.resolve(FILE),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestRegistry && ((ManifestRegistry) o).entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "ManifestRegistry" + entries;
    }
}
