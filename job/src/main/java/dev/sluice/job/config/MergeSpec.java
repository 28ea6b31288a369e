package dev.sluice.job.config;

import java.io.Serializable;

/** How changes are merged into the target table ({@code merge_strategy}). */
public final class MergeSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The merge strategies. */
    public enum Strategy {
        /** INSERT … ON CONFLICT (unique_key) DO UPDATE; deletes by key if allowed. */
        UPSERT,
        /** Delete the rows with the key, then insert the new version. */
        DELETE_INSERT,
        /** Append only: a cancelling row (sign −1) before each new version (sign +1). */
        COLLAPSE,
        /** Append only: one row per change, with its operation and LSN. */
        APPEND;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public final Strategy strategy;
    public final boolean allowDelete;
    public final String signColumn;

    public MergeSpec(Strategy strategy, boolean allowDelete, String signColumn) {
        this.strategy = strategy;
        this.allowDelete = allowDelete;
        this.signColumn = signColumn;
    }

    @Override
    public String toString() {
        return strategy.key() + (allowDelete ? "" : " (deletes ignored)");
    }
}
