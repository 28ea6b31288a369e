package dev.sluice.job.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowExpressionTest {

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theIssuesExampleGivesABigint() throws Exception {
        RowExpression e = RowExpression.compile("order_count > 10 ? 1 : 0", List.of("order_count"));
        assertThat(e.sqlType()).isEqualTo("bigint");
        assertThat(e.evaluate(row("order_count", 11L))).isEqualTo(1L);
        assertThat(e.evaluate(row("order_count", 10))).isEqualTo(0L);
        assertThat(e.evaluate(row("order_count", new BigDecimal("12")))).isEqualTo(1L);
    }

    @Test
    void typesOfResults() throws Exception {
        List<String> cols = List.of("a", "name", "score", "b");
        assertThat(RowExpression.compile("a > 1 && score < 2.5", cols).sqlType())
                .isEqualTo("boolean");
        assertThat(RowExpression.compile("'x-' + string(a)", cols).sqlType()).isEqualTo("text");
        assertThat(RowExpression.compile("double(a) * 1.5", cols).sqlType())
                .isEqualTo("double precision");
        assertThat(RowExpression.compile("a", cols).sqlType()).isNull();
        assertThat(RowExpression.compile("[a, b]", cols).sqlType()).isEqualTo("jsonb");
    }

    @Test
    void valuesOfEveryKindGoInAndComeOut() throws Exception {
        List<String> cols = List.of("name", "flag", "raw", "at", "score");
        assertThat(
                        RowExpression.compile("name.upperAscii() + '!'", cols)
                                .evaluate(row("name", "ada")))
                .isEqualTo("ADA!");
        assertThat(RowExpression.compile("!flag", cols).evaluate(row("flag", true)))
                .isEqualTo(false);
        assertThat(RowExpression.compile("size(raw)", cols).evaluate(row("raw", new byte[3])))
                .isEqualTo(3L);
        OffsetDateTime at = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
        assertThat(
                        RowExpression.compile("at + duration('1h')", cols)
                                .evaluate(row("at", at.toInstant())))
                .isEqualTo(at.plusHours(1));
        assertThat(
                        RowExpression.compile("math.greatest(score, 2.0)", cols)
                                .evaluate(row("score", 1.5f)))
                .isEqualTo(2.0);
        assertThat(RowExpression.compile("{'n': name}", cols).evaluate(row("name", "x")))
                .isEqualTo("{\"n\":\"x\"}");
    }

    @Test
    void nullsAreTestable() throws Exception {
        RowExpression e = RowExpression.compile("tier == null ? 'none' : tier", List.of("tier"));
        assertThat(e.evaluate(row("tier", null))).isEqualTo("none");
        assertThat(e.evaluate(row("tier", "gold"))).isEqualTo("gold");
        RowExpression f = RowExpression.compile("tier", List.of("tier"));
        assertThat(f.evaluate(row())).isNull();
    }

    @Test
    void filtersMustBeBoolean() throws Exception {
        assertThat(RowExpression.compile("a > 1", List.of("a")).test(row("a", 2L))).isTrue();
        assertThatThrownBy(() -> RowExpression.compile("a", List.of("a")).test(row("a", 2L)))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("must be true or false");
    }

    @Test
    void malformedExpressionsSayWhere() {
        assertThatThrownBy(() -> RowExpression.checkSyntax("order_count > ? 1 : 0"))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("1:15");
        assertThatThrownBy(() -> RowExpression.compile("orders > 1", List.of("order_count")))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("undeclared reference to 'orders'")
                .hasMessageContaining("order_count");
        assertThatThrownBy(() -> RowExpression.compile("1 + 'a'", List.of()))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("no matching overload");
    }

    @Test
    void badValuesFailWithTheExpression() throws Exception {
        RowExpression e = RowExpression.compile("a > 10", List.of("a"));
        assertThatThrownBy(() -> e.evaluate(row("a", null)))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("'a > 10'");
        RowExpression d = RowExpression.compile("a / b", List.of("a", "b"));
        assertThatThrownBy(() -> d.evaluate(row("a", 1L, "b", 0L)))
                .isInstanceOf(ExpressionException.class)
                .hasMessageContaining("by zero");
    }

    @Test
    void noJavaAccess() {
        assertThatThrownBy(
                        () -> RowExpression.compile("java.lang.Runtime.getRuntime()", List.of("a")))
                .isInstanceOf(ExpressionException.class);
    }
}
