package dev.sluice.sources.amp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The {@code app_metadata} of an Amp record batch: the block ranges the batch covers and whether
 * they are complete (the zero-row "watermark" batch that ends a microbatch). Written in Amp's exact
 * form, keys in alphabetical order.
 */
public final class BatchMetadata {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BatchMetadata EMPTY = new BatchMetadata(List.of(), false);

    private final List<BlockRange> ranges;
    private final boolean rangesComplete;

    public BatchMetadata(List<BlockRange> ranges, boolean rangesComplete) {
        this.ranges = Collections.unmodifiableList(new ArrayList<>(ranges));
        this.rangesComplete = rangesComplete;
    }

    public List<BlockRange> ranges() {
        return ranges;
    }

    public boolean rangesComplete() {
        return rangesComplete;
    }

    /** Parses app_metadata; empty or absent metadata reads as no ranges, not complete. */
    public static BatchMetadata parse(byte[] appMetadata) {
        if (appMetadata == null || appMetadata.length == 0) {
            return EMPTY;
        }
        JsonNode root;
        try {
            root = JSON.readTree(appMetadata);
        } catch (IOException e) {
            throw new AmpProtocolException(
                    "Batch app_metadata is not JSON: "
                            + abbreviate(new String(appMetadata, StandardCharsets.UTF_8)),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new AmpProtocolException(
                    "Batch app_metadata is not a JSON object: "
                            + abbreviate(new String(appMetadata, StandardCharsets.UTF_8)));
        }
        List<BlockRange> ranges = new ArrayList<>();
        JsonNode rangesNode = root.path("ranges");
        if (!rangesNode.isMissingNode() && !rangesNode.isNull()) {
            if (!rangesNode.isArray()) {
                throw new AmpProtocolException("Batch app_metadata 'ranges' is not an array");
            }
            for (JsonNode r : rangesNode) {
                ranges.add(parseRange(r));
            }
        }
        return new BatchMetadata(ranges, root.path("ranges_complete").asBoolean(false));
    }

    private static BlockRange parseRange(JsonNode r) {
        JsonNode numbers = r.path("numbers");
        if (!r.path("network").isTextual()
                || !numbers.path("start").canConvertToLong()
                || !numbers.path("end").canConvertToLong()
                || !r.path("hash").isTextual()) {
            throw new AmpProtocolException(
                    "Block range needs network, numbers.start, numbers.end and hash: " + r);
        }
        String prevHash = r.path("prev_hash").isTextual() ? r.path("prev_hash").asText() : null;
        Long timestamp =
                r.path("timestamp").canConvertToLong() ? r.path("timestamp").asLong() : null;
        return new BlockRange(
                r.path("network").asText(),
                numbers.path("start").asLong(),
                numbers.path("end").asLong(),
                r.path("hash").asText(),
                prevHash,
                timestamp);
    }

    /** Amp's JSON form: keys alphabetical, no whitespace. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(64 + 200 * ranges.size()).append("{\"ranges\":[");
        for (int i = 0; i < ranges.size(); i++) {
            BlockRange r = ranges.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"hash\":\"").append(r.hash()).append("\",\"network\":");
            Json.appendString(sb, r.network());
            sb.append(",\"numbers\":{\"end\":")
                    .append(r.end())
                    .append(",\"start\":")
                    .append(r.start())
                    .append('}');
            if (r.prevHash() != null) {
                sb.append(",\"prev_hash\":\"").append(r.prevHash()).append('"');
            }
            if (r.timestamp() != null) {
                sb.append(",\"timestamp\":").append(r.timestamp());
            }
            sb.append('}');
        }
        return sb.append("],\"ranges_complete\":").append(rangesComplete).append('}').toString();
    }

    public byte[] toBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchMetadata
                && ((BatchMetadata) o).rangesComplete == rangesComplete
                && ((BatchMetadata) o).ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ranges, rangesComplete);
    }

    @Override
    public String toString() {
        return (rangesComplete ? "complete" : "data") + ranges;
    }
}
