package dev.sluice.job.amp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.job.config.FieldSpec;
import dev.sluice.sinks.postgres.TableRef;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class AmpEnrichmentPlanTest {

    @Test
    void tablesMergedByKeyAreRefusedBeforeAnythingConnects() {
        AmpEnrichmentPlan plan =
                new AmpEnrichmentPlan(
                        "chain",
                        List.of(),
                        List.of(new FieldSpec("late", "_block_num > 3", null, true)),
                        null);
        assertThatThrownBy(
                        () ->
                                plan.prepare(
                                        null,
                                        "_/anvil@latest.blocks",
                                        new TableRef("public", "blocks"),
                                        new Schema(List.of()),
                                        List.of("miner")))
                .isInstanceOf(AmpJobPlan.SetupException.class)
                .hasMessageContaining(
                        "merged by key; enrichment supports appended Amp tables only");
    }
}
