package dev.sluice.sources.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publication a CDC pipeline owns: created (or reset with {@code ALTER PUBLICATION … SET
 * TABLE}) to publish exactly the configured tables, never {@code FOR ALL TABLES}. Sluice marks its
 * publications with a comment and refuses to touch one it does not own. Row filters go into the
 * publication on PostgreSQL 15+ when the filter columns are covered by the table's replica identity
 * (otherwise the server would reject UPDATE and DELETE on the source table); they are always
 * applied in the job as well, since the initial snapshot does not read through the publication.
 */
public final class Publications {

    private static final Logger LOG = LoggerFactory.getLogger(Publications.class);

    /** Comment that marks a publication as Sluice's. */
    static final String OWNER_PREFIX = "sluice pipeline ";

    private Publications() {}

    /**
     * Creates or updates publication {@code name} for {@code pipeline}. Returns the tables whose
     * row filter went into the publication.
     *
     * @throws SQLException with SQLSTATE 42710 when a publication of that name exists but is not
     *     Sluice's (or belongs to another pipeline)
     */
    public static List<String> ensure(
            Connection c, String name, String pipeline, List<PublishedTable> tables)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            boolean rowFilters = c.getMetaData().getDatabaseMajorVersion() >= 15;
            List<String> pushed = new ArrayList<>();
            StringBuilder list = new StringBuilder();
            for (PublishedTable t : tables) {
                list.append(list.length() == 0 ? "" : ", ").append(t.quoted());
                if (t.rowFilter() != null) {
                    if (rowFilters && identityCovers(c, t)) {
                        list.append(" WHERE (").append(t.rowFilter()).append(')');
                        pushed.add(t.quoted());
                    } else {
                        LOG.info(
                                "Row filter of {} stays in the job: {}",
                                t.quoted(),
                                rowFilters
                                        ? "its columns are not all in the table's replica"
                                                + " identity (REPLICA IDENTITY FULL would allow"
                                                + " it)"
                                        : "PostgreSQL before 15 has no publication row filters");
                    }
                }
            }
            String owner = ownerComment(c, name);
            try (Statement s = c.createStatement()) {
                if (owner == null) {
                    s.execute(
                            "CREATE PUBLICATION "
                                    + PublishedTable.quote(name)
                                    + " FOR TABLE "
                                    + list);
                    s.execute(
                            "COMMENT ON PUBLICATION "
                                    + PublishedTable.quote(name)
                                    + " IS '"
                                    + (OWNER_PREFIX + pipeline).replace("'", "''")
                                    + "'");
                    LOG.info("Created publication {} for {}", name, list);
                } else if (owner.equals(OWNER_PREFIX + pipeline)) {
                    s.execute(
                            "ALTER PUBLICATION "
                                    + PublishedTable.quote(name)
                                    + " SET TABLE "
                                    + list);
                    LOG.info("Publication {} now publishes {}", name, list);
                } else {
                    throw new SQLException(
                            "Publication "
                                    + name
                                    + " exists but is not owned by Sluice pipeline "
                                    + pipeline
                                    + " (its comment is '"
                                    + owner
                                    + "'): set another publication name or drop it",
                            "42710");
                }
            }
            return pushed;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Drops the publication if it exists (for cleanup of a removed pipeline and tests). */
    public static void drop(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP PUBLICATION IF EXISTS " + PublishedTable.quote(name));
        }
    }

    /** The comment of publication {@code name} ("" without one), or null if it does not exist. */
    private static String ownerComment(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT coalesce(obj_description(oid, 'pg_publication'), '') FROM"
                                + " pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Whether UPDATE/DELETE would still work with the filter: its columns are in the identity. */
    static boolean identityCovers(Connection c, PublishedTable t) throws SQLException {
        String identity;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT relreplident FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, t.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException(
                            "Source table " + t.quoted() + " does not exist", "42P01");
                }
                identity = rs.getString(1);
            }
        }
        if ("f".equals(identity)) {
            return true;
        }
        if ("n".equals(identity)) {
            return false;
        }
        String indexSql =
                "d".equals(identity)
                        ? "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid ="
                                + " i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid ="
                                + " to_regclass(?) AND i.indisprimary"
                        : "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid ="
                                + " i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid ="
                                + " to_regclass(?) AND i.indisreplident";
        Set<String> covered = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(indexSql)) {
            ps.setString(1, t.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    covered.add(rs.getString(1));
                }
            }
        }
        return covered.containsAll(t.filterColumns());
    }
}
