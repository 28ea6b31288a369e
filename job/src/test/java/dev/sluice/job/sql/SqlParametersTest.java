package dev.sluice.job.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SqlParametersTest {

    private static List<String> params(String sql) {
        return SqlParameters.parse(sql).params.stream()
                .map(Object::toString)
                .collect(Collectors.toList());
    }

    @Test
    void findsParametersOutsideLiteralsCommentsAndCasts() {
        String sql =
                "SELECT ':a', \":b\", x::int, :c, :new.d, :old.\"E f\" -- :g\n"
                        + "/* :h */ FROM t WHERE y = :c2";

        assertThat(params(sql)).containsExactly(":c", ":new.d", ":old.E f", ":c2");
    }

    @Test
    void replacesParametersWithCastPlaceholders() {
        SqlParameters p = SqlParameters.parse("SELECT * FROM t WHERE a = :a AND b = :b::text");

        assertThat(p.jdbcSql(Arrays.asList("int8", null)))
                .isEqualTo("SELECT * FROM t WHERE a = CAST(? AS int8) AND b = ?::text");
    }

    @Test
    void anUnterminatedQuotedMemberIsAnError() {
        assertThatThrownBy(() -> SqlParameters.parse("SELECT :new.\"x"))
                .hasMessageContaining("unterminated quoted column after :new.");
    }
}
