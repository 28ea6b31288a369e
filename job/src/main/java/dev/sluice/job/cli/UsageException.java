package dev.sluice.job.cli;

/** Bad command-line input: printed as one line, exit code 2, before anything connects. */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
