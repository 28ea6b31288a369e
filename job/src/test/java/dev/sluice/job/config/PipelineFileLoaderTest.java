package dev.sluice.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading, templating, secrets, folders and every invalid-config message of the pipeline file. */
class PipelineFileLoaderTest {

    @TempDir Path dir;

    private static final String STORES =
            "datastores:\n"
                + "  - {name: app, type: postgres, host: db, port: 5432, database: app, username:"
                + " u, password_file: pw}\n"
                + "  - {name: warehouse, type: postgres, url: \"{{ env('WAREHOUSE_URL') }}\"}\n"
                + "  - {name: chain, type: amp, url: grpc://localhost:1602, auth_token_file: pw}\n";

    private static final String USERS =
            "pipelines:\n"
                    + "  - name: users_to_warehouse\n"
                    + "    source:\n"
                    + "      datastore: app\n"
                    + "      table: {table: users, dbschema: public}\n"
                    + "      snapshot: initial\n"
                    + "      filters: [{column: active, operator: '=', value: true}]\n"
                    + "    sink:\n"
                    + "      datastore: warehouse\n"
                    + "      table: users\n"
                    + "      dbschema: analytics\n"
                    + "      merge_strategy: {strategy: upsert, allow_delete: true}\n"
                    + "      unique_key: [id]\n"
                    + "      fields:\n"
                    + "        - {column: id, source_column: id}\n"
                    + "        - {column: full_name, source_column: name, dtype: str}\n"
                    + "  - name: anvil\n"
                    + "    source: {datastore: chain, dataset: \"_/anvil@latest\", tables: [blocks,"
                    + " logs]}\n"
                    + "    sink: {datastore: warehouse, dbschema: chain}\n";

    private static final Map<String, String> ENV =
            Map.of("WAREHOUSE_URL", "postgresql://w:hunter2@wh:6432/dw?sslmode=require");

    private Path write(String yaml) throws Exception {
        Files.writeString(dir.resolve("pw"), "s3cret-from-file\n");
        Path f = dir.resolve("pipelines.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void loadsTheIssueExample() throws Exception {
        PipelineFile file = new PipelineFileLoader(ENV).load(write(STORES + USERS));
        PipelineSpec users = file.select("users_to_warehouse").get(0);
        assertThat(users.isCdc()).isTrue();
        assertThat(users.source.passwordValue()).isEqualTo("s3cret-from-file");
        assertThat(users.sink.jdbcUrl()).isEqualTo("jdbc:postgresql://wh:6432/dw?sslmode=require");
        assertThat(users.sink.passwordValue()).isEqualTo("hunter2");
        assertThat(users.slotName).isEqualTo("sluice_users_to_warehouse");
        assertThat(users.filters).hasSize(1);
        assertThat(users.fields.get(1).dtype).isEqualTo(DataType.STR);
        assertThat(users.merge.strategy).isEqualTo(MergeSpec.Strategy.UPSERT);
        PipelineSpec anvil = file.select("anvil").get(0);
        assertThat(anvil.isCdc()).isFalse();
        assertThat(anvil.tables).containsExactly("blocks", "logs");
        assertThat(anvil.source.authToken.reveal()).isEqualTo("s3cret-from-file");
        assertThat(file.pipelines).hasSize(2);
        // Secrets never print.
        assertThat(file.datastores.toString() + users.sink + anvil.source)
                .doesNotContain("hunter2")
                .doesNotContain("s3cret");
    }

    @Test
    void folderPipelineWithSqlFiles() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("users"));
        Files.writeString(
                folder.resolve("config.yaml"),
                "source: {datastore: app, table: {table: users}}\n"
                        + "sink: {datastore: warehouse, unique_key: [id]}\n");
        Files.writeString(folder.resolve("transform.sql"), "SELECT :new.id AS id");
        Files.writeString(folder.resolve("delete.sql"), "SELECT :old.id AS id");
        PipelineFile file =
                new PipelineFileLoader(ENV).load(write(STORES + "pipelines:\n  - folder: users\n"));
        PipelineSpec p = file.pipelines.get(0);
        assertThat(p.name).isEqualTo("users");
        assertThat(p.transform.transformSql).isEqualTo("SELECT :new.id AS id");
        assertThat(p.transform.deleteSql).isEqualTo("SELECT :old.id AS id");
        assertThat(p.transform.insertSql).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unknown top key|extra: 1|: extra: unknown key; allowed here: datastores,"
                        + " pipelines",
                "unknown sink key|sink.colour|pipelines[0].sink.colour: unknown key; allowed here:",
                "missing datastore|sink.datastore=nowhere|pipelines[0].sink.datastore: no datastore"
                        + " named 'nowhere'; defined: app, warehouse, chain",
                "bad operator|operator=~|pipelines[0].source.filters[0].operator: unknown operator"
                        + " '~'; allowed: =, !=",
                "unique key not in fields|unique_key=[uid]|pipelines[0].sink.unique_key: column"
                        + " 'uid' is not among the fields",
                "bad strategy|strategy=merge|pipelines[0].sink.merge_strategy.strategy: unknown"
                        + " strategy 'merge'; allowed: upsert, delete_insert, collapse, append",
                "bad dtype|dtype=string|pipelines[0].sink.fields[1].dtype: unknown type 'string';"
                        + " allowed: str, int",
                "bad snapshot|snapshot=always|pipelines[0].source.snapshot: must be initial or"
                        + " never",
                "missing env|WAREHOUSE_URL|datastores[1].url: environment variable WAREHOUSE_URL is"
                        + " not set",
                "sink on amp|sink.datastore=chain|pipelines[0].sink.datastore: 'chain' is of type"
                        + " amp but must be postgres",
                "unsupported template|template|datastores[1].url: unsupported template",
            })
    void invalidConfigsFailWithOneClearMessage(String name, String change, String message)
            throws Exception {
        String yaml = STORES + USERS;
        Map<String, String> env = ENV;
        switch (change) {
            case "extra: 1":
                yaml = yaml + "extra: 1\n";
                break;
            case "sink.colour":
                yaml =
                        yaml.replace(
                                "      table: users\n", "      table: users\n      colour: red\n");
                break;
            case "sink.datastore=nowhere":
                yaml =
                        yaml.replace(
                                "datastore: warehouse\n      table",
                                "datastore: nowhere\n      table");
                break;
            case "operator=~":
                yaml = yaml.replace("operator: '='", "operator: '~'");
                break;
            case "unique_key=[uid]":
                yaml = yaml.replace("unique_key: [id]", "unique_key: [uid]");
                break;
            case "strategy=merge":
                yaml = yaml.replace("strategy: upsert", "strategy: merge");
                break;
            case "dtype=string":
                yaml = yaml.replace("dtype: str", "dtype: string");
                break;
            case "snapshot=always":
                yaml = yaml.replace("snapshot: initial", "snapshot: always");
                break;
            case "WAREHOUSE_URL":
                env = Map.of();
                break;
            case "sink.datastore=chain":
                yaml =
                        yaml.replace(
                                "datastore: warehouse\n      table",
                                "datastore: chain\n      table");
                break;
            case "template":
                yaml = yaml.replace("env('WAREHOUSE_URL')", "system('rm -rf /')");
                break;
            default:
                throw new IllegalArgumentException(change);
        }
        Path file = write(yaml);
        PipelineFileLoader loader = new PipelineFileLoader(env);
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2", "s3cret"));
    }

    @Test
    void unknownPipelineNameListsTheNames() throws Exception {
        PipelineFile file = new PipelineFileLoader(ENV).load(write(STORES + USERS));
        assertThatThrownBy(() -> file.select("nope"))
                .hasMessageContaining(
                        "no pipeline named 'nope'; the file has: users_to_warehouse, anvil");
    }

    @Test
    void templatesRenderEnvWithDefaultsAndNothingElse() {
        Templates t = new Templates(Map.of("A", "1"));
        assertThat(t.render("x{{ env('A') }}y{{env(\"B\", 'two')}}")).isEqualTo("x1ytwo");
        assertThat(new Templates(Map.of("A", "{{ env('B') }}")).render("{{ env('A') }}"))
                .isEqualTo("{{ env('B') }}");
        assertThatThrownBy(() -> t.render("{{ A }}")).hasMessageContaining("unsupported template");
    }
}
