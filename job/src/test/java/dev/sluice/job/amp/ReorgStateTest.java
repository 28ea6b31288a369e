package dev.sluice.job.amp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReorgStateTest {

    @Test
    void keepsOnlyRangesWithinTheWindow() {
        ReorgState s = new ReorgState();
        for (long b = 0; b < 1000; b++) {
            s.complete("a", b, b, "h" + b, 64);
        }
        assertThat(s.retained.get("a")).hasSize(64);
        assertThat(s.retained.get("a").peekFirst().start).isEqualTo(936);
        assertThat(s.head("a")).isEqualTo(999);
    }

    @Test
    void rollbackTrimsARangeThatStraddlesTheFork() {
        ReorgState s = new ReorgState();
        s.complete("a", 0, 0, "h0", 64);
        s.complete("a", 1, 2, "h2", 64);
        s.rollback("a", 2);
        assertThat(s.head("a")).isEqualTo(1);
        s.complete("a", 2, 3, "h3'", 64);
        assertThat(s.head("a")).isEqualTo(3);
        assertThat(s.retained.get("a")).hasSize(3);
    }

    @Test
    void repeatedCompletionReplacesWhatItCovers() {
        ReorgState s = new ReorgState();
        s.complete("a", 0, 5, "h5", 64);
        s.complete("a", 3, 5, "h5'", 64);
        assertThat(s.retained.get("a")).hasSize(1);
        assertThat(s.retained.get("a").peekLast().hash).isEqualTo("h5'");
    }

    @Test
    void roundTripsAndRejectsUnknownVersions() throws IOException {
        ReorgState s = new ReorgState();
        s.complete("eth", 0, 9, "h9", 64);
        s.rollback("eth", 5);
        s.stopped = "why";
        ReorgState back = ReorgState.fromBytes(s.toBytes());
        assertThat(back.stopped).isEqualTo("why");
        assertThat(back.head("eth")).isEqualTo(4);
        assertThat(back.retained.get("eth").peekLast().hash).isNull();
        byte[] bad = s.toBytes();
        bad[0] = 9;
        assertThatThrownBy(() -> ReorgState.fromBytes(bad)).hasMessageContaining("version 9");
    }
}
