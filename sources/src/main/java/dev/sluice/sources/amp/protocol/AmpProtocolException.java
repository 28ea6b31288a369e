package dev.sluice.sources.amp.protocol;

/** The Amp server broke the wire contract (bad metadata, an invalid range sequence, …). */
public class AmpProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AmpProtocolException(String message) {
        super(message);
    }

    public AmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
