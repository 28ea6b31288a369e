package dev.sluice.job.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A small JSON path on Jackson's tree: {@code $} (the whole document), then any of {@code .name},
 * {@code ['name']} (single or double quotes, for names with dots or spaces) and {@code [index]}
 * (0-based; negative counts from the end). No wildcards, filters or recursive descent. A step that
 * finds nothing gives null.
 */
final class JsonPath {

    private final String text;
    private final List<Object> steps; // String (field) or Integer (index)

    private JsonPath(String text, List<Object> steps) {
        this.text = text;
        this.steps = steps;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException saying what is wrong and what is supported
     */
    static JsonPath parse(String text) {
        if (text == null || !text.startsWith("$")) {
            throw new IllegalArgumentException(
                    "JSON path '" + text + "' must start with $ (" + SYNTAX + ")");
        }
        List<Object> steps = new ArrayList<>();
        int i = 1;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                if (end == i + 1) {
                    throw bad(text, "an empty name after '.'");
                }
                steps.add(text.substring(i + 1, end));
                i = end;
            } else if (c == '[') {
                int j = i + 1;
                if (j < n && (text.charAt(j) == '\'' || text.charAt(j) == '"')) {
                    char quote = text.charAt(j);
                    int endQuote = text.indexOf(quote, j + 1);
                    if (endQuote < 0 || endQuote + 1 >= n || text.charAt(endQuote + 1) != ']') {
                        throw bad(text, "an unterminated ['name']");
                    }
                    steps.add(text.substring(j + 1, endQuote));
                    i = endQuote + 2;
                } else {
                    int close = text.indexOf(']', j);
                    if (close < 0) {
                        throw bad(text, "a '[' without ']'");
                    }
                    String inside = text.substring(j, close).trim();
                    try {
                        steps.add(Integer.parseInt(inside));
                    } catch (NumberFormatException e) {
                        throw bad(text, "'[" + inside + "]', neither an index nor a quoted name");
                    }
                    i = close + 1;
                }
            } else {
                throw bad(text, "unexpected '" + c + "' at position " + i);
            }
        }
        return new JsonPath(text, List.copyOf(steps));
    }

    static final String SYNTAX = "supported: $, .name, ['name'], [index]";

    private static IllegalArgumentException bad(String text, String what) {
        return new IllegalArgumentException(
                "JSON path '" + text + "' has " + what + " (" + SYNTAX + ")");
    }

    /** The node at this path in {@code root}, or null. */
    JsonNode select(JsonNode root) {
        JsonNode node = root;
        for (Object step : steps) {
            if (node == null || node.isNull() || node.isMissingNode()) {
                return null;
            }
            if (step instanceof String) {
                node = node.isObject() ? node.get((String) step) : null;
            } else {
                int index = (Integer) step;
                if (!node.isArray()) {
                    return null;
                }
                node = node.get(index < 0 ? node.size() + index : index);
            }
        }
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    /**
     * A selected node as a lookup value: JSON scalars as their text (numbers as written, strings
     * unquoted, booleans {@code true}/{@code false}), objects and arrays as JSON text.
     */
    static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBigDecimal()) {
            return node.decimalValue().toPlainString(); // 1.50 stays 1.50
        }
        if (node.isValueNode()) {
            return node.isBinary() ? node.toString() : node.asText();
        }
        return node.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
