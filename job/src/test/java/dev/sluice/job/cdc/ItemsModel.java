package dev.sluice.job.cdc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The source table {@code items (id int PRIMARY KEY, qty bigint, note text)} as a test drives it,
 * and what each merge strategy must make of its full change history: the live rows (upsert,
 * delete_insert), the multiset of signed rows (collapse), and the ordered change log per key
 * (append). Expected states come from the changes the test made, never from the target.
 */
final class ItemsModel {

    private static final String SCORE = "to_jsonb(t) ->> 'score'";

    static final String DDL =
            "CREATE TABLE items (id int PRIMARY KEY, qty bigint NOT NULL, note text)";

    private final Map<Integer, String> live = new TreeMap<>();
    private final List<String> signed = new ArrayList<>();
    private final Map<Integer, List<String>> log = new TreeMap<>();

    /** A row that exists before the pipelines start (it arrives as a snapshot row). */
    void initial(int id, long qty, String note) {
        String row = id + "|" + qty + "|" + note + "|null";
        live.put(id, row);
        signed.add(row + "|1");
        log.computeIfAbsent(id, k -> new ArrayList<>()).add(row + "|r");
    }

    /** {@code INSERT … ON CONFLICT (id) DO UPDATE}: an insert or an update event. */
    void upsert(int id, long qty, String note) {
        upsert(id, qty, note, null);
    }

    /** The same once the source has the column {@code score} (added later, null before). */
    void upsert(int id, long qty, String note, Integer score) {
        String row = id + "|" + qty + "|" + note + "|" + score;
        String old = live.put(id, row);
        if (old != null) {
            signed.add(old + "|-1");
        }
        signed.add(row + "|1");
        log.computeIfAbsent(id, k -> new ArrayList<>()).add(row + (old == null ? "|c" : "|u"));
    }

    /** {@code DELETE … WHERE id = ?}: an event only if the row exists. */
    void delete(int id) {
        String old = live.remove(id);
        if (old != null) {
            signed.add(old + "|-1");
            log.get(id).add(old + "|d"); // a delete row carries the last known version
        }
    }

    boolean exists(int id) {
        return live.containsKey(id);
    }

    /** What {@code strategy} must have put in the target, in the form {@link #actual} reads. */
    List<String> expected(String strategy) {
        switch (strategy) {
            case "upsert":
            case "delete_insert":
                return new ArrayList<>(live.values());
            case "collapse":
                List<String> out = new ArrayList<>(signed);
                Collections.sort(out);
                return out;
            case "append":
                List<String> changes = new ArrayList<>();
                log.values().forEach(changes::addAll);
                return changes;
            default:
                throw new IllegalArgumentException(strategy);
        }
    }

    /**
     * The target table of {@code strategy} read back: every row, nothing merged away. The column
     * {@code score} reads as null while the target does not have it.
     */
    static List<String> actual(Connection c, String strategy, String table) throws SQLException {
        String sql;
        switch (strategy) {
            case "upsert":
            case "delete_insert":
                sql = "SELECT id, qty, note, " + SCORE + " FROM " + table + " t ORDER BY id";
                break;
            case "collapse":
                sql = "SELECT id, qty, note, " + SCORE + ", _sign FROM " + table + " t";
                break;
            case "append":
                sql =
                        "SELECT id, qty, note, "
                                + SCORE
                                + ", _op FROM "
                                + table
                                + " t ORDER BY id, _lsn";
                break;
            default:
                throw new IllegalArgumentException(strategy);
        }
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return List.of("missing table " + table);
            }
            throw e;
        }
        if (strategy.equals("collapse")) {
            Collections.sort(out);
        }
        return out;
    }

    /** A short description of how {@code have} differs from {@code want} ("" if equal). */
    static String diff(List<String> want, List<String> have) {
        if (want.equals(have)) {
            return "";
        }
        Map<String, Integer> count = new TreeMap<>();
        want.forEach(r -> count.merge(r, 1, Integer::sum));
        have.forEach(r -> count.merge(r, -1, Integer::sum));
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        count.forEach(
                (r, n) -> {
                    for (int i = 0; i < Math.abs(n); i++) {
                        (n > 0 ? missing : extra).add(r);
                    }
                });
        if (missing.isEmpty() && extra.isEmpty()) {
            int i = 0;
            while (want.get(i).equals(have.get(i))) {
                i++;
            }
            return "same rows, order differs at "
                    + i
                    + ": want "
                    + want.get(i)
                    + ", have "
                    + have.get(i);
        }
        return want.size()
                + " rows expected, "
                + have.size()
                + " present; missing "
                + missing.size()
                + " "
                + missing.subList(0, Math.min(10, missing.size()))
                + ", extra "
                + extra.size()
                + " "
                + extra.subList(0, Math.min(10, extra.size()));
    }
}
