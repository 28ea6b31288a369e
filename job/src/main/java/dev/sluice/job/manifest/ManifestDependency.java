package dev.sluice.job.manifest;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.util.Objects;

/**
 * A dataset a manifest depends on, under the alias its SQL uses: {@code anvil: {owner:
 * "graphprotocol", name: "anvil", version: "0.1.0"}} makes {@code anvil.blocks} mean {@code
 * "graphprotocol/anvil@0.1.0".blocks}.
 */
public final class ManifestDependency {

    private final String alias;
    private final DatasetReference reference;

    public ManifestDependency(String alias, DatasetReference reference) {
        this.alias = Objects.requireNonNull(alias, "alias");
        this.reference = Objects.requireNonNull(reference, "reference");
    }

    public String alias() {
        return alias;
    }

    public DatasetReference reference() {
        return reference;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestDependency
                && ((ManifestDependency) o).alias.equals(alias)
                && ((ManifestDependency) o).reference.equals(reference);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alias, reference);
    }

    @Override
    public String toString() {
        return alias + " → " + reference;
    }
}
