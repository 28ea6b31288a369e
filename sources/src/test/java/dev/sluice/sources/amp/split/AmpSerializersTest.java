package dev.sluice.sources.amp.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.AmpRecordSerializer;
import dev.sluice.sources.amp.AmpStreamSpec;
import dev.sluice.sources.amp.enumerator.AmpEnumState;
import dev.sluice.sources.amp.enumerator.AmpEnumStateSerializer;
import dev.sluice.sources.amp.protocol.BlockHashes;
import dev.sluice.sources.amp.protocol.BlockRange;
import dev.sluice.sources.amp.protocol.BlockRef;
import dev.sluice.sources.amp.protocol.ResumeCursor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class AmpSerializersTest {

    static final String H = "0x" + "c".repeat(64);

    static AmpSplit split() {
        return new AmpSplit(
                new AmpStreamSpec(
                        "s", "logs", "SELECT * FROM x WHERE a = '" + "y".repeat(70_000) + "'"),
                new ResumeCursor(Map.of("eth", new BlockRef(7, H), "base", new BlockRef(3, H))),
                Map.of("eth", 8L));
    }

    @Test
    void splitRoundTripsIncludingLongSql() throws IOException {
        AmpSplit split = split();
        byte[] bytes = AmpSplitSerializer.INSTANCE.serialize(split);
        assertThat(AmpSplitSerializer.INSTANCE.deserialize(1, bytes)).isEqualTo(split);
    }

    @Test
    void unknownVersionsAreAnErrorNotAnEmptyState() {
        assertThatThrownBy(() -> AmpSplitSerializer.INSTANCE.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 99");
        assertThatThrownBy(() -> AmpEnumStateSerializer.INSTANCE.deserialize(9, new byte[0]))
                .isInstanceOf(IOException.class);
    }

    @Test
    void enumStateRoundTrips() throws IOException {
        AmpStreamSpec a = new AmpStreamSpec("a#1", "a", "SELECT 1");
        AmpStreamSpec b = new AmpStreamSpec("b#2", "b", "SELECT 2");
        AmpStreamSpec c = new AmpStreamSpec("b#3", "b", "SELECT 3");
        AmpEnumState state =
                new AmpEnumState(List.of(a), List.of(split()), List.of(b), List.of(c), Set.of("b"));
        byte[] bytes = AmpEnumStateSerializer.INSTANCE.serialize(state);
        assertThat(AmpEnumStateSerializer.INSTANCE.getVersion()).isEqualTo(2);
        assertThat(AmpEnumStateSerializer.INSTANCE.deserialize(2, bytes)).isEqualTo(state);
    }

    @Test
    void versionOneEnumStateReadsAssignedIdsAsSpecsWithoutSql() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(1);
        out.writeUTF("d.blocks");
        out.writeInt(1);
        AmpSplitSerializer.write(split(), out);
        AmpEnumState state = AmpEnumStateSerializer.INSTANCE.deserialize(1, out.getCopyOfBuffer());
        assertThat(state.assigned()).containsExactly(new AmpStreamSpec("d.blocks", "d.blocks", ""));
        assertThat(state.pending()).containsExactly(split());
        assertThat(state.removing()).isEmpty();
        assertThat(state.draining()).isEmpty();
    }

    @Test
    void recordsRoundTripThroughTheShuffleSerializer() throws IOException {
        List<BlockRange> ranges =
                List.of(new BlockRange("eth", 0, 3, H, BlockHashes.ZERO, 1700000000L));
        for (AmpRecord r :
                List.of(
                        AmpRecord.data("s", "t", ranges, new byte[] {1, 2, 3}, 3),
                        AmpRecord.rollback("s", "t", "eth", 2),
                        AmpRecord.complete("s", "t", ranges))) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            AmpRecordSerializer.INSTANCE.serialize(r, out);
            AmpRecord back =
                    AmpRecordSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).isEqualTo(r);
        }
    }
}
