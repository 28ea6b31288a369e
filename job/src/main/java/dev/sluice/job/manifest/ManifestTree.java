package dev.sluice.job.manifest;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Turns the value a manifest file evaluates to (maps, lists, strings, numbers) into a {@link
 * DatasetManifest}, checking its shape; every complaint names the file, the line of the offending
 * key and what was expected there. JSON and JavaScript manifests share it.
 */
final class ManifestTree {

    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Set<String> TOP_KEYS =
            Set.of("name", "version", "network", "dependencies", "tables", "functions");
    private static final String SHAPE =
            "export default defineDataset(() => ({ name, version, network, dependencies: { alias:"
                    + " { owner, name, version } }, tables: { t: { sql } }, functions: {} }))";

    /** What a JavaScript function value becomes, so that messages can call it a function. */
    static final Object FUNCTION = new Object();

    private final Path file;
    private final ToIntFunction<List<String>> lines;

    /** {@code lines}: the 1-based line of the value at a key path, 0 if unknown. */
    ManifestTree(Path file, ToIntFunction<List<String>> lines) {
        this.file = file;
        this.lines = lines;
    }

    DatasetManifest toManifest(Object root) throws ManifestException {
        if (!(root instanceof Map)) {
            throw error(
                    List.of(),
                    "expected the dataset definition, an object of the form "
                            + SHAPE
                            + ", found "
                            + describe(root));
        }
        Map<?, ?> top = (Map<?, ?>) root;
        for (Object key : top.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(key))) {
                throw error(
                        List.of(String.valueOf(key)),
                        "unknown key '"
                                + key
                                + "'; expected one of "
                                + new java.util.TreeSet<>(TOP_KEYS));
            }
        }
        String name = optionalString(top, List.of("name"));
        String version = optionalString(top, List.of("version"));
        String network = optionalString(top, List.of("network"));
        Map<String, ManifestDependency> dependencies = dependencies(top.get("dependencies"));
        Map<String, String> tables = tables(top.get("tables"));
        Object functions = top.get("functions");
        if (functions != null && !(functions instanceof Map)) {
            throw error(List.of("functions"), "expected an object, found " + describe(functions));
        }
        if (functions != null && !((Map<?, ?>) functions).isEmpty()) {
            throw error(
                    List.of("functions"),
                    "user-defined functions "
                            + ((Map<?, ?>) functions).keySet()
                            + " are not supported by Sluice: they run inside the Amp server, so"
                            + " register them there and leave functions empty");
        }
        return new DatasetManifest(file, name, version, network, dependencies, tables);
    }

    private Map<String, ManifestDependency> dependencies(Object value) throws ManifestException {
        Map<String, ManifestDependency> deps = new LinkedHashMap<>();
        if (value == null) {
            return deps;
        }
        List<String> at = List.of("dependencies");
        if (!(value instanceof Map)) {
            throw error(
                    at,
                    "expected an object of alias: { owner, name, version }, found "
                            + describe(value));
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            String alias = String.valueOf(e.getKey());
            List<String> path = List.of("dependencies", alias);
            if (!TABLE_NAME.matcher(alias).matches()) {
                throw error(
                        path,
                        "dependency alias '"
                                + alias
                                + "' must match [a-z_][a-z0-9_]* to be usable"
                                + " in SQL");
            }
            if (!(e.getValue() instanceof Map)) {
                throw error(
                        path,
                        "expected { owner, name, version } (e.g. { owner: \"graphprotocol\", name:"
                                + " \"anvil\", version: \"0.1.0\" }), found "
                                + describe(e.getValue()));
            }
            Map<?, ?> dep = (Map<?, ?>) e.getValue();
            for (Object key : dep.keySet()) {
                if (!Set.of("owner", "name", "version").contains(String.valueOf(key))) {
                    throw error(
                            append(path, String.valueOf(key)),
                            "unknown key '" + key + "'; expected owner, name and version");
                }
            }
            String owner = requiredString(dep, append(path, "owner"));
            String name = requiredString(dep, append(path, "name"));
            String version = requiredString(dep, append(path, "version"));
            try {
                deps.put(
                        alias,
                        new ManifestDependency(alias, DatasetReference.of(owner, name, version)));
            } catch (IllegalArgumentException ex) {
                throw error(path, ex.getMessage());
            }
        }
        return deps;
    }

    private Map<String, String> tables(Object value) throws ManifestException {
        List<String> at = List.of("tables");
        if (value == null) {
            throw error(at, "no tables: expected tables: { name: { sql: \"SELECT …\" } }");
        }
        if (!(value instanceof Map)) {
            throw error(at, "expected an object of name: { sql }, found " + describe(value));
        }
        Map<String, String> tables = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            String table = String.valueOf(e.getKey());
            List<String> path = List.of("tables", table);
            if (!TABLE_NAME.matcher(table).matches()) {
                throw error(
                        path,
                        "table name '"
                                + table
                                + "' must match [a-z_][a-z0-9_]* (it names the"
                                + " PostgreSQL table)");
            }
            if (!(e.getValue() instanceof Map)) {
                throw error(
                        path, "expected { sql: \"SELECT …\" }, found " + describe(e.getValue()));
            }
            Map<?, ?> t = (Map<?, ?>) e.getValue();
            for (Object key : t.keySet()) {
                if (!"sql".equals(key)) {
                    throw error(
                            append(path, String.valueOf(key)),
                            "unknown key '" + key + "'; expected sql");
                }
            }
            String sql = requiredString(t, append(path, "sql"));
            if (sql.isBlank()) {
                throw error(append(path, "sql"), "the SQL is empty; expected a SELECT query");
            }
            tables.put(table, sql);
        }
        if (tables.isEmpty()) {
            throw error(at, "no tables: expected tables: { name: { sql: \"SELECT …\" } }");
        }
        return tables;
    }

    private String optionalString(Map<?, ?> map, List<String> path) throws ManifestException {
        Object v = map.get(path.get(path.size() - 1));
        if (v == null) {
            return null;
        }
        if (!(v instanceof String)) {
            throw error(path, "expected a string, found " + describe(v));
        }
        return (String) v;
    }

    private String requiredString(Map<?, ?> map, List<String> path) throws ManifestException {
        String v = optionalString(map, path);
        if (v == null) {
            throw error(path, "missing; expected a string");
        }
        return v;
    }

    ManifestException error(List<String> path, String what) {
        int line = lines.applyAsInt(path);
        return new ManifestException(
                file
                        + (line > 0 ? ":" + line : "")
                        + ": "
                        + (path.isEmpty() ? "" : String.join(".", path) + ": ")
                        + what);
    }

    private static List<String> append(List<String> path, String key) {
        List<String> p = new ArrayList<>(path);
        p.add(key);
        return p;
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing (null or undefined)";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v == FUNCTION) {
            return "a function";
        }
        return v.getClass().getSimpleName();
    }
}
