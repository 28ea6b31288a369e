package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validation rules and golden traces of amp-protocol.md §3 and §8. */
class RangeValidatorTest {

    private final RangeValidator validator = new RangeValidator("s");

    /** Hash of block {@code n} on fork {@code fork}. */
    static String h(int fork, long n) {
        return String.format("0x%016x%048x", fork + 1, n); // never the zero hash
    }

    static BlockRange range(String net, int fork, long start, long end) {
        return range(net, fork, start, end, fork);
    }

    static BlockRange range(String net, int fork, long start, long end, int parentFork) {
        return new BlockRange(
                net,
                start,
                end,
                h(fork, end),
                start == 0 ? BlockHashes.ZERO : h(parentFork, start - 1),
                null);
    }

    static BatchMetadata batch(BlockRange... ranges) {
        return new BatchMetadata(List.of(ranges), false);
    }

    @Test
    void consecutiveRangesAndRepeatsAreValid() {
        assertThat(validator.validate(batch(range("a", 0, 0, 0)))).isEmpty();
        assertThat(validator.validate(batch(range("a", 0, 0, 0)))).isEmpty(); // watermark repeat
        assertThat(validator.validate(batch(range("a", 0, 1, 2)))).isEmpty();
        assertThat(validator.validate(new BatchMetadata(List.of(), false))).isEmpty(); // keep-alive
        assertThat(validator.validate(batch(range("a", 0, 3, 3)))).isEmpty();
    }

    @Test
    void forkInsideTheLastCompletedRangeIsAReorgFromItsStart() {
        // Watermarks 0..=0, 1..=2, then a depth-1 reorg arrives as 2..=3 (ampsync's fatal case).
        validator.validate(batch(range("anvil", 0, 0, 0)));
        validator.validate(batch(range("anvil", 0, 1, 2)));
        List<Rollback> rollbacks = validator.validate(batch(range("anvil", 1, 2, 3, 0)));
        assertThat(rollbacks).containsExactly(new Rollback("anvil", 2));
        // The rest of that microbatch repeats the range: no second rollback.
        assertThat(validator.validate(batch(range("anvil", 1, 2, 3, 0)))).isEmpty();
    }

    @Test
    void reorgReachingPastThePreviousEndIsValid() {
        validator.validate(batch(range("a", 0, 0, 10)));
        validator.validate(batch(range("a", 0, 11, 15)));
        assertThat(validator.validate(batch(range("a", 1, 11, 20, 0))))
                .containsExactly(new Rollback("a", 11));
    }

    @Test
    void consecutiveReorgsEachRollBack() {
        validator.validate(batch(range("a", 0, 0, 5)));
        assertThat(validator.validate(batch(range("a", 1, 3, 6, 0))))
                .containsExactly(new Rollback("a", 3));
        assertThat(validator.validate(batch(range("a", 2, 2, 7, 0))))
                .containsExactly(new Rollback("a", 2));
    }

    @Test
    void onlyTheReorgedNetworkRollsBack() {
        validator.validate(batch(range("eth", 0, 0, 3), range("polygon", 0, 0, 3)));
        assertThat(validator.validate(batch(range("eth", 1, 2, 4, 0), range("polygon", 0, 4, 4))))
                .containsExactly(new Rollback("eth", 2));
    }

    @Test
    void resumedStreamContinuesOrJumpsBackFromTheCursor() {
        RangeValidator resumed =
                new RangeValidator("s", new ResumeCursor(Map.of("a", new BlockRef(2, h(0, 2)))));
        assertThat(resumed.validate(batch(range("a", 0, 3, 3)))).isEmpty();

        RangeValidator reorgedAway =
                new RangeValidator("s", new ResumeCursor(Map.of("a", new BlockRef(2, h(0, 2)))));
        assertThat(reorgedAway.validate(batch(range("a", 1, 1, 3, 0))))
                .containsExactly(new Rollback("a", 1));
    }

    @Test
    void gapIsAViolation() {
        validator.validate(batch(range("a", 0, 0, 2)));
        assertThatThrownBy(() -> validator.validate(batch(range("a", 0, 5, 6))))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("stream 's'")
                .hasMessageContaining("gap")
                .hasMessageContaining("3..=4 are missing");
    }

    @Test
    void overlapWithMatchingHashIsAViolation() {
        validator.validate(batch(range("a", 0, 0, 2)));
        BlockRange sneaky = new BlockRange("a", 2, 3, h(0, 3), h(0, 2), null);
        assertThatThrownBy(() -> validator.validate(batch(sneaky)))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("overlap");
    }

    @Test
    void consecutiveRangesWithMismatchedHashAreAViolation() {
        validator.validate(batch(range("a", 0, 0, 2)));
        assertThatThrownBy(() -> validator.validate(batch(range("a", 1, 3, 4, 1))))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("hash mismatch");
    }

    @Test
    void genesisWithParentHashIsAViolation() {
        BlockRange bad = new BlockRange("a", 0, 1, h(0, 1), h(9, 9), null);
        assertThatThrownBy(() -> validator.validate(batch(bad)))
                .hasMessageContaining("genesis but has a non-zero parent hash");
    }

    @Test
    void nonGenesisWithoutParentHashIsAViolation() {
        BlockRange bad = new BlockRange("a", 4, 5, h(0, 5), null, null);
        assertThatThrownBy(() -> validator.validate(batch(bad)))
                .hasMessageContaining("has no parent hash");
    }

    @Test
    void duplicateNetworkIsAViolation() {
        assertThatThrownBy(
                        () -> validator.validate(batch(range("a", 0, 0, 1), range("a", 0, 0, 1))))
                .hasMessageContaining("appears twice");
    }

    @Test
    void changedNetworkSetIsAViolation() {
        validator.validate(batch(range("a", 0, 0, 1)));
        assertThatThrownBy(
                        () -> validator.validate(batch(range("a", 0, 2, 3), range("b", 0, 0, 1))))
                .hasMessageContaining("set of networks changed from [a] to [a, b]");
    }
}
