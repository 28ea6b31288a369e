package dev.sluice.job.manifest;

/**
 * A dataset manifest cannot be used: it is malformed (the message names the file, the line and what
 * was expected), a table's SQL is rejected (the message names the table and the clause), or the Amp
 * server refuses a query.
 */
public final class ManifestException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean setup;

    public ManifestException(String message) {
        this(message, null, false);
    }

    public ManifestException(String message, Throwable cause) {
        this(message, cause, false);
    }

    ManifestException(String message, Throwable cause, boolean setup) {
        super(message, cause);
        this.setup = setup;
    }

    /** A server refused or could not be reached (exit 1), rather than bad input (exit 2). */
    static ManifestException setup(String message, Throwable cause) {
        return new ManifestException(message, cause, true);
    }

    public boolean isSetup() {
        return setup;
    }
}
