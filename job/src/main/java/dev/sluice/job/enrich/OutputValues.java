package dev.sluice.job.enrich;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.job.cdc.Coercions;
import dev.sluice.job.config.DataType;
import dev.sluice.job.config.EnrichmentSpec.Output;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outputs of an HTTP or Redis lookup: JSON paths (or Redis hash fields) and their dtypes.
 * Values are text unless a dtype converts them; JSON objects and arrays are JSON text.
 */
final class OutputValues {

    /** Exact decimals, so a number's text is what the server wrote (1.50 stays 1.50). */
    static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private OutputValues() {}

    /** Output column → PostgreSQL type: the dtype's, or text. */
    static Map<String, String> textTypes(Map<String, Output> outputs) {
        Map<String, String> out = new LinkedHashMap<>();
        outputs.forEach((k, o) -> out.put(k, o.dtype == null ? "text" : o.dtype.sqlType));
        return out;
    }

    /** Parses each output's JSON path. */
    static Map<String, JsonPath> paths(String lookup, Map<String, Output> outputs)
            throws LookupSetupException {
        Map<String, JsonPath> paths = new LinkedHashMap<>();
        for (Map.Entry<String, Output> e : outputs.entrySet()) {
            try {
                paths.put(e.getKey(), JsonPath.parse(e.getValue().from));
            } catch (IllegalArgumentException ex) {
                throw new LookupSetupException(
                        "Lookup " + lookup + ", output " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return paths;
    }

    static JsonNode parse(String lookup, String what, String text) throws LookupException {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw LookupException.permanent(
                    what + " is not JSON (" + Errors.cut(text) + "): " + e.getOriginalMessage(),
                    null);
        } catch (IOException e) {
            throw LookupException.permanent(what + " is not JSON: " + e.getMessage(), null);
        }
    }

    /** Each output's value from {@code root}, converted. */
    static Map<String, Object> select(
            String lookup, Map<String, Output> outputs, Map<String, JsonPath> paths, JsonNode root)
            throws LookupException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonPath> e : paths.entrySet()) {
            String text = JsonPath.text(e.getValue().select(root));
            values.put(e.getKey(), convert(e.getKey(), text, outputs.get(e.getKey()).dtype));
        }
        return values;
    }

    /** {@code text} as {@code dtype} (text when null). */
    static Object convert(String column, Object value, DataType dtype) throws LookupException {
        try {
            return Coercions.coerce(value, dtype);
        } catch (IllegalArgumentException e) {
            throw LookupException.permanent("output " + column + ": " + e.getMessage(), e);
        }
    }
}
