package dev.sluice.job.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.flink.util.TimeUtils;

/** Value parsers for {@link CliOption}s; each failure says what is allowed. */
public final class Parsers {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Parsers() {}

    public static Function<String, Integer> intBetween(int min, int max) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "must be a whole number from " + min + " to " + max);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be from " + min + " to " + max);
            }
            return v;
        };
    }

    public static Function<String, Integer> intAtLeast(int min) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number of at least " + min);
            }
            if (v < min) {
                throw new IllegalArgumentException("must be at least " + min);
            }
            return v;
        };
    }

    public static Function<String, Duration> durationAtLeast(Duration min) {
        return s -> {
            Duration d;
            try {
                d = TimeUtils.parseDuration(s);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("must be a duration such as 500ms, 1s or 2min");
            }
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "must be at least " + TimeUtils.formatWithHighestUnit(min));
            }
            return d;
        };
    }

    public static <E extends Enum<E>> Function<String, E> oneOf(Class<E> type) {
        return s -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(s.replace('-', '_'))) {
                    return e;
                }
            }
            List<String> allowed = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        };
    }

    public static String identifier(String s) {
        if (!IDENTIFIER.matcher(s).matches()) {
            throw new IllegalArgumentException(
                    "must be a name of letters, digits and _ that does not start with a digit");
        }
        return s;
    }

    /** A comma-separated list of identifiers, at least one. */
    public static List<String> identifierList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!IDENTIFIER.matcher(p).matches()) {
                throw new IllegalArgumentException(
                        "'" + p + "' is not a table name (letters, digits and _, comma-separated)");
            }
            out.add(p);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must name at least one table, e.g. blocks,logs");
        }
        return out;
    }

    public static java.nio.file.Path readableFile(String s) {
        java.nio.file.Path p = java.nio.file.Path.of(s);
        if (!java.nio.file.Files.isRegularFile(p) || !java.nio.file.Files.isReadable(p)) {
            throw new IllegalArgumentException("no readable file at that path");
        }
        return p;
    }

    /** An Amp Flight address: http(s)://host:port or grpc(+tls)://host:port. */
    public static String ampAddress(String s) {
        if (!s.matches("(?i)(https?|grpc|grpc\\+tcp|grpc\\+tls)://[^/:]+(:\\d+)?/?")) {
            throw new IllegalArgumentException(
                    "must be http://host:port (plain) or https://host:port (TLS), e.g."
                            + " http://localhost:1602");
        }
        return s;
    }

    /** {@code table=col[;col…]}: a table and the columns it is merged by. */
    public static java.util.Map.Entry<String, List<String>> tableKey(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0 || eq == s.length() - 1) {
            throw new IllegalArgumentException("must look like table=column or table=col1;col2");
        }
        String table = identifier(s.substring(0, eq).trim());
        List<String> columns = new ArrayList<>();
        for (String c : s.substring(eq + 1).split(";")) {
            if (!c.isBlank()) {
                columns.add(identifier(c.trim()));
            }
        }
        return java.util.Map.entry(table, List.copyOf(columns));
    }
}
