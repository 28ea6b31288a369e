package dev.sluice.job.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sinks.postgres.CommitMode;
import dev.sluice.sources.amp.devserver.AmpDevServer;
import dev.sluice.testutils.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning manifests against the dev server (answering only {@code graphprotocol/anvil@0.1.0}, so
 * aliases must resolve to it) and a real PostgreSQL: every file format, schema inference for every
 * column of the three tables without streaming, target tables created, server-side refusals.
 */
@Timeout(120)
class ManifestPlanITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static AmpDevServer server;

    @TempDir Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server =
                AmpDevServer.builder()
                        .port(0)
                        .adminPort(-1)
                        .blocks(20)
                        .dataset("graphprotocol/anvil@0.1.0")
                        .build()
                        .start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    ManifestSyncConfig config() {
        return new ManifestSyncConfig()
                .amp("http://localhost:" + server.flightPort(), null, null, 32)
                .database(PG.jdbcUrl(), null, null, "public")
                .sink(CommitMode.AUTO, 10, 128)
                .parallelism(1)
                .local(dir.resolve("state"), Duration.ofMillis(200));
    }

    static Map<String, String> tables(String... nameAndSql) {
        Map<String, String> t = new LinkedHashMap<>();
        for (int i = 0; i < nameAndSql.length; i += 2) {
            t.put(nameAndSql[i], nameAndSql[i + 1]);
        }
        return t;
    }

    static String manifest(String format, Map<String, String> tables) {
        StringBuilder t = new StringBuilder();
        for (Map.Entry<String, String> e : tables.entrySet()) {
            if (format.equals("json")) {
                t.append(t.length() == 0 ? "" : ",\n")
                        .append("    \"")
                        .append(e.getKey())
                        .append("\": {\"sql\": \"")
                        .append(e.getValue().replace("\"", "\\\""))
                        .append("\"}");
            } else {
                t.append("    ")
                        .append(e.getKey())
                        .append(": { sql: `")
                        .append(e.getValue())
                        .append("` },\n");
            }
        }
        if (format.equals("json")) {
            return "{\n  \"name\": \"example\",\n  \"version\": \"0.1.0\",\n  \"network\":"
                    + " \"anvil\",\n  \"dependencies\": {\n    \"anvil\": {\"owner\":"
                    + " \"graphprotocol\", \"name\": \"anvil\", \"version\": \"0.1.0\"}\n  },\n"
                    + "  \"tables\": {\n"
                    + t
                    + "\n  },\n  \"functions\": {}\n}\n";
        }
        boolean ts = format.endsWith("ts");
        return "import { defineDataset } from \"nozzl\"\n\n"
                + "export default defineDataset(("
                + (ts ? "ctx: Context): DatasetConfig" : ")")
                + " => ({\n  name: \"example\",\n  version: \"0.1.0\",\n  network: \"anvil\",\n"
                + "  dependencies: {\n    anvil: { owner: \"graphprotocol\", name: \"anvil\","
                + " version: \"0.1.0\" },\n  },\n  tables: {\n"
                + t
                + "  },\n  functions: {},\n})"
                + (ts ? " satisfies DatasetConfig" : "")
                + ")\n";
    }

    Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void everyFormatPlansAndCreatesItsTables() throws Exception {
        ManifestRegistry registry = ManifestRegistry.empty();
        for (String format : List.of("json", "js", "mjs", "ts", "mts")) {
            String table = "blocks_" + format;
            Path file =
                    write(
                            "nozzle.config." + format,
                            manifest(
                                    format,
                                    Map.of(table, "SELECT block_num, hash FROM anvil.blocks")));
            ManifestPlan plan =
                    new ManifestPlanner(config()).plan(ManifestLoader.load(file), registry);
            ManifestPlan.TablePlan t = plan.tables().get(table);
            assertThat(t.sql())
                    .isEqualTo(
                            "SELECT _block_num, block_num, hash FROM"
                                    + " \"graphprotocol/anvil@0.1.0\".blocks");
            assertThat(t.change()).isEqualTo(ManifestPlan.Change.ADDED);
            assertThat(t.schema().getFields().stream().map(Field::getName))
                    .containsExactly("_block_num", "block_num", "hash");
            plan.createMissingTables();
            try (Connection c = PG.connect()) {
                assertThat(columns(c, table).keySet())
                        .containsExactly("_block_num", "block_num", "hash");
            }
        }
    }

    /** Protocol §5, column by column: {@code name type[?]}. */
    static final Map<String, String> EXPECTED =
            Map.of(
                    "blocks",
                    "_block_num U64, block_num U64, timestamp Ts, hash FSB32, parent_hash FSB32,"
                        + " ommers_hash FSB32, miner FSB20, state_root FSB32, transactions_root"
                        + " FSB32, receipt_root FSB32, logs_bloom Bin, difficulty Dec,"
                        + " total_difficulty Dec?, gas_limit U64, gas_used U64, extra_data Bin,"
                        + " mix_hash FSB32, nonce U64, base_fee_per_gas Dec?, withdrawals_root"
                        + " FSB32?, blob_gas_used U64?, excess_blob_gas U64?, parent_beacon_root"
                        + " FSB32?, requests_hash FSB32?",
                    "transactions",
                    "_block_num U64, block_hash FSB32, block_num U64, timestamp Ts, tx_index U32,"
                        + " tx_hash FSB32, to FSB20?, nonce U64, gas_price Dec?, gas_limit U64,"
                        + " value Utf8, input Bin, r FSB32, s FSB32, v_parity Bool, chain_id U64?,"
                        + " gas_used U64, type I32, max_fee_per_gas Dec?, max_priority_fee_per_gas"
                        + " Dec?, max_fee_per_blob_gas Dec?, from FSB20, status Bool, state_root"
                        + " FSB32?, access_list List(Struct(address FSB20, storage_keys"
                        + " List(FSB32)))?, blob_versioned_hashes List(FSB32)?, authorization_list"
                        + " List(Struct(chain_id U64, address FSB20, nonce U64, y_parity Bool, r"
                        + " FSB32, s FSB32))?",
                    "logs",
                    "_block_num U64, block_hash FSB32, block_num U64, timestamp Ts, tx_hash FSB32,"
                            + " tx_index U32, log_index U32, address FSB20, topic0 FSB32?, topic1"
                            + " FSB32?, topic2 FSB32?, topic3 FSB32?, data Bin");

    /** The PostgreSQL type (udt_name) each Arrow type gets (protocol §6). */
    static String pgType(String arrow) {
        String t = arrow.replace("?", "");
        if (t.startsWith("List(Struct")) {
            return "_jsonb";
        }
        if (t.startsWith("List(FSB")) {
            return "_bytea";
        }
        switch (t) {
            case "U64":
            case "Dec":
                return "numeric";
            case "U32":
                return "int8";
            case "I32":
                return "int4";
            case "Ts":
                return "timestamptz";
            case "Utf8":
                return "text";
            case "Bool":
                return "bool";
            default:
                return "bytea"; // FSBn, Bin
        }
    }

    @Test
    void infersEveryColumnTypeOfTheThreeTablesWithoutStreaming() throws Exception {
        Map<String, String> tables = new LinkedHashMap<>();
        for (String t : List.of("blocks", "transactions", "logs")) {
            tables.put(t, "SELECT * FROM anvil." + t);
        }
        Path file = write("nozzle.config.ts", manifest("ts", tables));
        ManifestPlan plan =
                new ManifestPlanner(config())
                        .plan(ManifestLoader.load(file), ManifestRegistry.empty());
        plan.createMissingTables();
        try (Connection c = PG.connect()) {
            for (String t : tables.keySet()) {
                Schema schema = plan.tables().get(t).schema();
                assertThat(describe(schema)).as(t).isEqualTo(EXPECTED.get(t));
                Map<String, String> pg = columns(c, t);
                for (String column : topLevel(EXPECTED.get(t))) {
                    String name = column.substring(0, column.indexOf(' '));
                    String arrow = column.substring(column.indexOf(' ') + 1);
                    assertThat(pg.get(name)).as(t + "." + name).isEqualTo(pgType(arrow));
                }
                // Nothing was streamed: the tables are empty.
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + t + "\"")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
            }
        }
        // A projection with a filter: only its columns, plus the added _block_num.
        Path transfers =
                write(
                        "transfers.json",
                        manifest(
                                "json",
                                Map.of(
                                        "transfers",
                                        "SELECT tx_hash, topic1, topic2, data FROM anvil.logs WHERE"
                                            + " topic0 = evm_topic('Transfer(address indexed from,"
                                            + " address indexed to, uint256 value)')")));
        ManifestPlan p =
                new ManifestPlanner(config())
                        .plan(ManifestLoader.load(transfers), ManifestRegistry.empty());
        assertThat(describe(p.tables().get("transfers").schema()))
                .isEqualTo("_block_num U64, tx_hash FSB32, topic1 FSB32?, topic2 FSB32?, data Bin");
    }

    @Test
    void refusalsOfTheServerNameTheTable() throws Exception {
        Path wrongVersion =
                write(
                        "m.json",
                        manifest("json", Map.of("b", "SELECT hash FROM anvil.blocks"))
                                .replace("\"version\": \"0.1.0\"}", "\"version\": \"0.2.0\"}"));
        assertThatThrownBy(
                        () ->
                                new ManifestPlanner(config())
                                        .plan(
                                                ManifestLoader.load(wrongVersion),
                                                ManifestRegistry.empty()))
                .isInstanceOfSatisfying(
                        ManifestException.class, e -> assertThat(e.isSetup()).isTrue())
                .hasMessageContaining("Table 'b': ")
                .hasMessageContaining("graphprotocol/anvil@0.2.0");
        Path unknownColumn =
                write("m2.json", manifest("json", Map.of("c", "SELECT no_such FROM anvil.blocks")));
        assertThatThrownBy(
                        () ->
                                new ManifestPlanner(config())
                                        .plan(
                                                ManifestLoader.load(unknownColumn),
                                                ManifestRegistry.empty()))
                .hasMessageContaining("Table 'c': ")
                .hasMessageContaining("no_such");
        // Rejected before the server is asked: every bad table in one message.
        Path bad =
                write(
                        "m3.json",
                        manifest(
                                "json",
                                Map.of(
                                        "x", "SELECT hash FROM anvil.blocks ORDER BY hash",
                                        "y", "SELECT count(*) FROM anvil.logs")));
        assertThatThrownBy(
                        () ->
                                new ManifestPlanner(config())
                                        .plan(ManifestLoader.load(bad), ManifestRegistry.empty()))
                .isInstanceOfSatisfying(
                        ManifestException.class, e -> assertThat(e.isSetup()).isFalse())
                .hasMessageContaining("Table 'x' cannot be streamed: its SQL has ORDER BY")
                .hasMessageContaining(
                        "Table 'y' cannot be streamed: its SQL has aggregate function count()");
    }

    @Test
    void registryDecidesKeptChangedAddedAndRemoved() throws Exception {
        Path file =
                write(
                        "m.json",
                        manifest(
                                "json",
                                Map.of(
                                        "a", "SELECT hash FROM anvil.blocks",
                                        "b", "SELECT tx_hash FROM anvil.transactions")));
        ManifestPlanner planner = new ManifestPlanner(config());
        ManifestPlan first = planner.plan(ManifestLoader.load(file), ManifestRegistry.empty());
        first.registry().save(dir.resolve("state"));
        ManifestRegistry saved = ManifestRegistry.load(dir.resolve("state"));
        assertThat(saved).isEqualTo(first.registry());
        write(
                "m.json",
                manifest(
                        "json",
                        Map.of(
                                "a", "SELECT hash FROM anvil.blocks",
                                "c", "SELECT tx_hash, log_index FROM anvil.logs")));
        ManifestPlan second = planner.plan(ManifestLoader.load(file), saved);
        assertThat(second.tables().get("a").change()).isEqualTo(ManifestPlan.Change.KEPT);
        assertThat(second.tables().get("a").streamId()).isEqualTo("a#1");
        assertThat(second.tables().get("c").change()).isEqualTo(ManifestPlan.Change.ADDED);
        assertThat(second.removed()).containsExactly("b");
        write(
                "m.json",
                manifest(
                        "json",
                        Map.of(
                                "a",
                                "SELECT hash, miner FROM anvil.blocks",
                                "b",
                                "SELECT tx_hash FROM anvil.transactions")));
        ManifestPlan third = planner.plan(ManifestLoader.load(file), second.registry());
        assertThat(third.tables().get("a").change()).isEqualTo(ManifestPlan.Change.CHANGED);
        assertThat(third.tables().get("a").streamId()).isEqualTo("a#2");
        assertThat(third.streams())
                .extracting(s -> s.id() + " -> " + s.table())
                .containsExactlyInAnyOrder("a#2 -> a", "b#2 -> b");
        // Back after removal: a new generation, so no old progress is resumed.
        assertThat(third.tables().get("b").change()).isEqualTo(ManifestPlan.Change.ADDED);
        assertThat(third.tables().get("b").streamId()).isEqualTo("b#2");
        assertThat(third.removed()).containsExactly("c");
        // Reordering tables (or changing informational fields) is not a new job.
        String reordered =
                manifest(
                                "json",
                                tables(
                                        "b", "SELECT tx_hash FROM anvil.transactions",
                                        "a", "SELECT hash, miner FROM anvil.blocks"))
                        .replace("\"example\"", "\"renamed\"");
        write("m.json", reordered);
        ManifestPlan fourth = planner.plan(ManifestLoader.load(file), third.registry());
        assertThat(fourth.sameStreamsAs(third)).isTrue();
        assertThat(fourth.rebuilt()).isEmpty();
    }

    /** Splits at the commas outside parentheses. */
    static List<String> topLevel(String columns) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < columns.length(); i++) {
            char ch = columns.charAt(i);
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            if (ch == ',' && depth == 0) {
                out.add(columns.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(columns.substring(start).strip());
        return out;
    }

    static Map<String, String> columns(Connection c, String table) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT column_name, udt_name FROM information_schema.columns WHERE"
                                        + " table_schema = 'public' AND table_name = '"
                                        + table
                                        + "' ORDER BY ordinal_position")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    static String describe(Schema schema) {
        return schema.getFields().stream()
                .map(ManifestPlanITCase::describe)
                .collect(Collectors.joining(", "));
    }

    static String describe(Field f) {
        return f.getName() + " " + type(f) + (f.isNullable() ? "?" : "");
    }

    static String type(Field f) {
        ArrowType t = f.getType();
        if (t instanceof ArrowType.Int) {
            ArrowType.Int i = (ArrowType.Int) t;
            return (i.getIsSigned() ? "I" : "U") + i.getBitWidth();
        }
        if (t instanceof ArrowType.Timestamp) {
            ArrowType.Timestamp ts = (ArrowType.Timestamp) t;
            assertThat(ts.getUnit()).isEqualTo(org.apache.arrow.vector.types.TimeUnit.NANOSECOND);
            assertThat(ts.getTimezone()).isEqualTo("+00:00");
            return "Ts";
        }
        if (t instanceof ArrowType.FixedSizeBinary) {
            return "FSB" + ((ArrowType.FixedSizeBinary) t).getByteWidth();
        }
        if (t instanceof ArrowType.Binary) {
            return "Bin";
        }
        if (t instanceof ArrowType.Decimal) {
            ArrowType.Decimal d = (ArrowType.Decimal) t;
            assertThat(d.getPrecision()).isEqualTo(38);
            assertThat(d.getScale()).isZero();
            return "Dec";
        }
        if (t instanceof ArrowType.Utf8) {
            return "Utf8";
        }
        if (t instanceof ArrowType.Bool) {
            return "Bool";
        }
        if (t instanceof ArrowType.List) {
            return "List(" + type(f.getChildren().get(0)) + ")";
        }
        if (t instanceof ArrowType.Struct) {
            List<String> children = new ArrayList<>();
            for (Field c : f.getChildren()) {
                children.add(c.getName() + " " + type(c));
            }
            return "Struct(" + String.join(", ", children) + ")";
        }
        return t.toString();
    }
}
