package dev.sluice.sinks.postgres.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Transaction ids {@code <prefix>-<subtask>-<checkpoint>}: PREPARE takes a literal, so prefixes are
 * whitelisted, and ids parse back unambiguously (numbers are matched from the right).
 */
public final class Gids {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private Gids() {}

    public static boolean validPrefix(String prefix) {
        return prefix != null && PREFIX.matcher(prefix).matches();
    }

    public static String gid(String prefix, int subtask, long checkpointId) {
        return prefix + '-' + subtask + '-' + checkpointId;
    }

    /** {@code [subtask, checkpoint]} of a gid of {@code prefix}, or null for anyone else's. */
    public static long[] parse(String prefix, String gid) {
        if (!gid.startsWith(prefix + '-')) {
            return null;
        }
        Matcher m =
                Pattern.compile("(\\d{1,9})-(\\d{1,19})")
                        .matcher(gid.substring(prefix.length() + 1));
        if (!m.matches()) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** LIKE pattern selecting the gids of a prefix ('_' and '%' escaped). */
    public static String likePattern(String prefix) {
        return prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "-%";
    }
}
