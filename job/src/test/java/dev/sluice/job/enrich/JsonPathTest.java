package dev.sluice.job.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonPathTest {

    private static final String DOC =
            "{\"a\":{\"b\":[10,20,{\"c\":\"x\"}],\"d.e\":1.50},\"s\":\"text\",\"t\":true,"
                    + "\"n\":null,\"big\":12345678901234567890,\"exp\":1e3}";

    private static String at(String path) throws Exception {
        JsonNode root = OutputValues.JSON.readTree(DOC);
        return JsonPath.text(JsonPath.parse(path).select(root));
    }

    @Test
    void selectsNamesIndexesAndQuotedNames() throws Exception {
        assertThat(at("$.s")).isEqualTo("text");
        assertThat(at("$.a.b[1]")).isEqualTo("20");
        assertThat(at("$.a.b[-1].c")).isEqualTo("x");
        assertThat(at("$['a'][\"d.e\"]")).isEqualTo("1.50");
        assertThat(at("$.a['b'][ 0 ]")).isEqualTo("10");
    }

    @Test
    void scalarsAreTextAndContainersAreJson() throws Exception {
        assertThat(at("$.t")).isEqualTo("true");
        assertThat(at("$.big")).isEqualTo("12345678901234567890");
        assertThat(at("$.exp")).isEqualTo("1000");
        assertThat(at("$.a.b")).isEqualTo("[10,20,{\"c\":\"x\"}]");
        assertThat(at("$.a.b[2]")).isEqualTo("{\"c\":\"x\"}");
        assertThat(at("$")).startsWith("{\"a\":");
    }

    @Test
    void missingStepsGiveNull() throws Exception {
        assertThat(at("$.n")).isNull();
        assertThat(at("$.nope")).isNull();
        assertThat(at("$.s.deeper")).isNull();
        assertThat(at("$.a.b[7]")).isNull();
        assertThat(at("$.s[0]")).isNull();
    }

    @Test
    void badPathsSayWhatIsSupported() {
        for (String bad : new String[] {"a.b", "$..a", "$.a[*]", "$.a[", "$['a", "$a"}) {
            assertThatThrownBy(() -> JsonPath.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("supported: $, .name, ['name'], [index]");
        }
    }
}
