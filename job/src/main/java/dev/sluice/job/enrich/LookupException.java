package dev.sluice.job.enrich;

/**
 * One attempt of a lookup failed; {@link #retriable} says whether another attempt may succeed (a
 * timeout, a lost connection, HTTP 429/5xx) or not (a rejected request, an answer that does not
 * parse, a template that does not render).
 */
final class LookupException extends Exception {

    private static final long serialVersionUID = 1L;

    final boolean retriable;

    LookupException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    static LookupException retriable(String message, Throwable cause) {
        return new LookupException(message, true, cause);
    }

    static LookupException permanent(String message, Throwable cause) {
        return new LookupException(message, false, cause);
    }
}
