package dev.sluice.job.enrich;

import static dev.sluice.job.enrich.HttpLookupITCase.linked;
import static dev.sluice.job.enrich.HttpLookupITCase.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.enrich.LookupTemplate.Mode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LookupTemplateTest {

    private static final Map<String, String> TYPES =
            linked("id", "int8", "name", "text", "flag", "bool", "day", "date");

    private static LookupTemplate raw(String text) throws LookupSetupException {
        return LookupTemplate.parse("lk", "key", text, Mode.RAW);
    }

    @Test
    void rendersRowValuesWithFilters() throws Exception {
        LookupTemplate t = raw("user:{{ id }}:{{ name | lower }}:{{ day }}:{{ n + 1 }}");

        assertThat(
                        t.render(
                                row(
                                        "id",
                                        7L,
                                        "name",
                                        "ANN",
                                        "day",
                                        LocalDate.of(2024, 1, 2),
                                        "n",
                                        new BigDecimal("1"))))
                .isEqualTo("user:7:ann:2024-01-02:2");
    }

    @Test
    void bytesAreHexAndTimesIso() throws Exception {
        assertThat(
                        raw("{{ addr }}/{{ ts }}")
                                .render(
                                        row(
                                                "addr",
                                                new byte[] {1, (byte) 0xab},
                                                "ts",
                                                java.time.Instant.parse("2024-05-06T07:08:09Z"))))
                .isEqualTo("0x01ab/2024-05-06T07:08:09Z");
    }

    @Test
    void aNullVariableSkipsTheRender() throws Exception {
        Map<String, Object> r = new HashMap<>();
        r.put("id", 1L);
        r.put("name", null);

        assertThat(raw("{{ id }}:{{ name }}").render(r)).isNull();
        assertThat(raw("{{ id }}").render(r)).isEqualTo("1");
    }

    @Test
    void valuesAreNotRenderedAgain() throws Exception {
        assertThat(raw("k:{{ name }}").render(row("name", "{{ 7 * 7 }}")))
                .isEqualTo("k:{{ 7 * 7 }}");
    }

    @Test
    void pathValuesArePercentEncoded() throws Exception {
        LookupTemplate t =
                LookupTemplate.parse("lk", "path", "/u/{{ name }}?x={{ id }}", Mode.PATH);

        assertThat(t.render(row("name", "a b/c?d=e&f#g~ü", "id", 3L)))
                .isEqualTo("/u/a%20b%2Fc%3Fd%3De%26f%23g~%C3%BC?x=3");
    }

    @Test
    void javaMethodsPropertiesAndIncludesAreOutOfReach() throws Exception {
        for (String text :
                new String[] {
                    "{{ name.getClass() }}",
                    "{{ name.toUpperCase() }}",
                    "{{ name.bytes }}",
                    "{{ name.class.forName('java.lang.Runtime') }}",
                    "{{ today() }}",
                    "{{ unixtimestamp() }}"
                }) {
            LookupTemplate t = raw(text);
            assertThatThrownBy(() -> t.render(row("name", "x")))
                    .as(text)
                    .isInstanceOf(LookupException.class)
                    .hasMessageContaining("lk");
        }
    }

    @Test
    void variablesAreFoundInBothBranchesAndCheckedAgainstTheRow() throws Exception {
        LookupTemplate t = raw("{% if flag %}{{ id }}{% else %}{{ name }}{% endif %}");

        assertThat(t.variables(TYPES)).containsExactlyInAnyOrder("flag", "id", "name");
        assertThat(t.variables(null)).containsExactlyInAnyOrder("flag", "id", "name");
        assertThatThrownBy(() -> raw("{{ id }}-{{ user_id }}").variables(TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("Lookup lk")
                .hasMessageContaining("'user_id'")
                .hasMessageContaining("id, name, flag, day");
    }

    @Test
    void loopAndSetVariablesAreNotColumns() throws Exception {
        LookupTemplate t =
                raw("{% set p = 'x' %}{% for i in range(2) %}{{ p }}{{ i }}{% endfor %}{{ id }}");

        assertThat(t.variables(TYPES)).containsExactly("id");
        assertThat(t.render(row("id", 1L))).isEqualTo("x0x11");
    }

    @Test
    void includesAndImportsDoNotParse() {
        for (String text :
                new String[] {
                    "{% include 'log4j2-test.properties' %}",
                    "{% import 'log4j2-test.properties' as x %}",
                    "{% from 'log4j2-test.properties' import y %}",
                    "{% extends 'log4j2-test.properties' %}"
                }) {
            assertThatThrownBy(() -> raw(text))
                    .as(text)
                    .isInstanceOf(LookupSetupException.class)
                    .hasMessageContaining("is disabled");
        }
    }

    @Test
    void randomnessIsOff() throws Exception {
        LookupTemplate t =
                raw("{{ [1, 2, 3, 4, 5, 6] | shuffle | join(',') }}:{{ [1, 2, 3] | random }}");

        assertThat(t.render(row())).isEqualTo(t.render(row()));
    }

    @Test
    void syntaxErrorsCarryJinjavasMessage() {
        assertThatThrownBy(() -> raw("{{ id "))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("Lookup lk: key template does not parse")
                .hasMessageContaining("Unclosed");
        assertThatThrownBy(() -> raw("{% if id %}x").variables(TYPES))
                .isInstanceOf(LookupSetupException.class)
                .hasMessageContaining("Lookup lk");
    }

    @Test
    void outputIsBounded() throws Exception {
        LookupTemplate t = raw("{% for i in range(10000) %}{{ name }}{% endfor %}");

        assertThatThrownBy(() -> t.render(row("name", "x".repeat(1000))))
                .isInstanceOf(LookupException.class);
    }
}
