package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetReferenceTest {

    @ParameterizedTest
    @CsvSource({
        "_/eth_rpc@latest, _, eth_rpc, latest",
        "edgeandnode/eth_rpc@1.2.3, edgeandnode, eth_rpc, 1.2.3",
        "eth_rpc@dev, _, eth_rpc, dev",
        "ns/anvil, ns, anvil, latest",
        "anvil, _, anvil, latest",
        "a/b@1.0.0-rc.1+build.5, a, b, 1.0.0-rc.1+build.5",
    })
    void acceptsEveryForm(String text, String namespace, String name, String revision) {
        DatasetReference ref = DatasetReference.parse(text);
        assertThat(ref.namespace()).isEqualTo(namespace);
        assertThat(ref.name()).isEqualTo(name);
        assertThat(ref.revision()).isEqualTo(revision);
    }

    @Test
    void acceptsHashRevisionsAndQuotesForSql() {
        String hash = "ab".repeat(32);
        assertThat(DatasetReference.parse("x@" + hash).revision()).isEqualTo(hash);
        assertThat(DatasetReference.parse("anvil").selectAllFrom("blocks"))
                .isEqualTo("SELECT * FROM \"_/anvil@latest\".\"blocks\"");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Eth",
                "1eth",
                "eth-rpc",
                "a/b/c",
                "a@",
                "a@@1",
                "a@1.2",
                "a@v1.2.3",
                "/a",
                "a/",
                "a@abc"
            })
    void rejectsMalformedWithOneClearMessage(String text) {
        assertThatThrownBy(() -> DatasetReference.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Malformed dataset reference '" + text + "'")
                .hasMessageContaining("Expected namespace/name@revision");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> DatasetReference.parse(" ")).hasMessageContaining("empty");
    }
}
