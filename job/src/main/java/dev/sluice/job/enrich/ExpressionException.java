package dev.sluice.job.enrich;

/** An expression does not compile or does not evaluate; the message says where and why. */
public final class ExpressionException extends Exception {

    private static final long serialVersionUID = 1L;

    public ExpressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
