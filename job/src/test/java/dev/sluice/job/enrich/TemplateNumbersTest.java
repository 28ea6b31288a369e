package dev.sluice.job.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Whole numbers of every Java type render and compute like Jinja's ints, in keys and paths. */
class TemplateNumbersTest {

    @Test
    void unsignedBlockNumbersComputeAsIntegers() throws Exception {
        LookupTemplate key =
                LookupTemplate.parse(
                        "parity",
                        "key",
                        "p:{{ n % 2 }}:{{ n + 1 }}:{{ d }}",
                        LookupTemplate.Mode.RAW);
        assertThat(key.render(Map.of("n", BigInteger.valueOf(5), "d", new BigDecimal("12"))))
                .isEqualTo("p:1:6:12");
    }

    @Test
    void numbersInPathsStayNumbersAndStringsAreEncoded() throws Exception {
        LookupTemplate path =
                LookupTemplate.parse(
                        "blocks",
                        "path",
                        "/b?from={{ n }}&to={{ n + 9 }}&who={{ who }}",
                        LookupTemplate.Mode.PATH);
        assertThat(path.render(Map.of("n", BigInteger.valueOf(10), "who", "a&b=c")))
                .isEqualTo("/b?from=10&to=19&who=a%26b%3Dc");
    }
}
