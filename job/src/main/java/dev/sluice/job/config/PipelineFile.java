package dev.sluice.job.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A loaded, validated pipeline file: its datastores and pipelines. */
public final class PipelineFile {

    public final Path path;
    public final Map<String, Datastore> datastores;
    public final List<PipelineSpec> pipelines;

    PipelineFile(Path path, Map<String, Datastore> datastores, List<PipelineSpec> pipelines) {
        this.path = path;
        this.datastores = Map.copyOf(datastores);
        this.pipelines = List.copyOf(pipelines);
    }

    /** The pipelines to run: all, or the one named {@code name} (null = all). */
    public List<PipelineSpec> select(String name) {
        if (name == null) {
            return pipelines;
        }
        List<String> names = new ArrayList<>();
        for (PipelineSpec p : pipelines) {
            if (p.name.equals(name)) {
                return List.of(p);
            }
            names.add(p.name);
        }
        throw new ConfigException(
                path.toString(),
                "--pipeline",
                "no pipeline named '" + name + "'; the file has: " + String.join(", ", names));
    }
}
