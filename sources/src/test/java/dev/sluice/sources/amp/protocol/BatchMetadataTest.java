package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BatchMetadataTest {

    static final String H1 = "0x" + "1".repeat(64);
    static final String H2 = "0x" + "2".repeat(64);

    @Test
    void writesAmpsExactFormWithAlphabeticalKeys() {
        BatchMetadata md =
                new BatchMetadata(
                        List.of(new BlockRange("anvil", 0, 2, H2, BlockHashes.ZERO, 1736160002L)),
                        false);
        assertThat(md.toJson())
                .isEqualTo(
                        "{\"ranges\":[{\"hash\":\""
                                + H2
                                + "\",\"network\":\"anvil\",\"numbers\":{\"end\":2,\"start\":0},"
                                + "\"prev_hash\":\""
                                + BlockHashes.ZERO
                                + "\",\"timestamp\":1736160002}],\"ranges_complete\":false}");
    }

    @Test
    void roundTripsAndLeavesOutAbsentOptionalFields() {
        BatchMetadata md =
                new BatchMetadata(List.of(new BlockRange("eth", 5, 9, H2, H1, null)), true);
        assertThat(md.toJson()).doesNotContain("timestamp");
        assertThat(BatchMetadata.parse(md.toBytes())).isEqualTo(md);
    }

    @Test
    void emptyMetadataIsNoRangesNotComplete() {
        assertThat(BatchMetadata.parse(new byte[0]).ranges()).isEmpty();
        assertThat(BatchMetadata.parse(null).rangesComplete()).isFalse();
        BatchMetadata noData =
                BatchMetadata.parse(
                        "{\"ranges\":[],\"ranges_complete\":true}"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(noData.ranges()).isEmpty();
        assertThat(noData.rangesComplete()).isTrue();
    }

    @Test
    void malformedMetadataIsAProtocolError() {
        assertThatThrownBy(() -> BatchMetadata.parse("{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(
                        () ->
                                BatchMetadata.parse(
                                        "{\"ranges\":[{\"network\":\"a\"}]}"
                                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("numbers.start");
        assertThatThrownBy(
                        () ->
                                BatchMetadata.parse(
                                        ("{\"ranges\":[{\"hash\":\"0x12\",\"network\":\"a\","
                                                        + "\"numbers\":{\"end\":1,\"start\":0}}]}")
                                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("64 hex digits");
    }

    @Test
    @Timeout(10)
    void metadataCutShortAnywhereIsAProtocolError() {
        String whole =
                "{\"ranges\":[{\"hash\":\"0x"
                        + "ab".repeat(32)
                        + "\",\"network\":\"a\",\"numbers\":{\"end\":1,\"start\":0}}],"
                        + "\"ranges_complete\":true}";
        assertThat(BatchMetadata.parse(whole.getBytes(StandardCharsets.UTF_8)).ranges()).hasSize(1);
        // Every prefix ends inside an object, an array, a key or a value: the token loops must
        // end with an error, never spin or return what they had read so far.
        for (int n = 1; n < whole.length(); n++) {
            byte[] cut = whole.substring(0, n).getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> BatchMetadata.parse(cut))
                    .as("cut after %d characters", n)
                    .isInstanceOf(AmpProtocolException.class);
        }
    }

    @Test
    void skipsUnknownFieldsOfAnyShapeAndReadsNullsAsAbsent() {
        String json =
                "{\"extra\":{\"a\":[1,{\"b\":null}],\"ranges\":7},\"ranges\":[{\"hash\":\""
                        + H2
                        + "\",\"more\":[[],{}],\"network\":\"eth\",\"numbers\":{\"end\":9,"
                        + "\"step\":{\"x\":1},\"start\":5},\"prev_hash\":null,\"timestamp\":null}],"
                        + "\"ranges_complete\":true,\"tail\":[1,2,3]}";
        assertThat(BatchMetadata.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(
                        new BatchMetadata(
                                List.of(new BlockRange("eth", 5, 9, H2, null, null)), true));
        assertThat(
                        BatchMetadata.parse(
                                        ("{\"ranges\":[{\"hash\":\""
                                                        + H1
                                                        + "\",\"network\":\"a\",\"numbers\":"
                                                        + "{\"end\":1,\"start\":0}}],"
                                                        + "\"ranges\":null,\"ranges_complete\":false}")
                                                .getBytes(StandardCharsets.UTF_8))
                                .ranges())
                .isEmpty();
    }

    @Test
    void rangesOfTheWrongShapeAreProtocolErrors() {
        for (String json :
                List.of(
                        "{\"ranges\":[7]}",
                        "{\"ranges\":[{\"hash\":\""
                                + H1
                                + "\",\"network\":\"a\",\"numbers\":[0,1]}]}",
                        "{\"ranges\":[{\"hash\":\""
                                + H1
                                + "\",\"network\":\"a\",\"numbers\":{\"end\":1,"
                                + "\"start\":\"0\"}}]}",
                        "{\"ranges\":[{\"hash\":\""
                                + H1
                                + "\",\"network\":\"a\",\"numbers\":{\"end\":"
                                + "99999999999999999999,\"start\":0}}]}",
                        "{\"ranges\":[{\"hash\":\""
                                + H1
                                + "\",\"network\":1,\"numbers\":{\"end\":1,\"start\":0}}]}")) {
            assertThatThrownBy(() -> BatchMetadata.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .as(json)
                    .isInstanceOf(AmpProtocolException.class)
                    .hasMessageContaining("Block range needs network");
        }
        assertThatThrownBy(
                        () ->
                                BatchMetadata.parse(
                                        "{\"ranges\":{}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("'ranges' is not an array");
        assertThatThrownBy(() -> BatchMetadata.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(
                        () ->
                                BatchMetadata.parse(
                                        "{\"ranges\":[{\"hash\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aKnownKeyWithAnObjectOrArrayValueIsSkippedWhole() {
        // Its inner keys must not be read as the enclosing object's: here they would end the
        // top-level object early (losing the ranges) or name a range's fields.
        String json =
                "{\"ranges_complete\":[true,{\"ranges\":null}],\"ranges\":[{\"hash\":\""
                        + H2
                        + "\",\"network\":\"eth\",\"numbers\":{\"end\":9,\"start\":5},"
                        + "\"prev_hash\":{\"network\":\"evil\"}}]}";
        assertThat(BatchMetadata.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(
                        new BatchMetadata(
                                List.of(new BlockRange("eth", 5, 9, H2, null, null)), false));
        String hashIsAnObject =
                "{\"ranges\":[{\"hash\":{\"hash\":\""
                        + H1
                        + "\"},\"network\":\"a\",\"numbers\":{\"end\":1,\"start\":0}}]}";
        assertThatThrownBy(
                        () -> BatchMetadata.parse(hashIsAnObject.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("Block range needs network");
    }
}
