package dev.sluice.sources.amp.devserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits the dev server's SQL subset into tokens; anything it cannot read is an error. */
final class SqlTokenizer {

    enum Type {
        IDENT,
        QUOTED_IDENT,
        STRING,
        NUMBER,
        SYMBOL,
        END
    }

    /** A token: bare identifiers keep their spelling in {@code text}; keywords compare folded. */
    static final class Token {
        final Type type;
        final String text;
        final int position;

        Token(Type type, String text, int position) {
            this.type = type;
            this.text = text;
            this.position = position;
        }

        boolean isKeyword(String keyword) {
            return type == Type.IDENT && text.equalsIgnoreCase(keyword);
        }

        boolean isSymbol(String symbol) {
            return type == Type.SYMBOL && text.equals(symbol);
        }

        String describe() {
            switch (type) {
                case END:
                    return "the end of the query";
                case STRING:
                    return "'" + text + "'";
                case QUOTED_IDENT:
                    return "\"" + text + "\"";
                default:
                    return "'" + text + "'";
            }
        }
    }

    private SqlTokenizer() {}

    static List<Token> tokenize(String sql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n
                        && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new Token(Type.IDENT, sql.substring(start, i), start));
            } else if (Character.isDigit(c)) {
                int start = i;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
                if (i < n && (Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '.')) {
                    throw new IllegalArgumentException(
                            "Unsupported number at position "
                                    + (start + 1)
                                    + ": only whole decimal numbers are understood");
                }
                tokens.add(new Token(Type.NUMBER, sql.substring(start, i), start));
            } else if (c == '\'' || c == '"') {
                int start = i;
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException(
                                "Unterminated "
                                        + (c == '"' ? "quoted identifier" : "string literal")
                                        + " starting at position "
                                        + (start + 1));
                    }
                    char d = sql.charAt(i++);
                    if (d == c) {
                        if (i < n && sql.charAt(i) == c) {
                            sb.append(c);
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(d);
                    }
                }
                tokens.add(
                        new Token(
                                c == '"' ? Type.QUOTED_IDENT : Type.STRING, sb.toString(), start));
            } else {
                String two = i + 1 < n ? sql.substring(i, i + 2) : "";
                if (two.equals("<=") || two.equals(">=") || two.equals("!=") || two.equals("<>")) {
                    tokens.add(new Token(Type.SYMBOL, two.equals("<>") ? "!=" : two, i));
                    i += 2;
                } else if ("*,.()=<>;-+/".indexOf(c) >= 0) {
                    tokens.add(new Token(Type.SYMBOL, String.valueOf(c), i));
                    i++;
                } else {
                    throw new IllegalArgumentException(
                            "Unexpected character '" + c + "' at position " + (i + 1));
                }
            }
        }
        tokens.add(new Token(Type.END, "", n));
        return tokens;
    }

    static String fold(String identifier) {
        return identifier.toLowerCase(Locale.ROOT);
    }
}
