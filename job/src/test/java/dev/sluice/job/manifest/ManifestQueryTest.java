package dev.sluice.job.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.manifest.sql.ManifestQuery;
import dev.sluice.sources.amp.protocol.DatasetReference;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rejected SQL shape, alias resolution and the added {@code _block_num}. */
class ManifestQueryTest {

    static final Map<String, DatasetReference> ALIASES =
            Map.of("anvil", DatasetReference.of("graphprotocol", "anvil", "0.1.0"));

    static ManifestQuery resolve(String sql) throws ManifestException {
        return ManifestQuery.resolve("t", sql, ALIASES);
    }

    @Test
    void resolvesAliasesAndAddsBlockNum() throws Exception {
        ManifestQuery q = resolve("SELECT block_num, hash FROM anvil.blocks WHERE block_num > 5");
        assertThat(q.sql())
                .isEqualTo(
                        "SELECT _block_num, block_num, hash FROM"
                                + " \"graphprotocol/anvil@0.1.0\".blocks WHERE block_num > 5");
        assertThat(q.blockNumAdded()).isTrue();
        assertThat(resolve("SELECT * FROM anvil.logs").sql())
                .isEqualTo("SELECT * FROM \"graphprotocol/anvil@0.1.0\".logs");
        assertThat(resolve("select hash, _block_num from \"anvil\".blocks").blockNumAdded())
                .isFalse();
        assertThat(resolve("SELECT block_num AS _block_num FROM anvil.blocks").blockNumAdded())
                .isFalse();
        // A full quoted reference is used as is.
        assertThat(resolve("SELECT hash FROM \"_/eth@1.0.0\".blocks").sql())
                .isEqualTo("SELECT _block_num, hash FROM \"_/eth@1.0.0\".blocks");
        // Subqueries and set operations are resolved too; each branch gets _block_num.
        assertThat(
                        resolve(
                                        "SELECT hash FROM (SELECT * FROM anvil.blocks) b UNION ALL"
                                                + " SELECT tx_hash FROM anvil.transactions")
                                .sql())
                .isEqualTo(
                        "SELECT _block_num, hash FROM (SELECT * FROM"
                                + " \"graphprotocol/anvil@0.1.0\".blocks) b UNION ALL SELECT"
                                + " _block_num, tx_hash FROM"
                                + " \"graphprotocol/anvil@0.1.0\".transactions");
        // With a join the added column names the first table.
        assertThat(
                        resolve(
                                        "SELECT l.tx_hash FROM anvil.logs l JOIN anvil.transactions"
                                                + " t ON l.tx_hash = t.tx_hash")
                                .sql())
                .startsWith("SELECT l._block_num, l.tx_hash FROM");
        // CTE names are not dataset tables.
        assertThat(resolve("WITH b AS (SELECT * FROM anvil.blocks) SELECT hash FROM b").sql())
                .contains("\"graphprotocol/anvil@0.1.0\".blocks");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "SELECT hash FROM anvil.blocks ORDER BY block_num|ORDER BY at the top level",
                "SELECT hash FROM (SELECT hash FROM anvil.blocks ORDER BY hash) s|ORDER BY in a"
                        + " subquery",
                "SELECT hash FROM anvil.blocks WHERE block_num IN (SELECT block_num FROM anvil.logs"
                        + " ORDER BY 1)|ORDER BY in a subquery",
                "WITH x AS (SELECT hash FROM anvil.blocks ORDER BY 1) SELECT * FROM x|ORDER BY in a"
                        + " subquery",
                "SELECT hash FROM anvil.blocks UNION ALL SELECT hash FROM anvil.blocks ORDER BY"
                        + " 1|ORDER BY on the set operation",
                "(SELECT hash FROM anvil.blocks ORDER BY 1) UNION ALL SELECT tx_hash FROM"
                        + " anvil.transactions|ORDER BY",
                "SELECT hash FROM anvil.blocks LIMIT 10|LIMIT at the top level",
                "SELECT hash FROM (SELECT hash FROM anvil.blocks LIMIT 1) s|LIMIT in a subquery",
                "SELECT hash FROM anvil.blocks OFFSET 5|OFFSET at the top level",
                "SELECT hash FROM anvil.blocks FETCH FIRST 5 ROWS ONLY|FETCH at the top level",
                "SELECT DISTINCT miner FROM anvil.blocks|DISTINCT at the top level",
                "SELECT DISTINCT ON (miner) miner FROM anvil.blocks|DISTINCT at the top level",
                "SELECT count(*) FROM anvil.blocks|aggregate function count() at the top level",
                "SELECT miner, sum(gas_used) FROM anvil.blocks GROUP BY miner|aggregate function"
                        + " sum()",
                "SELECT miner FROM anvil.blocks GROUP BY miner|GROUP BY (an aggregation) at the top"
                        + " level",
                "SELECT hash FROM anvil.blocks WHERE gas_used > (SELECT avg(gas_used) FROM"
                        + " anvil.blocks)|aggregate function avg() in a subquery",
                "SELECT miner FROM anvil.blocks GROUP BY miner HAVING max(gas_used) > 1|HAVING (an"
                        + " aggregation)",
                "SELECT array_agg(hash) FILTER (WHERE block_num > 1) FROM anvil.blocks|aggregate"
                        + " function array_agg()",
                "SELECT hash, row_number() OVER (ORDER BY block_num) FROM anvil.blocks|window"
                        + " function row_number() OVER",
                "SELECT hash, sum(gas_used) OVER (PARTITION BY miner) FROM anvil.blocks|window"
                        + " function sum() OVER",
                "SELECT hash, lag(hash) OVER w FROM anvil.blocks WINDOW w AS (ORDER BY"
                        + " block_num)|WINDOW (window functions)",
                "SELECT hash FROM anvil.blocks UNION SELECT hash FROM anvil.blocks|UNION without"
                        + " ALL",
                "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM"
                        + " r|WITH RECURSIVE",
            })
    void rejectsNonIncrementalQueriesNamingTableAndClause(String sql, String clause) {
        assertThatThrownBy(() -> ManifestQuery.resolve("blocks_x", sql, ALIASES))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("Table 'blocks_x' cannot be streamed: its SQL has ")
                .hasMessageContaining(clause)
                .hasMessageContaining("Streaming queries must be incremental");
    }

    @Test
    void rejectsWhatIsNotOneResolvableSelect() {
        assertThatThrownBy(() -> resolve("SELEC hash FROM anvil.blocks"))
                .hasMessageStartingWith("Table 't': its SQL does not parse:");
        assertThatThrownBy(() -> resolve("SELECT hash FROM anvil.blocks SETTINGS stream = true"))
                .hasMessageContaining("leave out SETTINGS");
        assertThatThrownBy(() -> resolve("DELETE FROM anvil.blocks"))
                .hasMessageContaining("only a SELECT query can be synced, not DELETE");
        assertThatThrownBy(() -> resolve("SELECT hash FROM blocks"))
                .hasMessageContaining(
                        "FROM blocks does not say which dataset it reads; write <alias>.blocks"
                                + " with an alias from dependencies [anvil]");
        assertThatThrownBy(() -> resolve("SELECT hash FROM mainnet.blocks"))
                .hasMessageContaining(
                        "reads 'mainnet', which is not among the dependencies [anvil]");
    }
}
