package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.protocol.AmpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightMethod;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/**
 * Per call: checks the bearer token (like Amp's gateway, before anything else), answers
 * UNIMPLEMENTED for every RPC but GetFlightInfo and DoGet (Handshake included), and keeps the Amp
 * request headers for the producer.
 */
final class AmpCallMiddleware implements FlightServerMiddleware {

    static final Key<AmpCallMiddleware> KEY = Key.of("sluice-amp-dev-server");

    final String stream;
    final String resume;

    private AmpCallMiddleware(String stream, String resume) {
        this.stream = stream;
        this.resume = resume;
    }

    @Override
    public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

    @Override
    public void onCallCompleted(CallStatus status) {}

    @Override
    public void onCallErrored(Throwable err) {}

    /** Creates the middleware; {@code token} null means no authentication. */
    static final class Factory implements FlightServerMiddleware.Factory<AmpCallMiddleware> {

        private final byte[] expected;

        Factory(String token) {
            this.expected =
                    token == null ? null : ("bearer " + token).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public AmpCallMiddleware onCallStarted(
                CallInfo info, CallHeaders headers, RequestContext context) {
            if (expected != null) {
                String auth = headers.get(AmpHeaders.AUTHORIZATION);
                if (auth == null) {
                    throw CallStatus.UNAUTHENTICATED
                            .withDescription("Missing authorization: send 'Bearer <token>'")
                            .toRuntimeException();
                }
                if (!matches(auth)) {
                    throw CallStatus.UNAUTHENTICATED
                            .withDescription("Invalid bearer token")
                            .toRuntimeException();
                }
            }
            FlightMethod method = info.method();
            if (method != FlightMethod.GET_FLIGHT_INFO && method != FlightMethod.DO_GET) {
                throw CallStatus.UNIMPLEMENTED
                        .withDescription(
                                method
                                        + " is not implemented: Amp serves GetFlightInfo and"
                                        + " DoGet only")
                        .toRuntimeException();
            }
            return new AmpCallMiddleware(
                    headers.get(AmpHeaders.STREAM), headers.get(AmpHeaders.RESUME));
        }

        private boolean matches(String auth) {
            String trimmed = auth.trim();
            if (trimmed.length() < 7) {
                return false;
            }
            byte[] given =
                    (trimmed.substring(0, 7).toLowerCase(java.util.Locale.ROOT)
                                    + trimmed.substring(7))
                            .getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(given, expected);
        }
    }
}
