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
        String hint;
        if (causedByTls(e)) {
            hint =
                    "the TLS handshake failed: trust the server's CA with --amp-tls-ca"
                        + " (source.amp.tls.ca-file), or check the scheme (https:// vs http://)";
            return "Amp stream '"
                    + stream
                    + "' at "
                    + endpoint
                    + " failed with "
                    + e.status().code()
                    + ": "
                    + said
                    + " ("
                    + hint
                    + ")";
        }
        switch (e.status().code()) {
            case UNAUTHENTICATED:
            case UNAUTHORIZED:
                hint = "check the auth token (--auth-token / AMP_AUTH_TOKEN)";
                break;
            case INVALID_ARGUMENT:
                hint = "the server rejected the query; fix the SQL or the dataset reference";
                break;
            case NOT_FOUND:
                hint = "check the dataset reference and table names";
                break;
            case RESOURCE_EXHAUSTED:
                hint = "a message exceeded the limit; raise --grpc-max-decode-mb";
                break;
            case UNAVAILABLE:
                hint =
                        "is the Amp server running and reachable at that address"
                                + " (--amp-flight-addr)?";
                break;
            default:
                hint = "see the server's log";
        }
        return "Amp stream '"
                + stream
                + "' at "
                + endpoint
                + " failed with "
                + e.status().code()
                + ": "
                + said
                + " ("
                + hint
                + ")";
    }
}
