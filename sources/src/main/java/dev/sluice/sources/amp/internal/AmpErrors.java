package dev.sluice.sources.amp.internal;

import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * How the source reacts to each gRPC status: the server's verdict on the request itself fails fast;
 * a lost connection or a server-side failure is retried within the reconnect budget.
 */
public final class AmpErrors {

    private AmpErrors() {}

    private static boolean causedByTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the request itself was refused, so retrying cannot help. */
    public static boolean isFatal(FlightRuntimeException e) {
        FlightStatusCode code = e.status().code();
        switch (code) {
            case UNAUTHENTICATED:
            case UNAUTHORIZED:
            case INVALID_ARGUMENT:
            case NOT_FOUND:
            case UNIMPLEMENTED:
            case ALREADY_EXISTS:
            case RESOURCE_EXHAUSTED:
                return true;
            default:
                return false;
        }
    }

    /** One sentence for the user: what the server said and what to check. */
    public static String describe(String stream, String endpoint, FlightRuntimeException e) {
        String said = e.status().description();
        if (said == null || said.isBlank()) {
            said = e.getMessage();
        }
        // gRPC appends its channel pipeline on further lines; one line is enough for people.
        said = said == null ? "" : said.lines().findFirst().orElse("");
        return "Amp stream '"
                + stream
                + "' at "
                + endpoint
                + " failed with "
                + e.status().code()
                + ": "
                + said
                + " ("
                + (causedByTls(e) ? TLS_HINT : hint(e.status().code()))
                + ")";
    }

    private static final String TLS_HINT =
            "the TLS handshake failed: trust the server's CA with --amp-tls-ca"
                    + " (source.amp.tls.ca-file), or check the scheme (https:// vs http://)";

    private static String hint(FlightStatusCode code) {
        switch (code) {
            case UNAUTHENTICATED:
            case UNAUTHORIZED:
                return "check the auth token (--auth-token / AMP_AUTH_TOKEN)";
            case INVALID_ARGUMENT:
                return "the server rejected the query; fix the SQL or the dataset reference";
            case NOT_FOUND:
                return "check the dataset reference and table names";
            case RESOURCE_EXHAUSTED:
                return "a message exceeded the limit; raise --grpc-max-decode-mb";
            case UNAVAILABLE:
                return "is the Amp server running and reachable at that address"
                        + " (--amp-flight-addr)?";
            default:
                return "see the server's log";
        }
    }
}
