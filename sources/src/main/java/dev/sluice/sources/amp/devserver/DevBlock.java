package dev.sluice.sources.amp.devserver;

/** One canonical block as the admin API lists it. */
public final class DevBlock {

    private final long number;
    private final String hash;
    private final String parentHash;
    private final long timestamp;
    private final long transactions;
    private final long logs;

    DevBlock(
            long number,
            String hash,
            String parentHash,
            long timestamp,
            long transactions,
            long logs) {
        this.number = number;
        this.hash = hash;
        this.parentHash = parentHash;
        this.timestamp = timestamp;
        this.transactions = transactions;
        this.logs = logs;
    }

    public long number() {
        return number;
    }

    public String hash() {
        return hash;
    }

    public String parentHash() {
        return parentHash;
    }

    /** Unix seconds. */
    public long timestamp() {
        return timestamp;
    }

    public long transactions() {
        return transactions;
    }

    public long logs() {
        return logs;
    }

    String toJson() {
        return "{\"number\":"
                + number
                + ",\"hash\":\""
                + hash
                + "\",\"parent_hash\":\""
                + parentHash
                + "\",\"timestamp\":"
                + timestamp
                + ",\"transactions\":"
                + transactions
                + ",\"logs\":"
                + logs
                + "}";
    }

    @Override
    public String toString() {
        return toJson();
    }
}
