package dev.sluice.job.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.protocol.DatasetReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every manifest format, and what a malformed one is told. */
class ManifestLoaderTest {

    static final String TS =
            String.join(
                    "\n",
                    "import { defineDataset } from \"nozzl\"",
                    "",
                    "const network: string = \"anvil\"",
                    "",
                    "export default defineDataset((): DatasetConfig => ({",
                    "  name: \"example\",",
                    "  version: \"0.1.0\",",
                    "  network,",
                    "  dependencies: {",
                    "    anvil: { owner: \"graphprotocol\", name: \"anvil\", version: \"0.1.0\" },",
                    "  },",
                    "  tables: {",
                    "    blocks: {",
                    "      sql: `SELECT block_num, hash FROM anvil.blocks`,",
                    "    },",
                    "    transfers: {",
                    "      sql: \"SELECT tx_hash FROM anvil.logs WHERE topic0 ="
                        + " evm_topic('Transfer(address indexed from, address indexed to, uint256"
                        + " value)') AS const\",",
                    "    },",
                    "  },",
                    "  functions: {},",
                    "}) satisfies DatasetConfig)",
                    "");

    static final String JSON =
            String.join(
                    "\n",
                    "{",
                    "  \"name\": \"example\",",
                    "  \"version\": \"0.1.0\",",
                    "  \"network\": \"anvil\",",
                    "  \"dependencies\": {",
                    "    \"anvil\": {\"owner\": \"graphprotocol\", \"name\": \"anvil\","
                            + " \"version\": \"0.1.0\"}",
                    "  },",
                    "  \"tables\": {",
                    "    \"blocks\": {\"sql\": \"SELECT block_num, hash FROM anvil.blocks\"}",
                    "  },",
                    "  \"functions\": {}",
                    "}");

    @Test
    void typeScriptWithAnnotationsAndTemplates() throws Exception {
        DatasetManifest m = ManifestLoader.parse(Path.of("nozzle.config.ts"), TS);
        assertThat(m.name()).isEqualTo("example");
        assertThat(m.version()).isEqualTo("0.1.0");
        assertThat(m.network()).isEqualTo("anvil");
        assertThat(m.dependencies().get("anvil").reference())
                .isEqualTo(DatasetReference.of("graphprotocol", "anvil", "0.1.0"));
        assertThat(m.tables()).containsOnlyKeys("blocks", "transfers");
        assertThat(m.tables().get("blocks")).isEqualTo("SELECT block_num, hash FROM anvil.blocks");
        // String contents are never stripped, even when they look like TypeScript.
        assertThat(m.tables().get("transfers")).endsWith("') AS const");
    }

    @Test
    void everyScriptExtensionAndJsonGiveTheSameManifest() throws Exception {
        String js =
                TS.replace(": string", "")
                        .replace("(): DatasetConfig =>", "() =>")
                        .replace(" satisfies DatasetConfig", "");
        DatasetManifest ts = ManifestLoader.parse(Path.of("m.ts"), TS);
        for (String name : List.of("m.js", "m.mjs", "m.mts")) {
            DatasetManifest m = ManifestLoader.parse(Path.of(name), name.endsWith("ts") ? TS : js);
            assertThat(m.tables()).isEqualTo(ts.tables());
            assertThat(m.dependencies()).isEqualTo(ts.dependencies());
        }
        DatasetManifest json = ManifestLoader.parse(Path.of("m.json"), JSON);
        assertThat(json.tables()).containsEntry("blocks", ts.tables().get("blocks"));
        assertThat(json.dependencies()).isEqualTo(ts.dependencies());
    }

    @Test
    void commonJsExportAndPlainObjectWork() throws Exception {
        DatasetManifest m =
                ManifestLoader.parse(
                        Path.of("m.js"),
                        "module.exports = { tables: { b: { sql: 'SELECT * FROM x.blocks' } } }");
        assertThat(m.tables()).containsOnlyKeys("b");
        m =
                ManifestLoader.parse(
                        Path.of("m.mjs"),
                        "const tables = {}\nfor (var t of ['a', 'b']) tables[t] = { sql: 'SELECT"
                                + " * FROM x.' + t }\nexport default defineDataset(() => ({ tables"
                                + " }))");
        assertThat(m.tables())
                .isEqualTo(Map.of("a", "SELECT * FROM x.a", "b", "SELECT * FROM x.b"));
    }

    @Test
    void readsFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nozzle.config.ts");
        java.nio.file.Files.writeString(file, TS);
        assertThat(ManifestLoader.load(file).tables()).containsKey("blocks");
        assertThatThrownBy(() -> ManifestLoader.load(dir.resolve("missing.ts")))
                .hasMessageContaining("Cannot read the dataset manifest");
    }

    @Test
    void syntaxErrorsNameFileLineAndExpectation() {
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("bad.ts"),
                                        "import { defineDataset } from \"nozzl\"\n"
                                                + "export default defineDataset(() => ({\n"
                                                + "  name: \"x\"\n"
                                                + "  tables: {}\n"
                                                + "}))\n"))
                .hasMessageStartingWith("bad.ts:4: syntax error: missing } after property list");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("bad.json"),
                                        "{\n  \"tables\": {\n    \"b\": {\"sql\": }\n}"))
                .hasMessageStartingWith("bad.json:3: Unexpected character ('}'");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("bad.json"), "{\"tables\": {}, \"tables\": {}}"))
                .hasMessageStartingWith("bad.json:1: Duplicate field 'tables'");
        assertThatThrownBy(() -> ManifestLoader.parse(Path.of("empty.json"), ""))
                .hasMessage("empty.json:1: the file is empty; expected a JSON object");
    }

    @Test
    void shapeErrorsNameFileLineAndExpectation() {
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("m.json"),
                                        "{\n"
                                                + "  \"tables\": {\n"
                                                + "    \"blocks\": {\n"
                                                + "      \"sql\": 42\n"
                                                + "    }\n"
                                                + "  }\n"
                                                + "}"))
                .hasMessage("m.json:4: tables.blocks.sql: expected a string, found a number");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("m.ts"),
                                        "export default defineDataset(() => ({\n"
                                                + "  dependencies: {\n"
                                                + "    anvil: { owner: \"o\", name: \"anvil\" },\n"
                                                + "  },\n"
                                                + "  tables: { b: { sql: 'SELECT 1' } },\n"
                                                + "}))"))
                .hasMessage("m.ts:3: dependencies.anvil.version: missing; expected a string");
        assertThatThrownBy(() -> ManifestLoader.parse(Path.of("m.json"), "{\"name\": \"x\"}"))
                .hasMessageStartingWith("m.json:1: tables: no tables: expected tables:");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("m.json"),
                                        "{\"tables\": {\"b\": {\"sql\": \"SELECT 1\"}},\n"
                                                + " \"tabels\": 1}"))
                .hasMessageStartingWith("m.json:2: tabels: unknown key 'tabels'; expected one of");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("m.json"),
                                        "{\"tables\": {\"Bad-Name\": {\"sql\": \"SELECT 1\"}}}"))
                .hasMessageContaining("table name 'Bad-Name' must match [a-z_][a-z0-9_]*");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("m.js"),
                                        "export default defineDataset(() => ({ tables: { b: { sql:"
                                                + " 'SELECT 1' } },\n"
                                                + " functions: { f: { source: 'x' } } }))"))
                .hasMessageContaining(
                        "m.js:2: functions: user-defined functions [f] are not supported");
        assertThatThrownBy(() -> ManifestLoader.parse(Path.of("m.js"), "const x = 1"))
                .hasMessageContaining(
                        "m.js: nothing is exported; expected export default defineDataset");
        assertThatThrownBy(() -> ManifestLoader.parse(Path.of("m.yaml"), "tables: {}"))
                .hasMessageContaining("expected a .json, .js, .mjs, .ts or .mts file");
    }

    @Test
    void theSandboxHasNoJavaNoImportsAndABudget() {
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("evil.js"),
                                        "\njava.lang.System.exit(3)\nexport default {}"))
                .hasMessageStartingWith("evil.js:2: ReferenceError: \"java\" is not defined");
        assertThatThrownBy(() -> ManifestLoader.parse(Path.of("evil.js"), "Packages.java.io.File"))
                .hasMessageContaining("\"Packages\" is not defined");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("evil.ts"),
                                        "import { defineDataset } from \"nozzl\"\nimport fs from"
                                                + " \"node:fs\"\nexport default {}"))
                .hasMessageStartingWith("evil.ts:2: import from \"node:fs\" is not available");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("loop.js"), "while (true) {}\nexport default {}"))
                .hasMessageContaining("loop.js: evaluating the manifest ran more than");
        assertThatThrownBy(() -> ManifestLoader.parse(Path.of("t.js"), "throw new Error('nope')"))
                .hasMessageStartingWith("t.js:1: the manifest threw Error: nope");
        assertThatThrownBy(
                        () ->
                                ManifestLoader.parse(
                                        Path.of("r.js"),
                                        "function f() { return f() }\nexport default f()"))
                .isInstanceOf(ManifestException.class);
    }
}
