package dev.sluice.job.enrich;

/** A lookup cannot work as configured; the message names the lookup and what to change. */
public final class LookupSetupException extends Exception {

    private static final long serialVersionUID = 1L;

    public LookupSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
