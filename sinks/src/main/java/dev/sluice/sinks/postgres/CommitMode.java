package dev.sluice.sinks.postgres;

/** How the sink makes a checkpoint's writes durable and visible exactly once. */
public enum CommitMode {
    /** {@link #PREPARED} when the server allows prepared transactions, else {@link #WAL}. */
    AUTO,
    /**
     * Writers stream rows into an open transaction and {@code PREPARE} it at the checkpoint; the
     * committer runs {@code COMMIT PREPARED} once the checkpoint completes. Needs {@code
     * max_prepared_transactions > 0}.
     */
    PREPARED,
    /**
     * Write-ahead: the checkpoint's records are kept in Flink state and applied, together with the
     * marker row, in one transaction when the checkpoint completes. Works on any server; costs
     * state size and applies data only at commit time.
     */
    WAL
}
