package dev.sluice.job.manifest.sql;

import dev.sluice.job.manifest.ManifestException;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;

/**
 * Makes a manifest table's SQL streamable, with a real SQL parser (JSqlParser): checks that it is
 * one incremental SELECT, resolves dependency aliases ({@code anvil.blocks} → {@code
 * "graphprotocol/anvil@0.1.0".blocks}), and selects {@code _block_num} when the query does not, so
 * that reorgs can be rolled back. The result is the SQL sent to Amp.
 */
public final class ManifestQuery {

    public static final String BLOCK_NUM = "_block_num";

    private final String table;
    private final String sql;
    private final boolean blockNumAdded;

    private ManifestQuery(String table, String sql, boolean blockNumAdded) {
        this.table = table;
        this.sql = sql;
        this.blockNumAdded = blockNumAdded;
    }

    /** The table's SQL as sent to Amp. */
    public String sql() {
        return sql;
    }

    public String table() {
        return table;
    }

    /** Whether {@code _block_num} was added to the select list. */
    public boolean blockNumAdded() {
        return blockNumAdded;
    }

    /**
     * Parses, checks and rewrites the SQL of {@code table}; {@code aliases} maps dependency aliases
     * to datasets.
     */
    public static ManifestQuery resolve(
            String table, String sql, Map<String, DatasetReference> aliases)
            throws ManifestException {
        Statement statement;
        try {
            statement = CCJSqlParserUtil.parse(sql);
        } catch (JSQLParserException e) {
            throw new ManifestException(
                    "Table '" + table + "': its SQL does not parse: " + parseError(e, sql));
        }
        if (!(statement instanceof Select)) {
            throw new ManifestException(
                    "Table '"
                            + table
                            + "': only a SELECT query can be synced, not "
                            + statement
                                    .getClass()
                                    .getSimpleName()
                                    .toUpperCase(java.util.Locale.ROOT)
                            + ".");
        }
        StreamingQueryCheck check = new StreamingQueryCheck();
        try {
            check.check(statement);
        } catch (UnsupportedOperationException e) {
            throw new ManifestException(
                    "Table '"
                            + table
                            + "': its SQL uses a construct Sluice cannot check: "
                            + e.getMessage());
        }
        if (!check.problems().isEmpty()) {
            throw new ManifestException(
                    "Table '"
                            + table
                            + "' cannot be streamed: its SQL has "
                            + String.join("; ", check.problems())
                            + ". Streaming queries must be incremental (row by row, in block"
                            + " order): remove "
                            + (check.problems().size() == 1 ? "it" : "them")
                            + " and sort, aggregate or deduplicate in PostgreSQL instead.");
        }
        for (Table t : check.tables()) {
            resolveTable(table, t, aliases);
        }
        boolean added = addBlockNum((Select) statement);
        return new ManifestQuery(table, statement.toString(), added);
    }

    private static void resolveTable(String table, Table t, Map<String, DatasetReference> aliases)
            throws ManifestException {
        String schema = t.getSchemaName();
        if (t.getDatabaseName() != null) {
            throw new ManifestException(
                    "Table '"
                            + table
                            + "': FROM "
                            + t
                            + " has too many name parts; write <dependency alias>."
                            + t.getName());
        }
        if (schema == null) {
            throw new ManifestException(
                    "Table '"
                            + table
                            + "': FROM "
                            + t.getName()
                            + " does not say which dataset it reads; write <alias>."
                            + t.getName()
                            + " with an alias from dependencies "
                            + aliases.keySet()
                            + ".");
        }
        String unquoted = t.getUnquotedSchemaName();
        DatasetReference ref = aliases.get(unquoted);
        if (ref != null) {
            t.setSchemaName("\"" + ref + "\"");
            return;
        }
        if (schema.startsWith("\"")) {
            try {
                DatasetReference.parse(unquoted);
                return; // a full dataset reference, used as is
            } catch (IllegalArgumentException e) {
                // fall through: neither an alias nor a reference
            }
        }
        throw new ManifestException(
                "Table '"
                        + table
                        + "': FROM "
                        + t
                        + " reads '"
                        + unquoted
                        + "', which is not among the dependencies "
                        + aliases.keySet()
                        + "; add it under dependencies (alias: { owner, name, version }) or use a"
                        + " quoted reference like \"_/eth_rpc@1.0.0\"."
                        + t.getName());
    }

    /** Adds {@code _block_num} to every output select unless it selects it (or *) already. */
    private static boolean addBlockNum(Select select) {
        if (select instanceof ParenthesedSelect) {
            return addBlockNum(((ParenthesedSelect) select).getSelect());
        }
        if (select instanceof SetOperationList) {
            List<Select> branches = ((SetOperationList) select).getSelects();
            boolean all = true;
            for (Select branch : branches) {
                if (selectsBlockNum(branch)) {
                    continue;
                }
                all = false;
            }
            if (all) {
                return false;
            }
            for (Select branch : branches) {
                if (!selectsBlockNum(branch)) {
                    addBlockNum(branch);
                }
            }
            return true;
        }
        if (!(select instanceof PlainSelect)) {
            return false;
        }
        PlainSelect plain = (PlainSelect) select;
        if (selectsBlockNum(plain)) {
            return false;
        }
        Table qualifier = null;
        FromItem from = plain.getFromItem();
        if (plain.getJoins() != null && !plain.getJoins().isEmpty()) {
            qualifier =
                    from.getAlias() != null
                            ? new Table(from.getAlias().getName())
                            : from instanceof Table ? new Table(((Table) from).getName()) : null;
        }
        List<SelectItem<?>> items = new ArrayList<>();
        items.add(SelectItem.from(new Column(qualifier, BLOCK_NUM)));
        items.addAll(plain.getSelectItems());
        plain.setSelectItems(items);
        return true;
    }

    private static boolean selectsBlockNum(Select select) {
        if (select instanceof ParenthesedSelect) {
            return selectsBlockNum(((ParenthesedSelect) select).getSelect());
        }
        if (!(select instanceof PlainSelect)) {
            return true; // nested set operations: leave as written
        }
        for (SelectItem<?> item : ((PlainSelect) select).getSelectItems()) {
            if (item.getExpression() instanceof AllColumns) {
                return true;
            }
            String alias = item.getAliasName();
            if (alias != null) {
                if (unquote(alias).equals(BLOCK_NUM)) {
                    return true;
                }
            } else if (item.getExpression() instanceof Column
                    && unquote(((Column) item.getExpression()).getColumnName()).equals(BLOCK_NUM)) {
                return true;
            }
        }
        return false;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
                ? s.substring(1, s.length() - 1)
                : s;
    }

    /** JSqlParser's message without its long list of expected tokens, plus the offending line. */
    private static String parseError(JSQLParserException e, String sql) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = String.valueOf(cause.getMessage());
        int cut = message.indexOf("Was expecting");
        if (cut > 0) {
            message = message.substring(0, cut);
        }
        message = message.replaceAll("\\s+", " ").strip();
        if (message.startsWith("net.sf.jsqlparser.parser.ParseException: ")) {
            message = message.substring("net.sf.jsqlparser.parser.ParseException: ".length());
        }
        if (sql.toUpperCase(java.util.Locale.ROOT).contains("SETTINGS")) {
            message += " (leave out SETTINGS: Sluice streams every table itself)";
        }
        return message;
    }
}
