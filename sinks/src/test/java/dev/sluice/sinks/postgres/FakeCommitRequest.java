package dev.sluice.sinks.postgres;

import org.apache.flink.api.connector.sink2.Committer;

/** A commit request that records how the committer signalled it. */
final class FakeCommitRequest<T> implements Committer.CommitRequest<T> {

    enum Outcome {
        PENDING_OR_SUCCESS,
        ALREADY_COMMITTED,
        FAILED_KNOWN,
        FAILED_UNKNOWN,
        RETRY_LATER
    }

    private final T committable;
    private final int retries;
    Outcome outcome = Outcome.PENDING_OR_SUCCESS;
    Throwable failure;

    FakeCommitRequest(T committable, int retries) {
        this.committable = committable;
        this.retries = retries;
    }

    FakeCommitRequest(T committable) {
        this(committable, 0);
    }

    @Override
    public T getCommittable() {
        return committable;
    }

    @Override
    public int getNumberOfRetries() {
        return retries;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
        outcome = Outcome.FAILED_KNOWN;
        failure = t;
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
        outcome = Outcome.FAILED_UNKNOWN;
        failure = t;
    }

    @Override
    public void retryLater() {
        outcome = Outcome.RETRY_LATER;
    }

    @Override
    public void updateAndRetryLater(T committable) {
        outcome = Outcome.RETRY_LATER;
    }

    @Override
    public void signalAlreadyCommitted() {
        outcome = Outcome.ALREADY_COMMITTED;
    }
}
