package dev.sluice.job.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads a dataset manifest by its extension: {@code .json} is parsed, {@code .js}, {@code .mjs},
 * {@code .ts} and {@code .mts} are evaluated in a sandboxed JavaScript engine (no Node.js needed).
 * Anything malformed is one {@link ManifestException} naming the file, line and what was expected.
 */
public final class ManifestLoader {

    private ManifestLoader() {}

    public static DatasetManifest load(Path file) throws ManifestException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ManifestException(
                    "Cannot read the dataset manifest " + file + ": " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** Parses {@code text} as the content of {@code file} (whose extension picks the format). */
    public static DatasetManifest parse(Path file, String text) throws ManifestException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return JsonManifestReader.read(file, text);
        }
        if (name.endsWith(".js")
                || name.endsWith(".mjs")
                || name.endsWith(".ts")
                || name.endsWith(".mts")) {
            return ScriptManifestReader.read(file, text);
        }
        throw new ManifestException(
                file
                        + ": unknown manifest format; expected a .json, .js, .mjs, .ts or .mts file"
                        + " (e.g. nozzle.config.ts)");
    }
}
