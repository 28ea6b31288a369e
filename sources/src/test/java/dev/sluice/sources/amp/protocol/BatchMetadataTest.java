package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
