package dev.sluice.job.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Type erasure keeps lines, strings and object literals as they were. */
class TypeScriptStripperTest {

    @Test
    void erasesTypesButNotObjectLiteralsOrStrings() throws Exception {
        String ts =
                String.join(
                        "\n",
                        "import type { DatasetConfig } from \"nozzl\"",
                        "import {",
                        "  defineDataset,",
                        "} from \"nozzl\"",
                        "type Sql = string;",
                        "const blocksSql: Sql = \"SELECT hash FROM anvil.blocks\" as const",
                        "function table(sql: string, extra?: number) { return { sql } }",
                        "export default defineDataset((ctx: unknown): DatasetConfig => ({",
                        "  dependencies: { anvil: { owner: \"o\", name: \"anvil\", version:"
                                + " \"1.0.0\" } },",
                        "  tables: {",
                        "    blocks: { sql: blocksSql },",
                        "    logs: table(\"SELECT x AS Foo, y as const FROM anvil.logs\"),",
                        "  },",
                        "}) satisfies DatasetConfig)");
        String js = TypeScriptStripper.strip(ts);
        assertThat(js.split("\n", -1)).hasSameSizeAs(ts.split("\n", -1));
        assertThat(js).contains("tables: {\n    blocks: { sql: blocksSql },");
        DatasetManifest m = ManifestLoader.parse(Path.of("m.ts"), ts);
        assertThat(m.tables().get("blocks")).isEqualTo("SELECT hash FROM anvil.blocks");
        assertThat(m.tables().get("logs")).isEqualTo("SELECT x AS Foo, y as const FROM anvil.logs");
    }

    /** Rhino reports a runtime error at the first line of its statement. */
    @Test
    void errorsPointAtTheUsersLineAfterStripping() {
        String ts =
                "import { defineDataset } from \"nozzl\"\n"
                        + "\n"
                        + "const n: number = 1\n"
                        + "const sql: string =\n"
                        + "  undefinedVariable\n"
                        + "export default defineDataset(() => ({ tables: { b: { sql } } }))\n";
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ManifestLoader.parse(Path.of("m.mts"), ts))
                .hasMessageStartingWith(
                        "m.mts:4: ReferenceError: \"undefinedVariable\" is not defined");
    }
}
