package dev.sluice.job.manifest;

import dev.sluice.job.manifest.sql.ManifestQuery;
import dev.sluice.sources.amp.AmpSchemas;
import dev.sluice.sources.amp.AmpSource;
import dev.sluice.sources.amp.AmpSourceBuilder;
import dev.sluice.sources.amp.AmpSourceException;
import dev.sluice.sources.amp.AmpSourceOptions;
import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.configuration.MemorySize;

/**
 * Plans a manifest before anything streams: every table's SQL is parsed and checked (all problems
 * reported at once), its aliases resolved and {@code _block_num} added; then the Amp server infers
 * each table's schema from the query (FlightInfo only — no rows are streamed), and the tables are
 * compared with what the state directory already syncs.
 */
public final class ManifestPlanner {

    private final ManifestSyncConfig config;

    public ManifestPlanner(ManifestSyncConfig config) {
        this.config = config;
    }

    public ManifestPlan plan(DatasetManifest manifest, ManifestRegistry previous)
            throws ManifestException {
        Map<String, DatasetReference> aliases = new LinkedHashMap<>();
        for (ManifestDependency d : manifest.dependencies().values()) {
            aliases.put(d.alias(), d.reference());
        }
        Map<String, ManifestQuery> queries = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> t : manifest.tables().entrySet()) {
            try {
                queries.put(t.getKey(), ManifestQuery.resolve(t.getKey(), t.getValue(), aliases));
            } catch (ManifestException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ManifestException(
                    manifest.file() + ": " + String.join("\n" + manifest.file() + ": ", problems));
        }

        Map<String, ManifestRegistry.Entry> next = new LinkedHashMap<>(previous.entries());
        Map<String, ManifestPlan.Change> changes = new LinkedHashMap<>();
        for (ManifestQuery q : queries.values()) {
            ManifestRegistry.Entry before = previous.entries().get(q.table());
            ManifestPlan.Change change;
            int generation;
            if (before != null && before.active && before.sql.equals(q.sql())) {
                change = ManifestPlan.Change.KEPT;
                generation = before.generation;
            } else {
                change =
                        before != null && before.active
                                ? ManifestPlan.Change.CHANGED
                                : ManifestPlan.Change.ADDED;
                generation = before == null ? 1 : before.generation + 1;
            }
            changes.put(q.table(), change);
            next.put(q.table(), new ManifestRegistry.Entry(q.sql(), generation, true));
        }
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, ManifestRegistry.Entry> e : previous.entries().entrySet()) {
            if (e.getValue().active && !queries.containsKey(e.getKey())) {
                removed.add(e.getKey());
                next.put(
                        e.getKey(),
                        new ManifestRegistry.Entry(
                                e.getValue().sql, e.getValue().generation, false));
            }
        }

        AmpSourceBuilder builder = sourceBuilder(config);
        for (ManifestQuery q : queries.values()) {
            builder.addStream(
                    new AmpStreamSpec(
                            ManifestRegistry.streamId(q.table(), next.get(q.table()).generation),
                            q.table(),
                            q.sql()));
        }
        AmpSource source = builder.build();
        Map<String, Schema> schemas = inferSchemas(manifest, source);

        Map<String, ManifestPlan.TablePlan> tables = new LinkedHashMap<>();
        for (ManifestQuery q : queries.values()) {
            String id = ManifestRegistry.streamId(q.table(), next.get(q.table()).generation);
            Schema schema = schemas.get(id);
            if (schema.getFields().stream()
                    .noneMatch(f -> f.getName().equals(ManifestQuery.BLOCK_NUM))) {
                throw new ManifestException(
                        manifest.file()
                                + ": Table '"
                                + q.table()
                                + "': the Amp server's schema for its query has no _block_num"
                                + " column, which Sluice needs to roll back reorgs; select"
                                + " _block_num from the dataset table it reads.");
            }
            tables.put(
                    q.table(),
                    new ManifestPlan.TablePlan(
                            q.table(),
                            q.sql(),
                            next.get(q.table()).generation,
                            schema,
                            changes.get(q.table())));
        }
        return new ManifestPlan(
                manifest, tables, removed, new ManifestRegistry(next), source, config);
    }

    /** A source builder with the Amp connection of {@code config} and no streams yet. */
    static AmpSourceBuilder sourceBuilder(ManifestSyncConfig config) {
        AmpSourceBuilder builder =
                AmpSource.builder()
                        .setEndpoint(config.ampEndpoint)
                        .set(
                                AmpSourceOptions.MAX_MESSAGE_SIZE,
                                MemorySize.ofMebiBytes(config.grpcMaxDecodeMb));
        if (config.authToken != null) {
            builder.setAuthToken(config.authToken);
        }
        if (config.ampTlsCa != null) {
            builder.set(AmpSourceOptions.TLS_CA_FILE, config.ampTlsCa);
        }
        return builder;
    }

    /** Schema of each stream from the server's FlightInfo; a refused query names its table. */
    private Map<String, Schema> inferSchemas(DatasetManifest manifest, AmpSource source)
            throws ManifestException {
        List<String> problems = new ArrayList<>();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (AmpStreamSpec s : source.streams()) {
            AmpSource single = sourceBuilder(config).addStream(s).build();
            try {
                schemas.putAll(AmpSchemas.fetch(single));
            } catch (AmpSourceException e) {
                problems.add("Table '" + s.table() + "': " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw ManifestException.setup(
                    manifest.file() + ": " + String.join("\n" + manifest.file() + ": ", problems),
                    null);
        }
        return schemas;
    }
}
