package dev.sluice.job.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A mapping of the pipeline file with its key path, for reading keys with one-line errors. */
final class ConfigNode {

    final String file;
    final String path;
    final Map<String, Object> map;

    ConfigNode(String file, String path, Object value) {
        this.file = file;
        this.path = path;
        if (!(value instanceof Map)) {
            throw error("", "must be a mapping (key: value), got " + describe(value));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            m.put(String.valueOf(e.getKey()), e.getValue());
        }
        this.map = m;
    }

    ConfigException error(String key, String message) {
        return new ConfigException(file, child(key), message);
    }

    String child(String key) {
        return key.isEmpty() ? path : path.isEmpty() ? key : path + "." + key;
    }

    /** Fails on the first key not in {@code allowed}. */
    ConfigNode allowOnly(Set<String> allowed) {
        for (String key : map.keySet()) {
            if (!allowed.contains(key)) {
                throw error(
                        key,
                        "unknown key; allowed here: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return this;
    }

    boolean has(String key) {
        return map.get(key) != null;
    }

    String string(String key, String fallback) {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            throw error(key, "must be a single value, got " + describe(v));
        }
        String s = String.valueOf(v);
        if (s.isEmpty()) {
            throw error(key, "must not be empty");
        }
        return s;
    }

    String required(String key, String hint) {
        String s = string(key, null);
        if (s == null) {
            throw error(key, "is required" + (hint == null ? "" : " (" + hint + ")"));
        }
        return s;
    }

    int integer(String key, int fallback, int min, int max) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(s.trim());
            if (v < min || v > max) {
                throw error(key, "must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw error(key, "must be a whole number, got '" + s + "'");
        }
    }

    boolean bool(String key, boolean fallback) {
        String s = string(key, null);
        if (s == null) {
            return fallback;
        }
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                throw error(key, "must be true or false, got '" + s + "'");
        }
    }

    ConfigNode node(String key) {
        Object v = map.get(key);
        return v == null ? null : new ConfigNode(file, child(key), v);
    }

    List<Object> list(String key) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw error(key, "must be a list, got " + describe(v));
        }
        return new ArrayList<>((List<?>) v);
    }

    List<String> stringList(String key) {
        List<String> out = new ArrayList<>();
        Object v = map.get(key);
        if (v instanceof String) {
            for (String s : ((String) v).split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            return out;
        }
        for (Object o : list(key)) {
            if (o == null || o instanceof Map || o instanceof List) {
                throw error(key, "must be a list of names, got " + describe(o));
            }
            out.add(String.valueOf(o));
        }
        return out;
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "'" + v + "'";
    }
}
