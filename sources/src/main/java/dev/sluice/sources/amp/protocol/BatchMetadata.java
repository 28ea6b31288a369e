package dev.sluice.sources.amp.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

    private static final JsonFactory JSON = new JsonFactory();
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

    /**
     * Parses app_metadata; empty or absent metadata reads as no ranges, not complete. Read token by
     * token (no tree): it comes with every batch, and the tree's deserializer was one of the larger
     * things the JIT compiled while a job started streaming.
     */
    public static BatchMetadata parse(byte[] appMetadata) {
        if (appMetadata == null || appMetadata.length == 0) {
            return EMPTY;
        }
        try (JsonParser p = JSON.createParser(appMetadata)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new AmpProtocolException(
                        "Batch app_metadata is not a JSON object: " + text(appMetadata));
            }
            List<BlockRange> ranges = new ArrayList<>(1);
            boolean rangesComplete = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("ranges")) {
                    ranges.clear(); // a repeated key: the last one counts, as in a JSON tree
                    if (value == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw new AmpProtocolException(
                                "Batch app_metadata 'ranges' is not an array");
                    }
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        ranges.add(parseRange(p, appMetadata));
                    }
                } else if (name.equals("ranges_complete")) {
                    rangesComplete = value == JsonToken.VALUE_TRUE;
                    p.skipChildren(); // a value of the wrong shape is skipped whole
                } else {
                    p.skipChildren();
                }
            }
            return new BatchMetadata(ranges, rangesComplete);
        } catch (IOException e) {
            throw new AmpProtocolException(
                    "Batch app_metadata is not JSON: " + text(appMetadata), e);
        }
    }

    /** One range; the parser is at its first token and is left at its last. */
    private static BlockRange parseRange(JsonParser p, byte[] appMetadata) throws IOException {
        String network = null;
        String hash = null;
        String prevHash = null;
        Long timestamp = null;
        Long start = null;
        Long end = null;
        if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "network":
                        network = stringValue(p);
                        break;
                    case "hash":
                        hash = stringValue(p);
                        break;
                    case "prev_hash":
                        prevHash = stringValue(p);
                        break;
                    case "timestamp":
                        timestamp = longValue(p);
                        break;
                    case "numbers":
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String bound = p.currentName();
                            p.nextToken();
                            if (bound.equals("start")) {
                                start = longValue(p);
                            } else if (bound.equals("end")) {
                                end = longValue(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
        } else {
            p.skipChildren();
        }
        if (network == null || start == null || end == null || hash == null) {
            throw new AmpProtocolException(
                    "Block range needs network, numbers.start, numbers.end and hash: "
                            + text(appMetadata));
        }
        return new BlockRange(network, start, end, hash, prevHash, timestamp);
    }

    /** The current value as a string, or null (its children skipped) when it is not one. */
    private static String stringValue(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            p.skipChildren();
            return null;
        }
        return p.getText();
    }

    /** The current value as a long, or null when it is not an integer that fits one. */
    private static Long longValue(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            p.skipChildren();
            return null;
        }
        return p.getLongValue();
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

    private static String text(byte[] appMetadata) {
        String s = new String(appMetadata, StandardCharsets.UTF_8);
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
