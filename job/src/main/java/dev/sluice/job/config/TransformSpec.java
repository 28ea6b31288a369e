package dev.sluice.job.config;

import java.io.Serializable;

/**
 * The SQL of a pipeline's transform: {@code transform.sql} for every change, then {@code
 * insert.sql}/{@code update.sql}/{@code delete.sql} for their operation; each a query whose result
 * row replaces the row (no row: the change is skipped). {@code :new.col}, {@code :old.col}, {@code
 * :transformed.col} and {@code :operation} are bound parameters, never pasted into the text.
 */
public final class TransformSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    public final String transformSql;
    public final String insertSql;
    public final String updateSql;
    public final String deleteSql;

    /** Where the queries run (default: the source datastore). */
    public final Datastore datastore;

    public TransformSpec(
            String transformSql,
            String insertSql,
            String updateSql,
            String deleteSql,
            Datastore datastore) {
        this.transformSql = transformSql;
        this.insertSql = insertSql;
        this.updateSql = updateSql;
        this.deleteSql = deleteSql;
        this.datastore = datastore;
    }

    public boolean isEmpty() {
        return transformSql == null && insertSql == null && updateSql == null && deleteSql == null;
    }
}
