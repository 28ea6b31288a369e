package dev.sluice.sources.amp.protocol;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A reference to an Amp dataset: {@code namespace/name@revision}. Accepted short forms: {@code
 * name@revision} (namespace {@code _}), {@code namespace/name} (revision {@code latest}) and {@code
 * name}. A revision is a semantic version, a 64-hex-digit hash, {@code latest} or {@code dev}.
 */
public final class DatasetReference implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_NAMESPACE = "_";
    public static final String DEFAULT_REVISION = "latest";

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern SEMVER =
            Pattern.compile(
                    "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                            + "(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    private static final Pattern HASH = Pattern.compile("(0x)?[0-9a-fA-F]{64}");
    private static final String FORMS =
            "Expected namespace/name@revision (e.g. _/eth_rpc@latest), name@revision,"
                    + " namespace/name or name; names match [a-z_][a-z0-9_]*, a revision is a"
                    + " semantic version, a 64-hex-digit hash, 'latest' or 'dev'.";

    private final String namespace;
    private final String name;
    private final String revision;

    private DatasetReference(String namespace, String name, String revision) {
        this.namespace = namespace;
        this.name = name;
        this.revision = revision;
    }

    public static DatasetReference of(String namespace, String name, String revision) {
        return parse(namespace + "/" + name + "@" + revision);
    }

    /** Parses any accepted form; a malformed reference gets one message saying what is wrong. */
    public static DatasetReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("The dataset reference is empty. " + FORMS);
        }
        String ref = reference.trim();
        String revision = DEFAULT_REVISION;
        int at = ref.indexOf('@');
        if (at >= 0) {
            revision = ref.substring(at + 1);
            ref = ref.substring(0, at);
            if (revision.isEmpty()) {
                throw malformed(reference, "the revision after '@' is empty");
            }
            if (revision.indexOf('@') >= 0) {
                throw malformed(reference, "it has more than one '@'");
            }
        }
        String namespace = DEFAULT_NAMESPACE;
        String name = ref;
        int slash = ref.indexOf('/');
        if (slash >= 0) {
            namespace = ref.substring(0, slash);
            name = ref.substring(slash + 1);
            if (name.indexOf('/') >= 0) {
                throw malformed(reference, "it has more than one '/'");
            }
        }
        if (!NAME.matcher(namespace).matches()) {
            throw malformed(reference, "namespace '" + namespace + "' is not a valid name");
        }
        if (!NAME.matcher(name).matches()) {
            throw malformed(reference, "name '" + name + "' is not a valid name");
        }
        if (!"latest".equals(revision)
                && !"dev".equals(revision)
                && !SEMVER.matcher(revision).matches()
                && !HASH.matcher(revision).matches()) {
            throw malformed(reference, "revision '" + revision + "' is not a valid revision");
        }
        return new DatasetReference(namespace, name, revision);
    }

    private static IllegalArgumentException malformed(String reference, String why) {
        return new IllegalArgumentException(
                "Malformed dataset reference '" + reference + "': " + why + ". " + FORMS);
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    public String revision() {
        return revision;
    }

    /** The reference in Amp SQL: a quoted identifier, e.g. {@code "_/eth_rpc@latest"}. */
    public String toSql() {
        return '"' + toString() + '"';
    }

    /** {@code SELECT * FROM "<ns>/<name>@<rev>"."<table>"}, what ampsync streams per table. */
    public String selectAllFrom(String table) {
        return "SELECT * FROM " + toSql() + ".\"" + table.replace("\"", "\"\"") + '"';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetReference
                && ((DatasetReference) o).namespace.equals(namespace)
                && ((DatasetReference) o).name.equals(name)
                && ((DatasetReference) o).revision.equals(revision);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, revision);
    }

    @Override
    public String toString() {
        return namespace + "/" + name + "@" + revision;
    }
}
