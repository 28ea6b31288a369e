package dev.sluice.sources.amp.devserver;

import static dev.sluice.sources.amp.devserver.Mix.below;
import static dev.sluice.sources.amp.devserver.Mix.derive;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The three standard EVM raw tables of Amp ({@code blocks}, {@code transactions}, {@code logs})
 * with exactly Amp's column names, order, types and nullability, and deterministic values that
 * exercise the type mapping: UInt64 values above 2^63, Decimal128 values beyond 64 bits, nulls in
 * every nullable column, null topics, uint256 values as decimal text.
 */
final class EvmTables {

    static final long CHAIN_ID = 31337;

    private static final ArrowType FSB20 = new ArrowType.FixedSizeBinary(20);
    private static final ArrowType FSB32 = new ArrowType.FixedSizeBinary(32);

    private EvmTables() {}

    /** All tables by name. */
    static Map<String, DevTable> all() {
        Map<String, DevTable> tables = new TreeMap<>();
        for (DevTable t : List.of(blocks(), transactions(), logs())) {
            tables.put(t.name(), t);
        }
        return tables;
    }

    static DevTable blocks() {
        return new DevTable(
                "blocks",
                DevTable.Grain.BLOCK,
                List.of(
                        Column.u64("_block_num", r -> r.block),
                        Column.u64("block_num", r -> r.block),
                        Column.timestamp("timestamp", r -> r.timestampNanos),
                        Column.fixed("hash", 32, (r, o) -> copy(r.blockHash, o)),
                        Column.fixed("parent_hash", 32, (r, o) -> copy(r.parentHash, o)),
                        Column.fixed("ommers_hash", 32, (r, o) -> RowCursor.word32(0, 1, o)),
                        Column.fixed(
                                "miner",
                                20,
                                (r, o) -> copy(RowCursor.MINERS[below(r.blockSeed, 8)], o)),
                        Column.fixed(
                                "state_root", 32, (r, o) -> RowCursor.word32(r.blockSeed, 2, o)),
                        Column.fixed(
                                "transactions_root",
                                32,
                                (r, o) -> RowCursor.word32(r.blockSeed, 3, o)),
                        Column.fixed(
                                "receipt_root", 32, (r, o) -> RowCursor.word32(r.blockSeed, 4, o)),
                        Column.binary("logs_bloom", 256, EvmTables::logsBloom),
                        Column.decimal("difficulty", EvmTables::difficulty),
                        Column.decimal("total_difficulty", EvmTables::totalDifficulty)
                                .nullWhen(r -> r.block % 5 == 4),
                        Column.u64("gas_limit", r -> 30_000_000L),
                        Column.u64("gas_used", r -> below(derive(r.blockSeed, 5), 30_000_000)),
                        Column.binary("extra_data", 16, EvmTables::extraData),
                        Column.fixed("mix_hash", 32, (r, o) -> RowCursor.word32(r.blockSeed, 6, o)),
                        // A full 64-bit nonce: about half of them lie above 2^63.
                        Column.u64("nonce", r -> derive(r.blockSeed, 7)),
                        Column.decimal("base_fee_per_gas", EvmTables::baseFee)
                                .nullWhen(r -> r.block % 7 == 3),
                        Column.fixed(
                                        "withdrawals_root",
                                        32,
                                        (r, o) -> RowCursor.word32(r.blockSeed, 8, o))
                                .nullWhen(r -> r.block % 3 == 1),
                        Column.u64("blob_gas_used", r -> 131_072L * below(r.blockSeed >>> 8, 7))
                                .nullWhen(r -> r.block % 2 == 1),
                        Column.u64("excess_blob_gas", EvmTables::excessBlobGas)
                                .nullWhen(r -> r.block % 2 == 1),
                        Column.fixed(
                                        "parent_beacon_root",
                                        32,
                                        (r, o) -> RowCursor.word32(r.blockSeed, 9, o))
                                .nullWhen(r -> r.block % 3 == 1),
                        Column.fixed(
                                        "requests_hash",
                                        32,
                                        (r, o) -> RowCursor.word32(r.blockSeed, 10, o))
                                .nullWhen(r -> r.block % 4 != 0)));
    }

    static DevTable transactions() {
        return new DevTable(
                "transactions",
                DevTable.Grain.TRANSACTION,
                List.of(
                        Column.u64("_block_num", r -> r.block),
                        Column.fixed("block_hash", 32, (r, o) -> copy(r.blockHash, o)),
                        Column.u64("block_num", r -> r.block),
                        Column.timestamp("timestamp", r -> r.timestampNanos),
                        Column.u32("tx_index", r -> r.tx),
                        Column.fixed("tx_hash", 32, (r, o) -> copy(r.txHash, o)),
                        Column.fixed("to", 20, (r, o) -> copy(to(r), o))
                                .nullWhen(EvmTables::isContractCreation),
                        Column.u64("nonce", EvmTables::txNonce),
                        Column.decimal("gas_price", EvmTables::gasPrice)
                                .nullWhen(r -> r.txType == RowCursor.TX_SET_CODE),
                        Column.u64("gas_limit", r -> 21_000L + below(derive(r.txSeed, 3), 500_000)),
                        Column.utf8("value", 24, EvmTables::value),
                        Column.binary("input", 80, EvmTables::input),
                        Column.fixed("r", 32, (r, o) -> RowCursor.word32(r.txSeed, 5, o)),
                        Column.fixed("s", 32, (r, o) -> RowCursor.word32(r.txSeed, 6, o)),
                        Column.bool("v_parity", r -> derive(r.txSeed, 7) & 1),
                        Column.u64("chain_id", r -> CHAIN_ID)
                                .nullWhen(
                                        r ->
                                                r.txType == RowCursor.TX_LEGACY
                                                        && (r.txSeed & 1) == 0),
                        Column.u64("gas_used", r -> 21_000L + below(derive(r.txSeed, 8), 200_000)),
                        Column.i32("type", r -> r.txType),
                        Column.decimal("max_fee_per_gas", EvmTables::maxFee)
                                .nullWhen(r -> r.txType < RowCursor.TX_DYNAMIC_FEE),
                        Column.decimal("max_priority_fee_per_gas", EvmTables::priorityFee)
                                .nullWhen(r -> r.txType < RowCursor.TX_DYNAMIC_FEE),
                        Column.decimal("max_fee_per_blob_gas", EvmTables::blobFee)
                                .nullWhen(r -> r.txType != RowCursor.TX_BLOB),
                        Column.fixed("from", 20, (r, o) -> copy(from(r), o)),
                        Column.bool("status", r -> below(derive(r.txSeed, 9), 20) == 0 ? 0 : 1),
                        Column.fixed("state_root", 32, (r, o) -> RowCursor.word32(r.txSeed, 10, o))
                                .nullWhen(
                                        r ->
                                                r.txType != RowCursor.TX_LEGACY
                                                        || (r.txSeed & 2) == 0),
                        Column.nested(
                                "access_list",
                                ArrowType.List.INSTANCE,
                                List.of(accessListItem()),
                                48,
                                r -> r.txType == RowCursor.TX_LEGACY,
                                EvmTables::writeAccessList),
                        Column.nested(
                                "blob_versioned_hashes",
                                ArrowType.List.INSTANCE,
                                List.of(Field.notNullable("item", FSB32)),
                                40,
                                r -> r.txType != RowCursor.TX_BLOB,
                                EvmTables::writeBlobHashes),
                        Column.nested(
                                "authorization_list",
                                ArrowType.List.INSTANCE,
                                List.of(authorizationItem()),
                                40,
                                r -> r.txType != RowCursor.TX_SET_CODE,
                                EvmTables::writeAuthorizations)));
    }

    static DevTable logs() {
        return new DevTable(
                "logs",
                DevTable.Grain.LOG,
                List.of(
                        Column.u64("_block_num", r -> r.block),
                        Column.fixed("block_hash", 32, (r, o) -> copy(r.blockHash, o)),
                        Column.u64("block_num", r -> r.block),
                        Column.timestamp("timestamp", r -> r.timestampNanos),
                        Column.fixed("tx_hash", 32, (r, o) -> copy(r.txHash, o)),
                        Column.u32("tx_index", r -> r.tx),
                        Column.u32("log_index", r -> r.logIndex),
                        Column.fixed(
                                "address",
                                20,
                                (r, o) -> copy(RowCursor.CONTRACTS[below(r.logSeed >>> 8, 16)], o)),
                        Column.fixed("topic0", 32, EvmTables::topic0)
                                .nullWhen(r -> r.event == RowCursor.EVENT_ANONYMOUS),
                        Column.fixed("topic1", 32, EvmTables::topic1)
                                .nullWhen(
                                        r ->
                                                r.event == RowCursor.EVENT_ANONYMOUS
                                                        || r.event == RowCursor.EVENT_SYNC),
                        Column.fixed("topic2", 32, EvmTables::topic2)
                                .nullWhen(r -> r.event > RowCursor.EVENT_APPROVAL),
                        Column.fixed("topic3", 32, (r, o) -> RowCursor.word32(r.logSeed, 3, o))
                                .nullWhen(r -> true),
                        Column.binary("data", 40, EvmTables::logData)));
    }

    // ---- blocks ----

    private static int logsBloom(RowCursor r, byte[] out) {
        java.util.Arrays.fill(out, 0, 256, (byte) 0);
        long bits = derive(r.blockSeed, 11);
        for (int i = 0; i < 6; i++) {
            int bit = (int) ((bits >>> (i * 11)) & 0x7FF);
            out[bit >>> 3] |= (byte) (1 << (bit & 7));
        }
        return 256;
    }

    private static void difficulty(RowCursor r, long[] out) {
        // Every fourth block carries a pre-merge sized difficulty that needs more than 64 bits.
        boolean big = r.block % 4 == 0;
        out[0] = big ? derive(r.blockSeed, 12) : 0;
        out[1] = big ? 1 + below(derive(r.blockSeed, 13), 4096) : 0;
    }

    private static void totalDifficulty(RowCursor r, long[] out) {
        // About 5.875e22, as on Ethereum mainnet after the merge: far above 2^64.
        out[0] = 0x4B1C000000000000L + r.block;
        out[1] = 3184;
    }

    private static int extraData(RowCursor r, byte[] out) {
        int len = below(derive(r.blockSeed, 14), 33);
        RowCursor.randomBytes(r.blockSeed, out, len);
        return len;
    }

    private static void baseFee(RowCursor r, long[] out) {
        out[0] = 1_000_000_000L + below(derive(r.blockSeed, 15), 50_000_000);
        out[1] = 0;
    }

    private static long excessBlobGas(RowCursor r) {
        long v = below(derive(r.blockSeed, 16), 1 << 20);
        return r.block % 6 == 0 ? v | 0x8000000000000000L : v;
    }

    // ---- transactions ----

    private static boolean isContractCreation(RowCursor r) {
        return r.txType != RowCursor.TX_BLOB
                && r.txType != RowCursor.TX_SET_CODE
                && below(derive(r.txSeed, 11), 16) == 0;
    }

    private static byte[] to(RowCursor r) {
        long pick = derive(r.txSeed, 12);
        return (pick & 1) == 0
                ? RowCursor.CONTRACTS[below(pick >>> 1, 16)]
                : RowCursor.ACCOUNTS[below(pick >>> 1, 64)];
    }

    private static byte[] from(RowCursor r) {
        return RowCursor.ACCOUNTS[below(derive(r.txSeed, 13), 64)];
    }

    private static long txNonce(RowCursor r) {
        long v = below(derive(r.txSeed, 14), 100_000);
        return below(r.txSeed >>> 20, 32) == 0 ? v | 0x8000000000000000L : v;
    }

    private static void gasPrice(RowCursor r, long[] out) {
        long v = derive(r.txSeed, 15);
        // One transaction in sixteen pays an absurd price beyond 64 bits.
        boolean big = below(v, 16) == 0;
        out[0] = big ? v : 1_000_000_000L + below(v >>> 4, 100_000_000);
        out[1] = big ? 1 + below(v >>> 8, 1000) : 0;
    }

    private static void maxFee(RowCursor r, long[] out) {
        out[0] = 2_000_000_000L + below(derive(r.txSeed, 16), 100_000_000);
        out[1] = 0;
    }

    private static void priorityFee(RowCursor r, long[] out) {
        out[0] = below(derive(r.txSeed, 17), 2_000_000_000);
        out[1] = 0;
    }

    private static void blobFee(RowCursor r, long[] out) {
        long v = derive(r.txSeed, 18);
        out[0] = v;
        out[1] = (v & 1) == 0 ? 0 : below(v >>> 1, 1 << 20);
    }

    private static int value(RowCursor r, byte[] out) {
        long v = derive(r.txSeed, 19);
        int magnitude = below(v, 10);
        long w0 = derive(v, 1);
        if (magnitude < 2) {
            return r.uint256.format(0, 0, 0, 0, out);
        } else if (magnitude < 6) {
            return r.uint256.format(0, 0, 0, w0 >>> 4, out);
        } else if (magnitude < 9) {
            return r.uint256.format(0, 0, 1 + (derive(v, 2) >>> 8), w0, out);
        }
        return r.uint256.format(derive(v, 3), derive(v, 4), derive(v, 5), w0, out);
    }

    private static int input(RowCursor r, byte[] out) {
        int len;
        if (isContractCreation(r)) {
            len = 100 + below(derive(r.txSeed, 20), 300);
        } else {
            int words = below(derive(r.txSeed, 21), 5);
            len = words == 0 ? 0 : 4 + 32 * (words - 1);
        }
        RowCursor.randomBytes(r.txSeed, out, len);
        return len;
    }

    private static Field accessListItem() {
        return new Field(
                "item",
                org.apache.arrow.vector.types.pojo.FieldType.notNullable(ArrowType.Struct.INSTANCE),
                List.of(
                        Field.notNullable("address", FSB20),
                        new Field(
                                "storage_keys",
                                org.apache.arrow.vector.types.pojo.FieldType.notNullable(
                                        ArrowType.List.INSTANCE),
                                List.of(Field.notNullable("item", FSB32)))));
    }

    private static Field authorizationItem() {
        return new Field(
                "item",
                org.apache.arrow.vector.types.pojo.FieldType.notNullable(ArrowType.Struct.INSTANCE),
                List.of(
                        Field.notNullable("chain_id", new ArrowType.Int(64, false)),
                        Field.notNullable("address", FSB20),
                        Field.notNullable("nonce", new ArrowType.Int(64, false)),
                        Field.notNullable("y_parity", ArrowType.Bool.INSTANCE),
                        Field.notNullable("r", FSB32),
                        Field.notNullable("s", FSB32)));
    }

    private static void writeAccessList(FieldVector vector, int index, RowCursor r) {
        ListVector list = (ListVector) vector;
        StructVector entries = (StructVector) list.getDataVector();
        FixedSizeBinaryVector addresses = (FixedSizeBinaryVector) entries.getChildByOrdinal(0);
        ListVector keys = (ListVector) entries.getChildByOrdinal(1);
        FixedSizeBinaryVector keyItems = (FixedSizeBinaryVector) keys.getDataVector();
        long seed = derive(r.txSeed, 22);
        int count = below(seed, 3);
        int offset = list.startNewValue(index);
        for (int e = 0; e < count; e++) {
            int at = offset + e;
            entries.setIndexDefined(at);
            addresses.setSafe(at, RowCursor.CONTRACTS[below(derive(seed, e), 16)]);
            int keyCount = below(derive(seed, 10 + e), 3);
            int keyOffset = keys.startNewValue(at);
            for (int k = 0; k < keyCount; k++) {
                RowCursor.word32(seed, 20 + 4 * e + k, r.b32);
                keyItems.setSafe(keyOffset + k, r.b32);
            }
            keys.endValue(at, keyCount);
        }
        list.endValue(index, count);
    }

    private static void writeBlobHashes(FieldVector vector, int index, RowCursor r) {
        ListVector list = (ListVector) vector;
        FixedSizeBinaryVector items = (FixedSizeBinaryVector) list.getDataVector();
        int count = 1 + below(derive(r.txSeed, 23), 2);
        int offset = list.startNewValue(index);
        for (int i = 0; i < count; i++) {
            RowCursor.word32(r.txSeed, 30 + i, r.b32);
            r.b32[0] = 0x01; // KZG versioned hash prefix
            items.setSafe(offset + i, r.b32);
        }
        list.endValue(index, count);
    }

    private static void writeAuthorizations(FieldVector vector, int index, RowCursor r) {
        ListVector list = (ListVector) vector;
        StructVector auth = (StructVector) list.getDataVector();
        int at = list.startNewValue(index);
        auth.setIndexDefined(at);
        ((UInt8Vector) auth.getChildByOrdinal(0)).setSafe(at, CHAIN_ID);
        ((FixedSizeBinaryVector) auth.getChildByOrdinal(1))
                .setSafe(at, RowCursor.CONTRACTS[below(derive(r.txSeed, 24), 16)]);
        ((UInt8Vector) auth.getChildByOrdinal(2)).setSafe(at, below(derive(r.txSeed, 25), 1000));
        ((BitVector) auth.getChildByOrdinal(3)).setSafe(at, (int) (derive(r.txSeed, 26) & 1));
        RowCursor.word32(r.txSeed, 27, r.b32);
        ((FixedSizeBinaryVector) auth.getChildByOrdinal(4)).setSafe(at, r.b32);
        RowCursor.word32(r.txSeed, 28, r.b32);
        ((FixedSizeBinaryVector) auth.getChildByOrdinal(5)).setSafe(at, r.b32);
        list.endValue(index, 1);
    }

    // ---- logs ----

    private static void topic0(RowCursor r, byte[] out) {
        byte[] topic;
        switch (r.event) {
            case RowCursor.EVENT_TRANSFER:
                topic = RowCursor.TRANSFER_TOPIC;
                break;
            case RowCursor.EVENT_APPROVAL:
                topic = RowCursor.APPROVAL_TOPIC;
                break;
            case RowCursor.EVENT_DEPOSIT:
                topic = RowCursor.DEPOSIT_TOPIC;
                break;
            default:
                topic = RowCursor.SYNC_TOPIC;
        }
        copy(topic, out);
    }

    private static void topic1(RowCursor r, byte[] out) {
        RowCursor.topicOf(RowCursor.ACCOUNTS[below(derive(r.logSeed, 1), 64)], out);
    }

    private static void topic2(RowCursor r, byte[] out) {
        RowCursor.topicOf(RowCursor.ACCOUNTS[below(derive(r.logSeed, 2), 64)], out);
    }

    private static int logData(RowCursor r, byte[] out) {
        switch (r.event) {
            case RowCursor.EVENT_SYNC:
                java.util.Arrays.fill(out, 0, 64, (byte) 0);
                Mix.putLongBE(out, 24, derive(r.logSeed, 4) >>> 16);
                Mix.putLongBE(out, 56, derive(r.logSeed, 5) >>> 16);
                return 64;
            case RowCursor.EVENT_ANONYMOUS:
                int len = below(derive(r.logSeed, 6), 65);
                RowCursor.randomBytes(r.logSeed, out, len);
                return len;
            default:
                java.util.Arrays.fill(out, 0, 16, (byte) 0);
                Mix.putLongBE(out, 16, derive(r.logSeed, 7) >>> 8);
                Mix.putLongBE(out, 24, derive(r.logSeed, 8));
                return 32;
        }
    }

    private static void copy(byte[] from, byte[] to) {
        System.arraycopy(from, 0, to, 0, to.length);
    }
}
