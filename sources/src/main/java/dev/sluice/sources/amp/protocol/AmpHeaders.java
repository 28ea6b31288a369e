package dev.sluice.sources.amp.protocol;

/** Request header names of the Amp Flight protocol. */
public final class AmpHeaders {

    /** {@code true|1|false|0}: streaming on or off (otherwise the SQL's SETTINGS decide). */
    public static final String STREAM = "amp-stream";

    /** A {@link ResumeCursor}: continue after these blocks. */
    public static final String RESUME = "amp-resume";

    /** {@code Bearer <token>}. */
    public static final String AUTHORIZATION = "authorization";

    private AmpHeaders() {}
}
