package dev.sluice.job.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Notices when the manifest file's content changes. It compares a digest of the bytes on every poll
 * instead of trusting file-system events or modification times, which editors that replace the
 * file, bind mounts and coarse timestamps all defeat. An unreadable file (mid-save) is no change.
 */
final class ManifestWatcher {

    private final Path file;
    private byte[] digest;

    ManifestWatcher(Path file) {
        this.file = file;
        this.digest = digest();
    }

    /** True once per change of content since the last call. */
    boolean changed() {
        byte[] now = digest();
        if (now == null || Arrays.equals(now, digest)) {
            return false;
        }
        digest = now;
        return true;
    }

    private byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
