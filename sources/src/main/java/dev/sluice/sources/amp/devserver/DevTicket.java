package dev.sluice.sources.amp.devserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Ticket;

/**
 * The opaque ticket GetFlightInfo hands out: the SQL plus what the request headers said ({@code
 * amp-stream}, {@code amp-resume}), because Amp reads headers on GetFlightInfo only.
 */
final class DevTicket {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String sql;
    final Boolean stream;
    final String resume;

    DevTicket(String sql, Boolean stream, String resume) {
        this.sql = sql;
        this.stream = stream;
        this.resume = resume;
    }

    Ticket toTicket() {
        ObjectNode node = JSON.createObjectNode();
        node.put("v", 1);
        node.put("sql", sql);
        if (stream != null) {
            node.put("stream", stream);
        }
        if (resume != null) {
            node.put("resume", resume);
        }
        try {
            return new Ticket(JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot encode a ticket", e);
        }
    }

    static DevTicket parse(Ticket ticket) {
        try {
            JsonNode node = JSON.readTree(ticket.getBytes());
            if (node == null || node.path("v").asInt() != 1 || !node.path("sql").isTextual()) {
                throw new IOException("not a dev server ticket");
            }
            Boolean stream = node.has("stream") ? node.get("stream").asBoolean() : null;
            String resume = node.has("resume") ? node.get("resume").asText() : null;
            return new DevTicket(node.get("sql").asText(), stream, resume);
        } catch (IOException e) {
            throw CallStatus.INVALID_ARGUMENT
                    .withDescription(
                            "Unknown ticket: redeem the ticket GetFlightInfo returned, on this"
                                    + " server")
                    .toRuntimeException();
        }
    }
}
