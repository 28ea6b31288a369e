package dev.sluice.sources.amp;

/** An Amp stream cannot go on: the server refused it, or stayed away past the reconnect budget. */
public class AmpSourceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AmpSourceException(String message) {
        super(message);
    }

    public AmpSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
