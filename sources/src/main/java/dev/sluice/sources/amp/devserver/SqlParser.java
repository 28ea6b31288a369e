package dev.sluice.sources.amp.devserver;

import dev.sluice.sources.amp.devserver.SqlTokenizer.Token;
import dev.sluice.sources.amp.devserver.SqlTokenizer.Type;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;

/**
 * A recursive-descent parser for the dev server's SQL subset:
 *
 * <pre>
 * SELECT [DISTINCT] * | item, … FROM dataset.table
 *   [WHERE cond AND …] [GROUP BY …] [HAVING …] [ORDER BY …] [LIMIT n]
 *   [SETTINGS name = value, …] [;]
 * cond := column (= | != | &lt;&gt; | &lt; | &lt;= | &gt; | &gt;=) literal | column IS [NOT] NULL
 * literal := integer | 'string' | TRUE | FALSE | evm_topic('signature')
 * </pre>
 *
 * Aggregates, DISTINCT, GROUP BY, HAVING, ORDER BY, LIMIT and window functions are recorded as
 * non-incremental, so the caller can reject them for streaming with Amp's message. Anything else is
 * an {@link IllegalArgumentException} naming what was not understood.
 */
final class SqlParser {

    private static final Set<String> AGGREGATES =
            Set.of(
                    "count",
                    "sum",
                    "min",
                    "max",
                    "avg",
                    "mean",
                    "array_agg",
                    "string_agg",
                    "first_value",
                    "last_value",
                    "median",
                    "stddev",
                    "variance",
                    "approx_distinct",
                    "bool_and",
                    "bool_or");
    private static final Set<String> CLAUSES =
            Set.of("from", "where", "group", "having", "order", "limit", "settings");
    private static final Set<String> COMPARISONS = Set.of("=", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int pos;

    private SqlParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static ParsedQuery parse(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("The query is empty");
        }
        return new SqlParser(SqlTokenizer.tokenize(sql)).query();
    }

    private ParsedQuery query() {
        ParsedQuery q = new ParsedQuery();
        if (!peek().isKeyword("select")) {
            throw unexpected("SELECT (only SELECT queries are supported)");
        }
        pos++;
        if (acceptKeyword("distinct")) {
            q.nonIncremental.add("DISTINCT");
        }
        selectList(q);
        expectKeyword("from");
        tableReference(q);
        if (acceptKeyword("where")) {
            do {
                q.conditions.add(condition());
            } while (acceptKeyword("and"));
            if (peek().isKeyword("or")) {
                throw new IllegalArgumentException(
                        "OR is not supported by the Amp dev server: combine predicates with AND");
            }
        }
        if (acceptKeyword("group")) {
            expectKeyword("by");
            skipClause("GROUP BY");
            q.nonIncremental.add("GROUP BY");
        }
        if (acceptKeyword("having")) {
            skipClause("HAVING");
            q.nonIncremental.add("HAVING");
        }
        if (acceptKeyword("order")) {
            expectKeyword("by");
            skipClause("ORDER BY");
            q.nonIncremental.add("ORDER BY");
        }
        if (acceptKeyword("limit")) {
            Token n = next();
            if (n.type != Type.NUMBER) {
                throw unexpectedAt(n, "a whole number after LIMIT");
            }
            try {
                q.limit = Long.parseLong(n.text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("LIMIT " + n.text + " is too large");
            }
            q.nonIncremental.add("LIMIT");
        }
        if (acceptKeyword("settings")) {
            do {
                settings(q);
            } while (acceptSymbol(","));
        }
        acceptSymbol(";");
        if (peek().type != Type.END) {
            throw unexpected("the end of the query");
        }
        return q;
    }

    private void selectList(ParsedQuery q) {
        if (acceptSymbol("*")) {
            q.selectAll = true;
            return;
        }
        do {
            Token t = next();
            if (t.type == Type.IDENT && peek().isSymbol("(")) {
                String fn = SqlTokenizer.fold(t.text);
                skipParenthesized();
                if (acceptKeyword("over")) {
                    skipParenthesized();
                    q.nonIncremental.add("window function " + fn + "()");
                } else if (AGGREGATES.contains(fn)) {
                    q.nonIncremental.add("aggregate " + fn + "()");
                } else {
                    throw new IllegalArgumentException(
                            "Function "
                                    + fn
                                    + "() in the select list is not supported by the Amp dev"
                                    + " server: select plain columns");
                }
            } else if (t.type == Type.IDENT && !CLAUSES.contains(SqlTokenizer.fold(t.text))) {
                q.columns.add(SqlTokenizer.fold(t.text));
            } else if (t.type == Type.QUOTED_IDENT) {
                q.columns.add(t.text);
            } else {
                throw unexpectedAt(t, "a column name or *");
            }
            if (peek().isKeyword("as")
                    || peek().type == Type.IDENT && !CLAUSES.contains(fold(peek()))) {
                throw new IllegalArgumentException(
                        "Column aliases are not supported by the Amp dev server (at position "
                                + (peek().position + 1)
                                + ")");
            }
        } while (acceptSymbol(","));
    }

    private void tableReference(ParsedQuery q) {
        Token dataset = next();
        if (dataset.type != Type.IDENT && dataset.type != Type.QUOTED_IDENT) {
            throw unexpectedAt(
                    dataset, "a table reference <dataset>.<table>, e.g. \"_/anvil@latest\".blocks");
        }
        if (!acceptSymbol(".")) {
            throw new IllegalArgumentException(
                    "Table '"
                            + dataset.text
                            + "' must be qualified with its dataset, e.g."
                            + " \"_/anvil@latest\".blocks");
        }
        Token table = next();
        if (table.type != Type.IDENT && table.type != Type.QUOTED_IDENT) {
            throw unexpectedAt(table, "a table name after '" + dataset.text + ".'");
        }
        q.dataset = dataset.type == Type.IDENT ? SqlTokenizer.fold(dataset.text) : dataset.text;
        q.table = table.type == Type.IDENT ? SqlTokenizer.fold(table.text) : table.text;
        if (peek().isSymbol(".")) {
            throw new IllegalArgumentException(
                    "Table references have two parts, <dataset>.<table>; quote a dataset reference"
                            + " that contains '/' or '@', e.g. \"_/anvil@latest\".blocks");
        }
    }

    private ParsedQuery.Condition condition() {
        Token col = next();
        if (col.type != Type.IDENT && col.type != Type.QUOTED_IDENT) {
            throw unexpectedAt(col, "a column name in WHERE (predicates are column op literal)");
        }
        String column = col.type == Type.IDENT ? SqlTokenizer.fold(col.text) : col.text;
        if (acceptKeyword("is")) {
            boolean not = acceptKeyword("not");
            expectKeyword("null");
            return new ParsedQuery.Condition(column, not ? "IS NOT NULL" : "IS NULL", null);
        }
        Token op = next();
        if (op.type != Type.SYMBOL || !COMPARISONS.contains(op.text)) {
            throw unexpectedAt(op, "a comparison (=, !=, <, <=, >, >=) or IS [NOT] NULL");
        }
        return new ParsedQuery.Condition(column, op.text, literal());
    }

    private ParsedQuery.Literal literal() {
        Token t = next();
        if (t.type == Type.NUMBER) {
            return ParsedQuery.Literal.number(new BigInteger(t.text));
        }
        if (t.isSymbol("-") && peek().type == Type.NUMBER) {
            return ParsedQuery.Literal.number(new BigInteger(next().text).negate());
        }
        if (t.type == Type.STRING) {
            return ParsedQuery.Literal.string(t.text);
        }
        if (t.isKeyword("true") || t.isKeyword("false")) {
            return ParsedQuery.Literal.bool(t.isKeyword("true"));
        }
        if (t.isKeyword("null")) {
            throw new IllegalArgumentException(
                    "A comparison with NULL is never true: use IS NULL or IS NOT NULL");
        }
        if (t.isKeyword("evm_topic") && acceptSymbol("(")) {
            Token sig = next();
            if (sig.type != Type.STRING) {
                throw unexpectedAt(sig, "an event signature string, e.g. evm_topic('Transfer(…)')");
            }
            if (!acceptSymbol(")")) {
                throw unexpected("')' after the evm_topic signature");
            }
            return ParsedQuery.Literal.topic(EvmTopics.topic(sig.text));
        }
        if (t.type == Type.IDENT && peek().isSymbol("(")) {
            throw new IllegalArgumentException(
                    "Unknown function "
                            + SqlTokenizer.fold(t.text)
                            + "() in WHERE: the Amp dev server knows evm_topic('signature')");
        }
        throw unexpectedAt(t, "a literal (number, 'string', TRUE, FALSE or evm_topic('…'))");
    }

    private void settings(ParsedQuery q) {
        Token name = next();
        if (name.type != Type.IDENT) {
            throw unexpectedAt(name, "a setting name after SETTINGS");
        }
        if (!acceptSymbol("=")) {
            throw unexpected("'=' after setting " + name.text);
        }
        Token value = next();
        if (value.type != Type.IDENT && value.type != Type.NUMBER && value.type != Type.STRING) {
            throw unexpectedAt(value, "a value for setting " + name.text);
        }
        q.settings.put(SqlTokenizer.fold(name.text), value.text);
    }

    private void skipClause(String clause) {
        int start = pos;
        while (peek().type != Type.END
                && !peek().isSymbol(";")
                && !(peek().type == Type.IDENT && CLAUSES.contains(fold(peek())))) {
            if (peek().isSymbol("(")) {
                skipParenthesized();
            } else {
                pos++;
            }
        }
        if (pos == start) {
            throw unexpected("an expression after " + clause);
        }
    }

    private void skipParenthesized() {
        if (!acceptSymbol("(")) {
            throw unexpected("'('");
        }
        int depth = 1;
        while (depth > 0) {
            Token t = next();
            if (t.type == Type.END) {
                throw new IllegalArgumentException("Unbalanced parentheses: missing ')'");
            }
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            }
        }
    }

    private static String fold(Token t) {
        return SqlTokenizer.fold(t.text);
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.type != Type.END) {
            pos++;
        }
        return t;
    }

    private boolean acceptKeyword(String keyword) {
        if (peek().isKeyword(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptSymbol(String symbol) {
        if (peek().isSymbol(symbol)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expectKeyword(String keyword) {
        if (!acceptKeyword(keyword)) {
            throw unexpected(keyword.toUpperCase(java.util.Locale.ROOT));
        }
    }

    private IllegalArgumentException unexpected(String expected) {
        return unexpectedAt(peek(), expected);
    }

    private static IllegalArgumentException unexpectedAt(Token t, String expected) {
        return new IllegalArgumentException(
                "Expected "
                        + expected
                        + " but found "
                        + t.describe()
                        + " at position "
                        + (t.position + 1));
    }
}
