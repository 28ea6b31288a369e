package dev.sluice.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParallelismTest {

    @Test
    void requestedWithinTheBudget() {
        assertThat(Parallelism.of(3, 6, 1)).isEqualTo(3);
    }

    @Test
    void defaultFitsTheBudgetOfEveryPipeline() {
        int p = Parallelism.of(null, 4, 2);
        assertThat(p).isEqualTo(1); // 4 connections / 2 per writer / 2 pipelines
        assertThat(Parallelism.of(null, 2, 5)).isEqualTo(1); // never below one
    }

    @Test
    void tooManyWritersForTheConnectionsIsAUsageError() {
        assertThatThrownBy(() -> Parallelism.of(4, 6, 3))
                .isInstanceOf(UsageException.class)
                .hasMessage(
                        "--parallelism 4 needs 8 database connections per pipeline but"
                                + " --max-db-connections is 6: raise it or lower the parallelism.");
        assertThatThrownBy(() -> Parallelism.of(4, 6, 1))
                .hasMessageStartingWith("--parallelism 4 needs 8 database connections but");
    }
}
