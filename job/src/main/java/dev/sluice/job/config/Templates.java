package dev.sluice.job.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The template language of pipeline files, deliberately tiny and safe: {@code {{ env('NAME') }}}
 * and {@code {{ env('NAME', 'default') }}} (single or double quotes), nothing else. Templates are
 * rendered on scalar values after YAML parsing, so a value can never inject YAML structure, and
 * rows never go through templates (they are bound SQL parameters).
 */
public final class Templates {

    private static final Pattern TAG = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
    private static final Pattern ENV =
            Pattern.compile(
                    "\\s*env\\(\\s*(['\"])([A-Za-z_][A-Za-z0-9_]*)\\1\\s*"
                            + "(?:,\\s*(['\"])(.*?)\\3\\s*)?\\)\\s*",
                    Pattern.DOTALL);

    private final Map<String, String> environment;

    public Templates(Map<String, String> environment) {
        this.environment = environment;
    }

    /**
     * Renders every tag of {@code text}.
     *
     * @throws IllegalArgumentException naming the tag or the missing variable (never a value)
     */
    public String render(String text) {
        return render(text, false);
    }

    /**
     * Renders the {@code env(…)} tags of {@code text} and, with {@code keepOthers}, leaves every
     * other tag as it is: lookup templates ({@code key: "user:{{ id }}"}) are rendered per row
     * later, by the enrichment's template engine.
     */
    public String render(String text, boolean keepOthers) {
        if (text.indexOf("{{") < 0) {
            return text;
        }
        Matcher m = TAG.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Matcher env = ENV.matcher(m.group(1));
            if (!env.matches() && keepOthers) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            if (!env.matches()) {
                throw new IllegalArgumentException(
                        "unsupported template '{{"
                                + m.group(1)
                                + "}}': only {{ env('NAME') }} and {{ env('NAME', 'default') }}"
                                + " are allowed");
            }
            String value = environment.get(env.group(2));
            if (value == null) {
                value = env.group(4);
            }
            if (value == null) {
                throw new IllegalArgumentException(
                        "environment variable "
                                + env.group(2)
                                + " is not set (give it a value or a default: env('"
                                + env.group(2)
                                + "', '…'))");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        // Substituted values are data: they are never rendered again.
        return out.toString();
    }
}
