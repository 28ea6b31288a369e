package dev.sluice.job.cdc;

/** A pipeline cannot start: a database is unreachable, refuses us, or a table does not fit. */
public final class PipelineSetupException extends Exception {

    private static final long serialVersionUID = 1L;

    PipelineSetupException(String message) {
        super(message);
    }

    PipelineSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
