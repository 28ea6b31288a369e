package dev.sluice.job.manifest;

import dev.sluice.sources.amp.AmpStreamDiscovery;
import dev.sluice.sources.amp.AmpStreamSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifest as the running job's source sees it: on the JobManager, every poll, the file's
 * digest is compared with the last one planned; a changed file is planned again (parsed, SQL
 * checked, schemas inferred from the Amp server) against the registry in the state directory, the
 * registry is saved with the new generations, missing target tables are created, and the streams of
 * the new plan are returned. A file that cannot be planned keeps the previous streams; its problem
 * is logged and written to {@code <state-dir>/manifest-error.txt} until a good version replaces it.
 * A transient failure (Amp or PostgreSQL unreachable) is retried on the next poll.
 */
final class ManifestStreamDiscovery implements AmpStreamDiscovery {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ManifestStreamDiscovery.class);

    static final String ERROR_FILE = "manifest-error.txt";

    private final String manifest;
    private final ManifestSyncConfig config;

    private transient String planned;
    private transient String rejected;
    private transient List<AmpStreamSpec> current;

    ManifestStreamDiscovery(Path manifest, ManifestSyncConfig config) {
        this.manifest = manifest.toAbsolutePath().toString();
        this.config = config;
    }

    @Override
    public List<AmpStreamSpec> discover() throws Exception {
        Path file = Path.of(manifest);
        String digest = digest(file);
        if (current != null
                && (digest == null || digest.equals(planned) || digest.equals(rejected))) {
            return current; // unchanged, unreadable mid-save, or known to be unusable
        }
        if (digest == null) {
            throw new IOException("Cannot read the manifest " + file);
        }
        Path stateDir = config.stateDir();
        ManifestPlan plan;
        try {
            ManifestRegistry registry = ManifestRegistry.load(stateDir);
            plan = new ManifestPlanner(config).plan(ManifestLoader.load(file), registry);
            plan.createMissingTables();
            if (!plan.registry().equals(registry)) {
                plan.registry().save(stateDir);
            }
        } catch (ManifestException e) {
            if (!e.isSetup()) {
                rejected = digest;
                report(stateDir, e.getMessage());
            }
            LOG.warn(
                    "The manifest {} cannot be applied; still syncing the previous version: {}",
                    file,
                    e.getMessage());
            throw e;
        }
        Files.deleteIfExists(stateDir.resolve(ERROR_FILE));
        if (current != null) {
            LOG.info("Manifest {} changed; syncing now:\n{}", file, plan.describe());
        }
        planned = digest;
        rejected = null;
        current = plan.streams();
        return current;
    }

    private static void report(Path stateDir, String problem) throws IOException {
        Files.createDirectories(stateDir);
        Path tmp = stateDir.resolve(ERROR_FILE + ".tmp");
        Files.writeString(tmp, problem, StandardCharsets.UTF_8);
        Files.move(
                tmp,
                stateDir.resolve(ERROR_FILE),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
