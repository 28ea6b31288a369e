package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.FlightDescriptor;
import org.junit.jupiter.api.Test;

class FlightSqlCommandsTest {

    @Test
    void statementQueryRoundTrips() {
        String sql = "SELECT * FROM \"_/anvil@latest\".blocks SETTINGS stream = true";
        assertThat(FlightSqlCommands.sqlOf(FlightSqlCommands.statementQuery(sql))).isEqualTo(sql);
    }

    @Test
    void rejectsPathDescriptorsAndRawSql() {
        assertThatThrownBy(() -> FlightSqlCommands.sqlOf(FlightDescriptor.path("blocks")))
                .hasMessageContaining("PATH");
        assertThatThrownBy(
                        () ->
                                FlightSqlCommands.sqlOf(
                                        FlightDescriptor.command(
                                                "SELECT 1".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
