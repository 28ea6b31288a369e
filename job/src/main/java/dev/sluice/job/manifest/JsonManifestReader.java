package dev.sluice.job.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code .json} manifest: the dataset definition object itself. Remembers the line of every
 * key so shape errors point at it; syntax errors carry Jackson's line and expectation.
 */
final class JsonManifestReader {

    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();

    private JsonManifestReader() {}

    static DatasetManifest read(Path file, String text) throws ManifestException {
        Map<List<String>, Integer> lines = new HashMap<>();
        Object root;
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ManifestException(file + ":1: the file is empty; expected a JSON object");
            }
            root = value(p, new ArrayList<>(), lines);
            if (p.nextToken() != null) {
                throw new ManifestException(
                        file
                                + ":"
                                + p.currentLocation().getLineNr()
                                + ": unexpected content after the dataset object; expected the"
                                + " end of the file");
            }
        } catch (JsonParseException e) {
            throw new ManifestException(
                    file + ":" + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ManifestException(file + ": cannot read: " + e.getMessage(), e);
        }
        return new ManifestTree(file, path -> lineOf(lines, path)).toManifest(root);
    }

    private static int lineOf(Map<List<String>, Integer> lines, List<String> path) {
        for (int n = path.size(); n >= 0; n--) {
            Integer line = lines.get(path.subList(0, n));
            if (line != null) {
                return line;
            }
        }
        return 0;
    }

    private static Object value(JsonParser p, List<String> path, Map<List<String>, Integer> lines)
            throws IOException {
        lines.putIfAbsent(List.copyOf(path), p.currentLocation().getLineNr());
        switch (p.currentToken()) {
            case START_OBJECT:
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    path.add(key);
                    lines.put(List.copyOf(path), p.currentLocation().getLineNr());
                    p.nextToken();
                    map.put(key, value(p, path, lines));
                    path.remove(path.size() - 1);
                }
                return map;
            case START_ARRAY:
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    path.add(Integer.toString(list.size()));
                    list.add(value(p, path, lines));
                    path.remove(path.size() - 1);
                }
                return list;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getNumberValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }
}
