package dev.sluice.job.manifest;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded dataset manifest ({@code nozzle.config.ts} and friends): the dataset's name, version and
 * network, the datasets its SQL reads under their aliases, and its tables, each one SQL query, in
 * file order.
 */
public final class DatasetManifest {

    private final Path file;
    private final String name;
    private final String version;
    private final String network;
    private final Map<String, ManifestDependency> dependencies;
    private final Map<String, String> tables;

    public DatasetManifest(
            Path file,
            String name,
            String version,
            String network,
            Map<String, ManifestDependency> dependencies,
            Map<String, String> tables) {
        this.file = Objects.requireNonNull(file, "file");
        this.name = name;
        this.version = version;
        this.network = network;
        this.dependencies = Collections.unmodifiableMap(new LinkedHashMap<>(dependencies));
        this.tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public Path file() {
        return file;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public String network() {
        return network;
    }

    /** Alias → dependency, in file order. */
    public Map<String, ManifestDependency> dependencies() {
        return dependencies;
    }

    /** Table name → SQL, in file order. */
    public Map<String, String> tables() {
        return tables;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DatasetManifest)) {
            return false;
        }
        DatasetManifest m = (DatasetManifest) o;
        return file.equals(m.file)
                && Objects.equals(name, m.name)
                && Objects.equals(version, m.version)
                && Objects.equals(network, m.network)
                && dependencies.equals(m.dependencies)
                && tables.equals(m.tables);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, name, version, network, dependencies, tables);
    }

    @Override
    public String toString() {
        return "DatasetManifest("
                + name
                + "@"
                + version
                + " on "
                + network
                + ", dependencies "
                + dependencies.values()
                + ", tables "
                + tables.keySet()
                + ")";
    }
}
