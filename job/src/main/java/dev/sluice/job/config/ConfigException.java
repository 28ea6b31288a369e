package dev.sluice.job.config;

/**
 * A pipeline file that cannot run: names the file, the key path ({@code pipelines[0].sink.fields})
 * and what is allowed. Never carries a secret value. The CLI prints it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String file, String path, String message) {
        super(file + (path == null || path.isEmpty() ? "" : ": " + path) + ": " + message);
    }
}
