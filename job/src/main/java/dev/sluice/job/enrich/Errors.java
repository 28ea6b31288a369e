package dev.sluice.job.enrich;

/** Helpers for error messages that quote what a server said. */
final class Errors {

    /** Quoted text is cut to this many characters. */
    static final int MAX_QUOTED = 200;

    private Errors() {}

    /** {@code text} on one line, cut to {@link #MAX_QUOTED} characters. */
    static String cut(String text) {
        if (text == null) {
            return "";
        }
        String one = text.replaceAll("\\s+", " ").trim();
        return one.length() <= MAX_QUOTED ? one : one.substring(0, MAX_QUOTED) + "…";
    }
}
