package dev.sluice.job.cli;

/** The parallelism of a pipeline file or manifest job, checked against the connection budget. */
public final class Parallelism {

    private Parallelism() {}

    /**
     * {@code requested}, or by default one per core within the budget: every parallel writer needs
     * two connections (writer and committer), per pipeline.
     *
     * @throws UsageException when the parallelism needs more than {@code maxConnections}
     */
    public static int of(Integer requested, int maxConnections, int pipelines) {
        int parallelism =
                requested != null
                        ? requested
                        : Math.max(
                                1,
                                Math.min(
                                        Runtime.getRuntime().availableProcessors(),
                                        maxConnections / 2 / pipelines));
        if (2 * parallelism > maxConnections) {
            throw new UsageException(
                    "--parallelism "
                            + parallelism
                            + " needs "
                            + 2 * parallelism
                            + " database connections"
                            + (pipelines > 1 ? " per pipeline" : "")
                            + " but --max-db-connections is "
                            + maxConnections
                            + ": raise it or lower the parallelism.");
        }
        return parallelism;
    }
}
