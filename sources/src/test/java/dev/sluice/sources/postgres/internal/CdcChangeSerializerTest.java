package dev.sluice.sources.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.postgres.CdcChange;
import dev.sluice.sources.postgres.CdcChange.Op;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Round trips of {@link CdcChange} (records and the merge's keyed state) and its versioning. */
class CdcChangeSerializerTest {

    private static final CdcChangeSerializer S = CdcChangeSerializer.INSTANCE;

    static final String[] COLUMNS = {
        "n", "b", "s", "i", "l", "f", "d", "dec", "str", "bytes", "date", "time", "ts", "tstz",
        "uuid"
    };

    static Object[] values(int seed) {
        return new Object[] {
            null,
            seed % 2 == 0,
            (short) -seed,
            Integer.MIN_VALUE + seed,
            Long.MAX_VALUE - seed,
            1.5f * seed,
            -2.25 * seed,
            new BigDecimal("-12345678901234567890.000123").add(BigDecimal.valueOf(seed)),
            "O'Brien'; DROP TABLE x; -- ünïcødé " + seed,
            new byte[] {0, (byte) seed, (byte) 0xff},
            LocalDate.of(1999, 12, 31).plusDays(seed),
            LocalTime.of(23, 59, 59, 999_999_000),
            LocalDateTime.of(2024, 2, 29, 12, 0, 1, 123_456_000),
            OffsetDateTime.of(2024, 2, 29, 12, 0, 1, 123_456_000, ZoneOffset.ofHours(-5)),
            new UUID(seed, -seed)
        };
    }

    static List<CdcChange> changes() {
        String[] types = new String[COLUMNS.length];
        types[3] = "int4";
        types[8] = "text";
        boolean[] unchanged = new boolean[COLUMNS.length];
        unchanged[8] = true;
        return List.of(
                new CdcChange(Op.READ, "public", "t", COLUMNS, null, null, values(1), null, 0),
                new CdcChange(Op.INSERT, "public", "t", COLUMNS, types, null, values(2), null, 7),
                new CdcChange(
                        Op.UPDATE,
                        "s",
                        "t",
                        COLUMNS,
                        types,
                        values(3),
                        values(4),
                        unchanged,
                        Long.MAX_VALUE),
                new CdcChange(Op.DELETE, "s", "t", COLUMNS, types, values(5), null, null, 99),
                new CdcChange(
                        Op.DELETE,
                        "s",
                        "t",
                        new String[] {"id"},
                        null,
                        new Object[] {1},
                        null,
                        null,
                        1));
    }

    private static byte[] bytes(CdcChange c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(c, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void everyOpAndValueTypeRoundTrips() throws IOException {
        for (CdcChange c : changes()) {
            CdcChange back = S.deserialize(new DataInputDeserializer(bytes(c)));
            assertThat(back).isEqualTo(c);
            assertThat(back.unchangedFlags()).isEqualTo(c.unchangedFlags());
            assertThat(back.types()).isEqualTo(c.types());
        }
    }

    @Test
    void copyBetweenViewsKeepsTheBytes() throws IOException {
        for (CdcChange c : changes()) {
            byte[] b = bytes(c);
            DataOutputSerializer out = new DataOutputSerializer(64);
            S.copy(new DataInputDeserializer(b), out);
            assertThat(out.getCopyOfBuffer()).isEqualTo(b);
        }
    }

    @Test
    void unknownVersionOpOrValueTagIsAnIOException() throws IOException {
        byte[] b = bytes(changes().get(1));
        byte[] version = b.clone();
        version[0] = 99;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(version)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 99");
        byte[] op = b.clone();
        op[1] = 42;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(op)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("op 42");
        assertThatThrownBy(
                        () ->
                                CdcChangeSerializer.readValue(
                                        new DataInputDeserializer(new byte[] {77})))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tag 77");
    }

    @Test
    void unsupportedValueFailsWhenWritten() {
        CdcChange c =
                new CdcChange(
                        Op.INSERT,
                        "s",
                        "t",
                        new String[] {"x"},
                        null,
                        null,
                        new Object[] {new Object()},
                        null,
                        1);
        assertThatThrownBy(() -> bytes(c))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unsupported change value type java.lang.Object");
    }

    @Test
    void serializerSnapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<CdcChange> snapshot = S.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<CdcChange> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        TypeSerializer<CdcChange> serializer = restored.restoreSerializer();
        assertThat(serializer).isSameAs(S);
        TypeSerializerSchemaCompatibility<CdcChange> compat =
                S.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compat.isCompatibleAsIs()).isTrue();
        assertThat(
                        CdcChange.typeInfo()
                                .createSerializer(
                                        new org.apache.flink.api.common.serialization
                                                .SerializerConfigImpl()))
                .isSameAs(S);
    }
}
