package dev.sluice.job.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code --name value}, {@code --name=value} and {@code -s value} against a fixed set of
 * {@link CliOption}s, then fills what the flags left unset from the environment: flags win over
 * environment variables, which win over defaults.
 */
public final class CommandLine {

    private final Map<String, CliOption<?>> byName = new LinkedHashMap<>();
    private final Map<String, CliOption<?>> byShort = new HashMap<>();
    private final Map<CliOption<?>, List<Object>> values = new HashMap<>();

    public CommandLine(List<CliOption<?>> options) {
        for (CliOption<?> o : options) {
            byName.put(o.name, o);
            if (o.shortName != null) {
                byShort.put(o.shortName, o);
            }
        }
    }

    /** Parses the arguments; the first problem is a {@link UsageException}. */
    public CommandLine parse(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String inlineValue = null;
            CliOption<?> option;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                String name = eq > 0 ? arg.substring(2, eq) : arg.substring(2);
                inlineValue = eq > 0 ? arg.substring(eq + 1) : null;
                option = byName.get(name);
                if (option == null) {
                    throw new UsageException(
                            "Unknown option '--" + name + "'. Run with --help to see the options.");
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                option = byShort.get(arg.substring(1));
                if (option == null) {
                    throw new UsageException(
                            "Unknown option '" + arg + "'. Run with --help to see the options.");
                }
            } else {
                throw new UsageException(
                        "Unexpected argument '"
                                + arg
                                + "': options start with --. Run with --help to see them.");
            }
            String text;
            if (option.flag) {
                text = inlineValue != null ? inlineValue : "true";
            } else if (inlineValue != null) {
                text = inlineValue;
            } else if (i + 1 < args.length) {
                text = args[++i];
            } else {
                throw new UsageException("Option --" + option.name + " needs a value.");
            }
            add(option, text, "--" + option.name);
        }
        for (CliOption<?> o : byName.values()) {
            if (!values.containsKey(o) && o.env != null) {
                String text = env.get(o.env);
                if (text != null && !text.isBlank()) {
                    if (o.repeatable) {
                        for (String part : text.split(",")) {
                            if (!part.isBlank()) {
                                add(o, part, o.env);
                            }
                        }
                    } else {
                        add(o, text, o.env);
                    }
                }
            }
        }
        return this;
    }

    private void add(CliOption<?> option, String text, String source) {
        List<Object> list = values.computeIfAbsent(option, k -> new ArrayList<>());
        if (!option.repeatable && !list.isEmpty()) {
            throw new UsageException("Option --" + option.name + " is given twice; give it once.");
        }
        list.add(option.parse(text, source));
    }

    /** The value of an option, else its default parsed, else null. */
    @SuppressWarnings("unchecked")
    public <T> T get(CliOption<T> option) {
        List<Object> list = values.get(option);
        if (list != null) {
            return (T) list.get(0);
        }
        return option.defaultText == null ? null : option.parse(option.defaultText, "default");
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> getAll(CliOption<T> option) {
        List<Object> list = values.get(option);
        return list == null ? List.of() : (List<T>) (List<?>) list;
    }

    public boolean isSet(CliOption<?> option) {
        return values.containsKey(option);
    }

    /** Help text for these options: flags, value, default, environment variable. */
    public static String help(List<CliOption<?>> options) {
        StringBuilder sb = new StringBuilder();
        for (CliOption<?> o : options) {
            StringBuilder head = new StringBuilder("  ");
            if (o.shortName != null) {
                head.append('-').append(o.shortName).append(", ");
            }
            head.append("--").append(o.name);
            if (!o.flag) {
                head.append(" <value>");
            }
            sb.append(head).append('\n').append("      ").append(o.description);
            List<String> notes = new ArrayList<>();
            if (o.defaultText != null) {
                notes.add("default: " + o.defaultText);
            }
            if (o.env != null) {
                notes.add("env: " + o.env);
            }
            if (o.repeatable) {
                notes.add("repeatable");
            }
            if (!notes.isEmpty()) {
                sb.append(" [").append(String.join("; ", notes)).append(']');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
