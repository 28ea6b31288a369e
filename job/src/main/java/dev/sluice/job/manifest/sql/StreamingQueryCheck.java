package dev.sluice.job.manifest.sql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Walks a parsed query — every subquery, CTE and set-operation branch — and records what keeps it
 * from being streamed incrementally (protocol §2.7: ORDER BY, LIMIT/OFFSET/FETCH, DISTINCT,
 * aggregates, GROUP BY/HAVING, window functions, recursive CTEs), plus every table it reads.
 */
final class StreamingQueryCheck extends TablesNamesFinder<Void> {

    /** DataFusion's aggregate functions (and the usual SQL ones) by lower-case name. */
    static final Set<String> AGGREGATES =
            Set.of(
                    "count",
                    "sum",
                    "avg",
                    "mean",
                    "min",
                    "max",
                    "array_agg",
                    "string_agg",
                    "first_value",
                    "last_value",
                    "median",
                    "approx_distinct",
                    "approx_median",
                    "approx_percentile_cont",
                    "approx_percentile_cont_with_weight",
                    "bit_and",
                    "bit_or",
                    "bit_xor",
                    "bool_and",
                    "bool_or",
                    "corr",
                    "covar",
                    "covar_pop",
                    "covar_samp",
                    "stddev",
                    "stddev_pop",
                    "stddev_samp",
                    "var",
                    "var_pop",
                    "var_samp",
                    "var_population",
                    "var_sample",
                    "variance",
                    "variance_pop",
                    "regr_avgx",
                    "regr_avgy",
                    "regr_count",
                    "regr_intercept",
                    "regr_r2",
                    "regr_slope",
                    "regr_sxx",
                    "regr_sxy",
                    "regr_syy",
                    "grouping",
                    "percentile_cont",
                    "mode",
                    "any_value",
                    "every",
                    "nth_value",
                    "list_agg",
                    "listagg",
                    "group_concat",
                    "count_distinct");

    /** Functions that only exist as window functions. */
    static final Set<String> WINDOW_ONLY =
            Set.of(
                    "row_number",
                    "rank",
                    "dense_rank",
                    "percent_rank",
                    "cume_dist",
                    "ntile",
                    "lag",
                    "lead");

    private final List<String> problems = new ArrayList<>();
    private final List<Table> tables = new ArrayList<>();
    private final Set<String> cteNames = new HashSet<>();
    private int depth;
    private int setOperations;

    /**
     * Walks {@code statement}; afterwards {@link #problems()} and {@link #tables()} hold results.
     */
    void check(Statement statement) {
        getTables(statement);
    }

    /** What makes the query non-incremental, each naming the clause and where it is. */
    List<String> problems() {
        return problems;
    }

    /** Every table the query reads (not CTE names). */
    List<Table> tables() {
        List<Table> real = new ArrayList<>();
        for (Table t : tables) {
            if (t.getSchemaName() != null
                    || !cteNames.contains(t.getName().toLowerCase(Locale.ROOT))) {
                real.add(t);
            }
        }
        return real;
    }

    private String where() {
        if (depth > 1) {
            return "in a subquery";
        }
        return setOperations > 0 ? "in a branch of a set operation" : "at the top level";
    }

    private void selectClauses(Select select, String where) {
        if (select.getOrderByElements() != null && !select.getOrderByElements().isEmpty()) {
            problems.add("ORDER BY " + where);
        }
        if (select.getLimit() != null || select.getLimitBy() != null) {
            problems.add("LIMIT " + where);
        }
        if (select.getOffset() != null) {
            problems.add("OFFSET " + where);
        }
        if (select.getFetch() != null) {
            problems.add("FETCH " + where);
        }
        if (select.getWithItemsList() != null) {
            for (WithItem<?> w : select.getWithItemsList()) {
                if (w.getAlias() != null) {
                    cteNames.add(w.getAlias().getName().toLowerCase(Locale.ROOT));
                }
                if (w.isRecursive()) {
                    problems.add("WITH RECURSIVE (a recursive query) " + where);
                }
            }
        }
    }

    @Override
    public <S> Void visit(PlainSelect select, S context) {
        depth++;
        try {
            String where = where();
            selectClauses(select, where);
            if (select.getDistinct() != null) {
                problems.add("DISTINCT " + where);
            }
            if (select.getTop() != null) {
                problems.add("TOP " + where);
            }
            if (select.getGroupBy() != null) {
                problems.add("GROUP BY (an aggregation) " + where);
            }
            if (select.getHaving() != null) {
                problems.add("HAVING (an aggregation) " + where);
            }
            if (select.getWindowDefinitions() != null && !select.getWindowDefinitions().isEmpty()) {
                problems.add("WINDOW (window functions) " + where);
            }
            if (select.getQualify() != null) {
                problems.add("QUALIFY (window functions) " + where);
            }
            return super.visit(select, context);
        } finally {
            depth--;
        }
    }

    @Override
    public <S> Void visit(SetOperationList list, S context) {
        String where =
                depth > 0 ? "in a subquery" : "on the set operation (" + list.getOperations() + ")";
        selectClauses(list, where);
        for (Object op : list.getOperations()) {
            String text = op.toString().toUpperCase(Locale.ROOT);
            if ((text.startsWith("UNION")
                            || text.startsWith("INTERSECT")
                            || text.startsWith("EXCEPT")
                            || text.startsWith("MINUS"))
                    && !text.contains("ALL")) {
                problems.add(
                        text
                                + " without ALL (it removes duplicates, like DISTINCT) "
                                + where
                                + "; use "
                                + text
                                + " ALL");
                break;
            }
        }
        setOperations++;
        try {
            return super.visit(list, context);
        } finally {
            setOperations--;
        }
    }

    @Override
    public <S> Void visit(ParenthesedSelect select, S context) {
        depth++;
        try {
            selectClauses(select, where());
        } finally {
            depth--;
        }
        return super.visit(select, context);
    }

    @Override
    public <S> Void visit(Function function, S context) {
        String name = function.getName() == null ? "" : function.getName().toLowerCase(Locale.ROOT);
        if (AGGREGATES.contains(name)) {
            problems.add("aggregate function " + function.getName() + "() " + where());
        } else if (WINDOW_ONLY.contains(name)) {
            problems.add("window function " + function.getName() + "() " + where());
        }
        return super.visit(function, context);
    }

    @Override
    public <S> Void visit(AnalyticExpression expression, S context) {
        AnalyticType type = expression.getType();
        if (type == AnalyticType.OVER || type == AnalyticType.WITHIN_GROUP_OVER) {
            problems.add("window function " + expression.getName() + "() OVER " + where());
        } else {
            problems.add("aggregate function " + expression.getName() + "() " + where());
        }
        return super.visit(expression, context);
    }

    @Override
    public <S> Void visit(Table table, S context) {
        tables.add(table);
        return super.visit(table, context);
    }
}
