package dev.sluice.job.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a manifest module ({@code .ts/.mts/.js/.mjs}) into a script the sandbox can evaluate,
 * keeping every line where it was so that errors point at the user's line: the {@code import … from
 * "nozzl"} lines go (the sandbox provides {@code defineDataset}), {@code export default X} becomes
 * an assignment, and the TypeScript a manifest typically uses is erased — type annotations on
 * variables, parameters and arrow results, {@code as const}, {@code as Type}, {@code satisfies
 * Type}, one-line {@code type X = …;} aliases. String, template and comment text is never touched.
 */
final class TypeScriptStripper {

    static final String RESULT = "__sluice_manifest__";

    private static final Pattern IMPORT =
            Pattern.compile(
                    "(?m)^[ \\t]*import\\s+(?:type\\s+)?(?:[\\w${},*\\s]+?\\s+from\\s*)?"
                            + "([\"'])([^\"'\\n]+)\\1[ \\t]*;?");
    private static final Pattern EXPORT_DEFAULT =
            Pattern.compile("(?m)^([ \\t]*)export\\s+default\\s+");
    private static final String TYPE =
            "[A-Za-z_$][\\w$.]*(?:<[^<>;=]*(?:<[^<>;=]*>)?[^<>;=]*>)?(?:\\[\\])*";
    private static final Pattern VAR_ANNOTATION =
            Pattern.compile("\\b(const|let|var)(\\s+[A-Za-z_$][\\w$]*)\\s*:\\s*" + TYPE + "\\s*=");
    private static final Pattern ARROW_RESULT = Pattern.compile("\\)\\s*:\\s*" + TYPE + "\\s*=>");

    /** A parameter list of an arrow function or a function declaration. */
    private static final Pattern PARAMETERS =
            Pattern.compile("(\\bfunction\\s*[A-Za-z_$]*\\s*)?\\(([^()]*)\\)(?=\\s*(?:=>|\\{|:))");

    private static final Pattern ANNOTATION =
            Pattern.compile("([A-Za-z_$][\\w$]*)\\s*\\??\\s*:\\s*" + TYPE);
    private static final Pattern AS_CONST = Pattern.compile("\\s+as\\s+const\\b");
    private static final Pattern AS_TYPE = Pattern.compile("\\s+(?:as|satisfies)\\s+" + TYPE);
    private static final Pattern TYPE_ALIAS =
            Pattern.compile("(?m)^[ \\t]*(?:export\\s+)?type\\s+[A-Za-z_$][\\w$]*\\s*=[^;\\n]*;?");

    private TypeScriptStripper() {}

    /** Thrown for an import of anything but nozzl; carries the 1-based line. */
    static final class UnsupportedImport extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;

        UnsupportedImport(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    static String strip(String source) throws UnsupportedImport {
        StringBuilder out = new StringBuilder();
        Matcher m = IMPORT.matcher(source);
        int last = 0;
        while (m.find()) {
            String module = m.group(2);
            if (!module.equals("nozzl") && !module.startsWith("nozzl/")) {
                throw new UnsupportedImport(
                        lineAt(source, m.start(2)),
                        "import from \""
                                + module
                                + "\" is not available: a manifest runs in a sandbox that provides"
                                + " only defineDataset (import it from \"nozzl\")");
            }
            out.append(source, last, m.start()).append(newlinesOf(m.group()));
            last = m.end();
        }
        out.append(source.substring(last));
        String code = EXPORT_DEFAULT.matcher(out.toString()).replaceFirst("$1" + RESULT + " = ");
        StringBuilder result = new StringBuilder();
        for (Segment s : segments(code)) {
            result.append(s.literal ? s.text : eraseTypes(s.text));
        }
        return result.toString();
    }

    private static String eraseTypes(String code) {
        code = TYPE_ALIAS.matcher(code).replaceAll("");
        code = VAR_ANNOTATION.matcher(code).replaceAll("$1$2 =");
        code = ARROW_RESULT.matcher(code).replaceAll(") =>");
        code = eraseParameterTypes(code);
        code = AS_CONST.matcher(code).replaceAll("");
        return AS_TYPE.matcher(code).replaceAll("");
    }

    private static String eraseParameterTypes(String code) {
        Matcher m = PARAMETERS.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean function = m.group(1) != null;
            String after = code.substring(m.end()).stripLeading();
            if (!function && !after.startsWith("=>")) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            String params = ANNOTATION.matcher(m.group(2)).replaceAll("$1");
            m.appendReplacement(
                    out,
                    Matcher.quoteReplacement((function ? m.group(1) : "") + "(" + params + ")"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String newlinesOf(String s) {
        return "\n".repeat((int) s.chars().filter(c -> c == '\n').count());
    }

    static int lineAt(String s, int index) {
        int line = 1;
        for (int i = 0; i < index && i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** A run of code, or of string/template/comment text that must stay as it is. */
    private static final class Segment {
        final String text;
        final boolean literal;

        Segment(String text, boolean literal) {
            this.text = text;
            this.literal = literal;
        }
    }

    private static List<Segment> segments(String s) {
        List<Segment> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = -1;
            if (c == '"' || c == '\'' || c == '`') {
                end = i + 1;
                while (end < s.length() && s.charAt(end) != c) {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, s.length());
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
            }
            if (end < 0) {
                i++;
                continue;
            }
            if (i > start) {
                out.add(new Segment(s.substring(start, i), false));
            }
            out.add(new Segment(s.substring(i, end), true));
            start = end;
            i = end;
        }
        if (start < s.length()) {
            out.add(new Segment(s.substring(start), false));
        }
        return out;
    }
}
