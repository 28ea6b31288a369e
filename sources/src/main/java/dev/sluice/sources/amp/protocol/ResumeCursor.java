package dev.sluice.sources.amp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code amp-resume} header: per network, the last block of the last <em>completed</em> range.
 * The server silently ignores a value it cannot parse (and restarts from genesis), so this class
 * only ever writes well-formed values.
 */
public final class ResumeCursor implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TreeMap<String, BlockRef> blocks;

    public ResumeCursor(Map<String, BlockRef> blocks) {
        this.blocks = new TreeMap<>(blocks);
    }

    public Map<String, BlockRef> blocks() {
        return Collections.unmodifiableMap(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** The header value, e.g. {@code {"anvil":{"number":2,"hash":"0x…"}}}. */
    public String toHeader() {
        StringBuilder sb = new StringBuilder("{");
        Iterator<Map.Entry<String, BlockRef>> it = blocks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, BlockRef> e = it.next();
            Json.appendString(sb, e.getKey());
            sb.append(":{\"number\":")
                    .append(e.getValue().number())
                    .append(",\"hash\":\"")
                    .append(e.getValue().hash())
                    .append("\"}");
            if (it.hasNext()) {
                sb.append(',');
            }
        }
        return sb.append('}').toString();
    }

    /** Parses a header value strictly; a malformed one is an {@link AmpProtocolException}. */
    public static ResumeCursor parse(String header) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (IOException e) {
            throw new AmpProtocolException("amp-resume is not JSON: " + header, e);
        }
        if (root == null || !root.isObject()) {
            throw new AmpProtocolException("amp-resume is not a JSON object: " + header);
        }
        TreeMap<String, BlockRef> blocks = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            if (!v.path("number").canConvertToLong() || !v.path("hash").isTextual()) {
                throw new AmpProtocolException(
                        "amp-resume entry for '" + f.getKey() + "' needs number and hash");
            }
            blocks.put(
                    f.getKey(), new BlockRef(v.path("number").asLong(), v.path("hash").asText()));
        }
        return new ResumeCursor(blocks);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResumeCursor && ((ResumeCursor) o).blocks.equals(blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }

    @Override
    public String toString() {
        return "ResumeCursor" + blocks;
    }
}
