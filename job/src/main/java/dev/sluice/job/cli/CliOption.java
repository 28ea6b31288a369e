package dev.sluice.job.cli;

import java.util.function.Function;

/**
 * One command-line option: its long and short flag, the environment variable it falls back to, its
 * default, and how its text becomes a value (throwing {@link IllegalArgumentException} with what is
 * allowed).
 */
public final class CliOption<T> {

    final String name;
    final String shortName;
    final String env;
    final String defaultText;
    final String description;
    final boolean repeatable;
    final boolean flag;
    final boolean secret;
    private final Function<String, T> parser;

    private CliOption(Builder<T> b) {
        this.name = b.name;
        this.shortName = b.shortName;
        this.env = b.env;
        this.defaultText = b.defaultText;
        this.description = b.description;
        this.repeatable = b.repeatable;
        this.flag = b.flag;
        this.secret = b.secret;
        this.parser = b.parser;
    }

    public static <T> Builder<T> option(String name, Function<String, T> parser) {
        return new Builder<>(name, parser);
    }

    /** A boolean switch that takes no value. */
    public static Builder<Boolean> flag(String name) {
        Builder<Boolean> b = new Builder<>(name, Boolean::parseBoolean);
        b.flag = true;
        return b;
    }

    public String name() {
        return name;
    }

    T parse(String text, String source) {
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "Invalid "
                            + source
                            + (secret ? "" : " '" + text + "'")
                            + ": "
                            + e.getMessage()
                            + (defaultText != null ? " (default " + defaultText + ")" : "")
                            + ".");
        }
    }

    /** Fluent builder of an option. */
    public static final class Builder<T> {
        private final String name;
        private final Function<String, T> parser;
        private String shortName;
        private String env;
        private String defaultText;
        private String description = "";
        private boolean repeatable;
        private boolean flag;
        private boolean secret;

        private Builder(String name, Function<String, T> parser) {
            this.name = name;
            this.parser = parser;
        }

        public Builder<T> shortName(String s) {
            this.shortName = s;
            return this;
        }

        public Builder<T> env(String e) {
            this.env = e;
            return this;
        }

        public Builder<T> defaultValue(String d) {
            this.defaultText = d;
            return this;
        }

        public Builder<T> description(String d) {
            this.description = d;
            return this;
        }

        public Builder<T> repeatable() {
            this.repeatable = true;
            return this;
        }

        /** Never echoed in errors. */
        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        public CliOption<T> build() {
            return new CliOption<>(this);
        }
    }
}
