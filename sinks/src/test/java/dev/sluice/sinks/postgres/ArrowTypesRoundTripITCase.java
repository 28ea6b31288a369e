package dev.sluice.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.internal.RecordApplier;
import dev.sluice.testutils.PostgresExtension;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every Arrow type of amp-protocol.md §6 goes through the table DDL and the binary COPY encoder
 * into a real PostgreSQL and reads back as the expected value. Row 0 and 2 carry values, row 1
 * nulls.
 */
@org.junit.jupiter.api.Timeout(120)
class ArrowTypesRoundTripITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableRef TABLE = new TableRef("amp", "all_types");

    private BufferAllocator alloc;
    private final List<FieldVector> vectors = new ArrayList<>();

    /** column → expected text of rows 0 and 2 (prefix "json:" compares as JSONB). */
    private final Map<String, String[]> expected = new LinkedHashMap<>();

    @BeforeEach
    void setUp() {
        alloc = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        alloc.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private <V extends FieldVector> V add(V v, String row0, String row2) {
        v.setValueCount(3);
        vectors.add(v);
        expected.put(v.getName(), new String[] {row0, row2});
        return v;
    }

    @Test
    void everyTypeRoundTripsThroughBinaryCopy() throws Exception {
        IntVector id = new IntVector("id", alloc);
        id.setSafe(0, 0);
        id.setSafe(1, 1);
        id.setSafe(2, 2);
        add(id, "0", "2");

        BitVector bool = new BitVector("bool", alloc);
        bool.setSafe(0, 1);
        bool.setSafe(2, 0);
        add(bool, "true", "false");

        TinyIntVector i8 = new TinyIntVector("i8", alloc);
        i8.setSafe(0, -128);
        i8.setSafe(2, 127);
        add(i8, "-128", "127");
        UInt1Vector u8 = new UInt1Vector("u8", alloc);
        u8.setSafe(0, 255);
        u8.setSafe(2, 0);
        add(u8, "255", "0");
        SmallIntVector i16 = new SmallIntVector("i16", alloc);
        i16.setSafe(0, -32768);
        i16.setSafe(2, 32767);
        add(i16, "-32768", "32767");
        UInt2Vector u16 = new UInt2Vector("u16", alloc);
        u16.setSafe(0, 65535);
        u16.setSafe(2, 1);
        add(u16, "65535", "1");
        IntVector i32 = new IntVector("i32", alloc);
        i32.setSafe(0, Integer.MIN_VALUE);
        i32.setSafe(2, Integer.MAX_VALUE);
        add(i32, "-2147483648", "2147483647");
        UInt4Vector u32 = new UInt4Vector("u32", alloc);
        u32.setSafe(0, -1);
        u32.setSafe(2, 7);
        add(u32, "4294967295", "7");
        BigIntVector i64 = new BigIntVector("i64", alloc);
        i64.setSafe(0, Long.MIN_VALUE);
        i64.setSafe(2, Long.MAX_VALUE);
        add(i64, "-9223372036854775808", "9223372036854775807");
        UInt8Vector u64 = new UInt8Vector("u64", alloc);
        u64.setSafe(0, -1L);
        u64.setSafe(2, Long.MIN_VALUE);
        add(u64, "18446744073709551615", "9223372036854775808");

        Float2Vector f16 = new Float2Vector("f16", alloc);
        f16.setSafeWithPossibleTruncate(0, 1.5f);
        f16.setSafeWithPossibleTruncate(2, -0.25f);
        add(f16, "1.5", "-0.25");
        Float4Vector f32 = new Float4Vector("f32", alloc);
        f32.setSafe(0, 3.25f);
        f32.setSafe(2, Float.NaN);
        add(f32, "3.25", "NaN");
        Float8Vector f64 = new Float8Vector("f64", alloc);
        f64.setSafe(0, -2.5e300);
        f64.setSafe(2, 0.1);
        add(f64, "-2.5e+300", "0.1");

        DecimalVector d38 = new DecimalVector("d38", alloc, 38, 0);
        d38.setSafe(0, new BigDecimal("12345678901234567890123456789012345678"));
        d38.setSafe(2, new BigDecimal("-99999999999999999999999999999999999999"));
        add(
                d38,
                "12345678901234567890123456789012345678",
                "-99999999999999999999999999999999999999");
        DecimalVector d20s4 = new DecimalVector("d20s4", alloc, 20, 4);
        d20s4.setSafe(0, new BigDecimal("-123.4567"));
        d20s4.setSafe(2, new BigDecimal("0.0001"));
        add(d20s4, "-123.4567", "0.0001");
        DecimalVector d10s3 = new DecimalVector("d10s3", alloc, 10, 3);
        d10s3.setSafe(0, new BigDecimal("1234567.890"));
        d10s3.setSafe(2, new BigDecimal("0.000"));
        add(d10s3, "1234567.890", "0.000");
        Decimal256Vector d76 = new Decimal256Vector("d76", alloc, 76, 0);
        BigInteger big = BigInteger.TWO.pow(250).add(BigInteger.valueOf(12345));
        d76.setSafe(0, new BigDecimal(big));
        d76.setSafe(2, new BigDecimal(big.negate()));
        add(d76, big.toString(), big.negate().toString());
        Decimal256Vector d50s10 = new Decimal256Vector("d50s10", alloc, 50, 10);
        d50s10.setSafe(0, new BigDecimal("-1.0000000001"));
        d50s10.setSafe(2, new BigDecimal("1234567890123456789012345678901234567890.0123456789"));
        add(d50s10, "-1.0000000001", "1234567890123456789012345678901234567890.0123456789");

        TimeStampNanoTZVector tsNs = new TimeStampNanoTZVector("ts_ns_utc", alloc, "+00:00");
        tsNs.setSafe(0, 1_700_000_000_123_456_789L);
        tsNs.setSafe(2, -1L); // 1969-12-31 23:59:59.999999999 → truncated down to ...999999
        add(tsNs, "2023-11-14 22:13:20.123456+00", "1969-12-31 23:59:59.999999+00");
        TimeStampNanoVector tsNsLocal = new TimeStampNanoVector("ts_ns", alloc);
        tsNsLocal.setSafe(0, 1_700_000_000_123_456_789L);
        tsNsLocal.setSafe(2, 0L);
        add(tsNsLocal, "2023-11-14 22:13:20.123456", "1970-01-01 00:00:00");
        TimeStampMicroVector tsUs = new TimeStampMicroVector("ts_us", alloc);
        tsUs.setSafe(0, 946_684_800_000_001L);
        tsUs.setSafe(2, -946_684_800_000_000L);
        add(tsUs, "2000-01-01 00:00:00.000001", "1940-01-02 00:00:00");
        TimeStampMilliTZVector tsMs =
                new TimeStampMilliTZVector("ts_ms_tz", alloc, "Europe/Berlin");
        tsMs.setSafe(0, 1_600_000_000_123L);
        tsMs.setSafe(2, 0L);
        add(tsMs, "2020-09-13 12:26:40.123+00", "1970-01-01 00:00:00+00");
        TimeStampSecVector tsS = new TimeStampSecVector("ts_s", alloc);
        tsS.setSafe(0, 86_400L);
        tsS.setSafe(2, 4_102_444_800L);
        add(tsS, "1970-01-02 00:00:00", "2100-01-01 00:00:00");

        DateDayVector date32 = new DateDayVector("date32", alloc);
        date32.setSafe(0, 19_000);
        date32.setSafe(2, -1);
        add(date32, "2022-01-08", "1969-12-31");
        DateMilliVector date64 = new DateMilliVector("date64", alloc);
        date64.setSafe(0, 19_000L * 86_400_000L);
        date64.setSafe(2, 0L);
        add(date64, "2022-01-08", "1970-01-01");

        TimeSecVector t32s = new TimeSecVector("t32s", alloc);
        t32s.setSafe(0, 13 * 3600 + 14 * 60 + 15);
        t32s.setSafe(2, 0);
        add(t32s, "13:14:15", "00:00:00");
        TimeMilliVector t32ms = new TimeMilliVector("t32ms", alloc);
        t32ms.setSafe(0, (13 * 3600 + 14 * 60 + 15) * 1000 + 123);
        t32ms.setSafe(2, 86_399_999);
        add(t32ms, "13:14:15.123", "23:59:59.999");
        TimeMicroVector t64us = new TimeMicroVector("t64us", alloc);
        t64us.setSafe(0, (13L * 3600 + 14 * 60 + 15) * 1_000_000 + 123_456);
        t64us.setSafe(2, 1L);
        add(t64us, "13:14:15.123456", "00:00:00.000001");
        TimeNanoVector t64ns = new TimeNanoVector("t64ns", alloc);
        t64ns.setSafe(0, (13L * 3600 + 14 * 60 + 15) * 1_000_000_000 + 123_456_789);
        t64ns.setSafe(2, 999L);
        add(t64ns, "13:14:15.123456", "00:00:00");

        DurationVector durNs =
                new DurationVector(
                        "dur_ns",
                        FieldType.nullable(new ArrowType.Duration(TimeUnit.NANOSECOND)),
                        alloc);
        durNs.setSafe(0, 90_061_123_456_789L);
        durNs.setSafe(2, -1_500_000_000L);
        add(durNs, "25:01:01.123456", "-00:00:01.5");
        DurationVector durS =
                new DurationVector(
                        "dur_s",
                        FieldType.nullable(new ArrowType.Duration(TimeUnit.SECOND)),
                        alloc);
        durS.setSafe(0, 3600);
        durS.setSafe(2, 0);
        add(durS, "01:00:00", "00:00:00");

        VarCharVector utf = new VarCharVector("utf8", alloc);
        utf.setSafe(0, utf8("héllo \"quoted\" \\ ünïcode ✓"));
        utf.setSafe(2, utf8(""));
        add(utf, "héllo \"quoted\" \\ ünïcode ✓", "");
        LargeVarCharVector lutf = new LargeVarCharVector("large_utf8", alloc);
        lutf.setSafe(0, utf8("large"));
        lutf.setSafe(2, utf8("x".repeat(100_000)));
        add(lutf, "large", "x".repeat(100_000));
        VarBinaryVector bin = new VarBinaryVector("bin", alloc);
        bin.setSafe(0, new byte[] {0, 1, 2, (byte) 0xff});
        bin.setSafe(2, new byte[0]);
        add(bin, "\\x000102ff", "\\x");
        LargeVarBinaryVector lbin = new LargeVarBinaryVector("large_bin", alloc);
        lbin.setSafe(0, new byte[] {(byte) 0xde, (byte) 0xad});
        lbin.setSafe(2, new byte[] {7});
        add(lbin, "\\xdead", "\\x07");
        FixedSizeBinaryVector fsb = new FixedSizeBinaryVector("fsb3", alloc, 3);
        fsb.setSafe(0, new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef});
        fsb.setSafe(2, new byte[] {0, 0, 1});
        add(fsb, "\\xabcdef", "\\x000001");

        // List<Int64> with a null element and an empty list.
        ListVector list = ListVector.empty("list_i64", alloc);
        BigIntVector listData =
                (BigIntVector)
                        list.addOrGetVector(FieldType.nullable(new ArrowType.Int(64, true)))
                                .getVector();
        list.startNewValue(0);
        listData.setSafe(0, 1);
        listData.setNull(1);
        listData.setSafe(2, 3);
        list.endValue(0, 3);
        list.startNewValue(2);
        list.endValue(2, 0);
        listData.setValueCount(3);
        add(list, "{1,NULL,3}", "{}");

        // LargeList<Utf8>.
        LargeListVector llist = LargeListVector.empty("llist_utf8", alloc);
        VarCharVector llData =
                (VarCharVector)
                        llist.addOrGetVector(FieldType.nullable(ArrowType.Utf8.INSTANCE))
                                .getVector();
        llist.startNewValue(0);
        llData.setSafe(0, utf8("a"));
        llData.setSafe(1, utf8("b c"));
        llist.endValue(0, 2);
        llist.startNewValue(2);
        llData.setSafe(2, utf8("\"q\""));
        llist.endValue(2, 1);
        llData.setValueCount(3);
        add(llist, "{a,\"b c\"}", "{\"\\\"q\\\"\"}");

        // FixedSizeList<Float64>[2].
        FixedSizeListVector fsl = FixedSizeListVector.empty("fsl_f64", 2, alloc);
        Float8Vector fslData =
                (Float8Vector)
                        fsl.addOrGetVector(
                                        FieldType.nullable(
                                                new ArrowType.FloatingPoint(
                                                        org.apache.arrow.vector.types
                                                                .FloatingPointPrecision.DOUBLE)))
                                .getVector();
        fsl.setNotNull(0);
        fslData.setSafe(0, 1.5);
        fslData.setSafe(1, -2);
        fsl.setNull(1);
        fsl.setNotNull(2);
        fslData.setSafe(4, 0);
        fslData.setSafe(5, 1e-3);
        fslData.setValueCount(6);
        add(fsl, "{1.5,-2}", "{0,0.001}");

        // Struct<a Int32, b Utf8, c FSB2, d Decimal(10,2), e Struct<x UInt64>> → JSONB.
        StructVector struct = StructVector.empty("struct", alloc);
        IntVector sa =
                struct.addOrGet(
                        "a", FieldType.nullable(new ArrowType.Int(32, true)), IntVector.class);
        VarCharVector sb =
                struct.addOrGet(
                        "b", FieldType.nullable(ArrowType.Utf8.INSTANCE), VarCharVector.class);
        FixedSizeBinaryVector sc =
                struct.addOrGet(
                        "c",
                        FieldType.nullable(new ArrowType.FixedSizeBinary(2)),
                        FixedSizeBinaryVector.class);
        DecimalVector sd =
                struct.addOrGet(
                        "d",
                        FieldType.nullable(new ArrowType.Decimal(10, 2, 128)),
                        DecimalVector.class);
        StructVector se =
                struct.addOrGet(
                        "e", FieldType.nullable(ArrowType.Struct.INSTANCE), StructVector.class);
        UInt8Vector sex =
                se.addOrGet(
                        "x", FieldType.nullable(new ArrowType.Int(64, false)), UInt8Vector.class);
        struct.setIndexDefined(0);
        sa.setSafe(0, 1);
        sb.setSafe(0, utf8("x\"y"));
        sc.setSafe(0, new byte[] {(byte) 0xab, (byte) 0xcd});
        sd.setSafe(0, new BigDecimal("-12.34"));
        se.setIndexDefined(0);
        sex.setSafe(0, -1L);
        struct.setNull(1);
        struct.setIndexDefined(2);
        sa.setNull(2);
        sb.setSafe(2, utf8(""));
        sc.setNull(2);
        sd.setSafe(2, new BigDecimal("0.50"));
        se.setNull(2);
        add(
                struct,
                "json:{\"a\":1,\"b\":\"x\\\"y\",\"c\":\"0xabcd\",\"d\":\"-12.34\",\"e\":{\"x\":18446744073709551615}}",
                "json:{\"a\":null,\"b\":\"\",\"c\":null,\"d\":\"0.50\",\"e\":null}");

        // List<Struct<addr FSB2, n Int64>> → jsonb[] (like access_list).
        ListVector los = ListVector.empty("list_struct", alloc);
        StructVector losData =
                (StructVector)
                        los.addOrGetVector(FieldType.nullable(ArrowType.Struct.INSTANCE))
                                .getVector();
        FixedSizeBinaryVector losAddr =
                losData.addOrGet(
                        "addr",
                        FieldType.nullable(new ArrowType.FixedSizeBinary(2)),
                        FixedSizeBinaryVector.class);
        BigIntVector losN =
                losData.addOrGet(
                        "n", FieldType.nullable(new ArrowType.Int(64, true)), BigIntVector.class);
        los.startNewValue(0);
        losData.setIndexDefined(0);
        losAddr.setSafe(0, new byte[] {1, 2});
        losN.setSafe(0, 5);
        losData.setIndexDefined(1);
        losAddr.setSafe(1, new byte[] {3, 4});
        losN.setSafe(1, -6);
        los.endValue(0, 2);
        los.startNewValue(2);
        los.endValue(2, 0);
        losData.setValueCount(2);
        add(los, "json:[{\"addr\":\"0x0102\",\"n\":5},{\"addr\":\"0x0304\",\"n\":-6}]", "json:[]");

        // List<List<Int32>> → JSONB array of arrays (PostgreSQL arrays must be rectangular).
        ListVector lol = ListVector.empty("list_list", alloc);
        ListVector inner =
                (ListVector)
                        lol.addOrGetVector(FieldType.nullable(ArrowType.List.INSTANCE)).getVector();
        IntVector innerData =
                (IntVector)
                        inner.addOrGetVector(FieldType.nullable(new ArrowType.Int(32, true)))
                                .getVector();
        lol.startNewValue(0);
        inner.startNewValue(0);
        innerData.setSafe(0, 1);
        innerData.setSafe(1, 2);
        inner.endValue(0, 2);
        inner.startNewValue(1);
        innerData.setSafe(2, 3);
        inner.endValue(1, 1);
        lol.endValue(0, 2);
        lol.startNewValue(2);
        inner.setNull(2);
        lol.endValue(2, 1);
        inner.setValueCount(3);
        innerData.setValueCount(3);
        add(lol, "json:[[1,2],[3]]", "json:[null]");

        // Map<Utf8, Int64> → JSONB object.
        MapVector map = MapVector.empty("map", alloc, false);
        StructVector entries =
                (StructVector)
                        map.addOrGetVector(FieldType.notNullable(ArrowType.Struct.INSTANCE))
                                .getVector();
        VarCharVector keys =
                entries.addOrGet(
                        MapVector.KEY_NAME,
                        FieldType.notNullable(ArrowType.Utf8.INSTANCE),
                        VarCharVector.class);
        BigIntVector values =
                entries.addOrGet(
                        MapVector.VALUE_NAME,
                        FieldType.nullable(new ArrowType.Int(64, true)),
                        BigIntVector.class);
        map.startNewValue(0);
        entries.setIndexDefined(0);
        keys.setSafe(0, utf8("k1"));
        values.setSafe(0, 1);
        entries.setIndexDefined(1);
        keys.setSafe(1, utf8("k2"));
        values.setNull(1);
        map.endValue(0, 2);
        map.startNewValue(2);
        entries.setIndexDefined(2);
        keys.setSafe(2, utf8("only"));
        values.setSafe(2, -3);
        map.endValue(2, 1);
        entries.setValueCount(3);
        add(map, "json:{\"k1\":1,\"k2\":null}", "json:{\"only\":-3}");

        // Dictionary<Int32 → Utf8> → TEXT.
        VarCharVector dictValues = new VarCharVector("dict-values", alloc);
        dictValues.setSafe(0, utf8("mainnet"));
        dictValues.setSafe(1, utf8("sepolia"));
        dictValues.setValueCount(2);
        Dictionary dictionary =
                new Dictionary(
                        dictValues, new DictionaryEncoding(7L, false, new ArrowType.Int(32, true)));
        VarCharVector plain = new VarCharVector("dict", alloc);
        plain.setSafe(0, utf8("sepolia"));
        plain.setSafe(2, utf8("mainnet"));
        plain.setValueCount(3);
        FieldVector encoded = (FieldVector) DictionaryEncoder.encode(plain, dictionary);
        plain.close();
        add(encoded, "sepolia", "mainnet");

        DictionaryProvider.MapDictionaryProvider provider =
                new DictionaryProvider.MapDictionaryProvider(dictionary);
        Schema schema = new VectorSchemaRoot(vectors).getSchema();
        byte[] ipc = ArrowBatches.ipc(new ArrayList<>(vectors), provider);
        dictValues.close();

        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(c, TABLE, schema, provider, TableOptions.defaults());
            c.setAutoCommit(false);
            try (BufferAllocator a = new RootAllocator();
                    RecordApplier applier = new RecordApplier(c, a, 1 << 16)) {
                applier.apply(new ArrowBatchRecord(TABLE, null, ipc));
                applier.apply(new ArrowBatchRecord(TABLE, null, ipc)); // shares the open COPY
                applier.finish();
                assertThat(applier.rows()).isEqualTo(6);
            }
            c.commit();
            c.setAutoCommit(true);
            assertColumnTypes(c);
            assertValues(c);
        }
    }

    private void assertColumnTypes(Connection c) throws SQLException {
        Map<String, String> types =
                dev.sluice.sinks.postgres.internal.TableCatalog.readColumns(c, TABLE);
        assertThat(types)
                .containsEntry("u64", "numeric(20,0)")
                .containsEntry("d76", "numeric(76,0)")
                .containsEntry("date64", "date")
                .containsEntry("t64ns", "time without time zone")
                .containsEntry("dur_ns", "interval")
                .containsEntry("ts_ns_utc", "timestamp with time zone")
                .containsEntry("ts_ns", "timestamp without time zone")
                .containsEntry("map", "jsonb")
                .containsEntry("struct", "jsonb")
                .containsEntry("list_struct", "jsonb[]")
                .containsEntry("list_list", "jsonb")
                .containsEntry("list_i64", "bigint[]")
                .containsEntry("fsl_f64", "double precision[]")
                .containsEntry("dict", "text")
                .containsEntry("f16", "real")
                .containsEntry("u32", "bigint")
                .containsEntry("u16", "integer")
                .containsEntry("u8", "smallint");
    }

    private void assertValues(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            String col = e.getKey();
            boolean json = e.getValue()[0].startsWith("json:");
            String expr =
                    json
                            ? "to_jsonb(" + TableRef.quote(col) + ")::text"
                            : TableRef.quote(col) + "::text";
            List<String> got = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT "
                                            + expr
                                            + " FROM "
                                            + TABLE.quoted()
                                            + " ORDER BY id")) {
                while (rs.next()) {
                    got.add(rs.getString(1));
                }
            }
            List<String> want = new ArrayList<>();
            for (int copy = 0; copy < 2; copy++) {
                want.add(json ? canonicalJson(c, e.getValue()[0].substring(5)) : e.getValue()[0]);
                want.add(col.equals("id") ? "1" : null);
                want.add(json ? canonicalJson(c, e.getValue()[1].substring(5)) : e.getValue()[1]);
            }
            want.sort(java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()));
            if (col.equals("id")) {
                want = List.of("0", "0", "1", "1", "2", "2");
            }
            List<String> gotSorted = new ArrayList<>(got);
            gotSorted.sort(java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()));
            assertThat(gotSorted).as("column %s", col).isEqualTo(want);
        }
    }

    private static String canonicalJson(Connection c, String json) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::jsonb::text")) {
            ps.setString(1, json);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void randomDecimalsOfEveryScaleReadBackExactly() throws Exception {
        java.util.Random random = new java.util.Random(42);
        List<FieldVector> columns = new ArrayList<>();
        List<List<BigDecimal>> values = new ArrayList<>();
        int rows = 300;
        for (int scale = 0; scale <= 9; scale++) {
            for (boolean wide : new boolean[] {false, true}) {
                int precision = wide ? 76 : 38;
                FieldVector v =
                        wide
                                ? new Decimal256Vector(
                                        "d" + precision + "_" + scale, alloc, precision, scale)
                                : new DecimalVector(
                                        "d" + precision + "_" + scale, alloc, precision, scale);
                List<BigDecimal> expectedValues = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    int digits = 1 + random.nextInt(precision);
                    BigInteger unscaled = new BigInteger(digits * 3, random);
                    while (unscaled.toString().length() > precision) {
                        unscaled = unscaled.divide(BigInteger.TEN);
                    }
                    if (random.nextBoolean()) {
                        unscaled = unscaled.negate();
                    }
                    BigDecimal d = new BigDecimal(unscaled, scale);
                    expectedValues.add(d);
                    if (wide) {
                        ((Decimal256Vector) v).setSafe(r, d);
                    } else {
                        ((DecimalVector) v).setSafe(r, d);
                    }
                }
                v.setValueCount(rows);
                columns.add(v);
                values.add(expectedValues);
            }
        }
        IntVector id = new IntVector("id", alloc);
        for (int r = 0; r < rows; r++) {
            id.setSafe(r, r);
        }
        id.setValueCount(rows);
        columns.add(0, id);
        Schema schema = new VectorSchemaRoot(columns).getSchema();
        byte[] ipc = ArrowBatches.ipc(new ArrayList<>(columns), null);
        TableRef table = TableRef.of("decimals");
        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(c, table, schema, TableOptions.defaults());
            c.setAutoCommit(false);
            try (BufferAllocator a = new RootAllocator();
                    RecordApplier applier = new RecordApplier(c, a, 1 << 16)) {
                applier.apply(new ArrowBatchRecord(table, null, ipc));
                applier.finish();
            }
            c.commit();
            List<List<BigDecimal>> actual = new ArrayList<>();
            for (int col = 0; col < values.size(); col++) {
                actual.add(new ArrayList<>());
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM decimals ORDER BY id")) {
                while (rs.next()) {
                    for (int col = 0; col < values.size(); col++) {
                        actual.get(col).add(rs.getBigDecimal(col + 2));
                    }
                }
            }
            assertThat(actual).isEqualTo(values);
        }
    }

    @Test
    void networkColumnIsFilledAndRollbackIsPerNetwork() throws Exception {
        TableRef table = new TableRef("public", "blocks");
        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(
                    c,
                    table,
                    ArrowBatches.blocksSchema(),
                    TableOptions.defaults().withNetworkColumn(true));
            c.setAutoCommit(false);
            try (BufferAllocator a = new RootAllocator();
                    RecordApplier applier = new RecordApplier(c, a, 1 << 16)) {
                applier.apply(new ArrowBatchRecord(table, "eth", ArrowBatches.blocks(0, 10)));
                applier.apply(new ArrowBatchRecord(table, "polygon", ArrowBatches.blocks(0, 10)));
                applier.apply(new RollbackRecord(table, "eth", 5));
                applier.apply(new ArrowBatchRecord(table, "eth", ArrowBatches.blocks(5, 7)));
                applier.finish();
            }
            c.commit();
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT _network, count(*), max(_block_num) FROM blocks GROUP"
                                            + " BY 1 ORDER BY 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("eth");
                assertThat(rs.getLong(2)).isEqualTo(7);
                assertThat(rs.getLong(3)).isEqualTo(6);
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("polygon");
                assertThat(rs.getLong(2)).isEqualTo(10);
            }
        }
    }

    @Test
    void rowChangesInsertUpsertAndDelete() throws Exception {
        TableRef table = new TableRef("public", "accounts");
        try (Connection c = PG.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute(
                        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance numeric,"
                                + " data bytea, seen timestamptz, flag boolean)");
            }
            String[] cols = {"id", "name", "balance", "data", "seen", "flag"};
            c.setAutoCommit(false);
            try (BufferAllocator a = new RootAllocator();
                    RecordApplier applier = new RecordApplier(c, a, 1 << 16)) {
                applier.apply(
                        RowChangeRecord.insert(
                                table,
                                cols,
                                new Object[] {
                                    1L,
                                    "a,\"b\"",
                                    new BigDecimal("1.5"),
                                    new byte[] {1, 2},
                                    java.time.Instant.parse("2024-01-01T00:00:00Z"),
                                    true
                                }));
                applier.apply(
                        RowChangeRecord.insert(
                                table,
                                cols,
                                new Object[] {2L, null, BigInteger.TEN, null, null, false}));
                applier.apply(
                        RowChangeRecord.insert(
                                table, cols, new Object[] {3L, "", null, null, null, null}));
                applier.apply(
                        RowChangeRecord.upsert(
                                table,
                                new String[] {"id", "name"},
                                new Object[] {2L, "two"},
                                "id"));
                applier.apply(
                        RowChangeRecord.upsert(
                                table,
                                new String[] {"id", "name"},
                                new Object[] {4L, "four"},
                                "id"));
                applier.apply(
                        RowChangeRecord.delete(table, new String[] {"id"}, new Object[] {1L}));
                applier.apply(
                        RowChangeRecord.insert(
                                table, cols, new Object[] {5L, "five", null, null, null, null}));
                applier.finish();
            }
            c.commit();
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT id, name, balance::text, flag FROM accounts ORDER"
                                            + " BY id")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(
                            rs.getLong(1)
                                    + "|"
                                    + rs.getString(2)
                                    + "|"
                                    + rs.getString(3)
                                    + "|"
                                    + rs.getObject(4));
                }
                assertThat(rows)
                        .containsExactly(
                                "2|two|10|false",
                                "3||null|null",
                                "4|four|null|null",
                                "5|five|null|null");
            }
        }
    }

    @Test
    void incompatibleColumnChangeFailsWithOneClearError() throws Exception {
        TableRef table = new TableRef("public", "evolving");
        try (Connection c = PG.connect()) {
            PostgresTables.ensureTable(
                    c, table, ArrowBatches.blocksSchema(), TableOptions.defaults());
            Schema widened =
                    new Schema(
                            List.of(
                                    org.apache.arrow.vector.types.pojo.Field.notNullable(
                                            "_block_num", new ArrowType.Int(64, false)),
                                    org.apache.arrow.vector.types.pojo.Field.nullable(
                                            "v", ArrowType.Utf8.INSTANCE),
                                    org.apache.arrow.vector.types.pojo.Field.nullable(
                                            "label", ArrowType.Utf8.INSTANCE),
                                    org.apache.arrow.vector.types.pojo.Field.nullable(
                                            "extra", new ArrowType.Int(32, true))));
            assertThatThrownBy(
                            () ->
                                    PostgresTables.ensureTable(
                                            c, table, widened, TableOptions.defaults()))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("\"public\".\"evolving\"")
                    .hasMessageContaining(
                            "column \"v\" is bigint but the upstream schema now needs text");
            Schema added =
                    new Schema(
                            List.of(
                                    org.apache.arrow.vector.types.pojo.Field.notNullable(
                                            "_block_num", new ArrowType.Int(64, false)),
                                    org.apache.arrow.vector.types.pojo.Field.nullable(
                                            "v", new ArrowType.Int(64, true)),
                                    org.apache.arrow.vector.types.pojo.Field.nullable(
                                            "label", ArrowType.Utf8.INSTANCE),
                                    org.apache.arrow.vector.types.pojo.Field.nullable(
                                            "extra", new ArrowType.Int(32, true))));
            PostgresTables.ensureTable(c, table, added, TableOptions.defaults());
            assertThat(dev.sluice.sinks.postgres.internal.TableCatalog.readColumns(c, table))
                    .containsEntry("extra", "integer")
                    .containsEntry("_block_num", "numeric(20,0)");
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT indexdef FROM pg_indexes WHERE tablename ="
                                            + " 'evolving'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).contains("(_block_num)");
            }
        }
    }
}
