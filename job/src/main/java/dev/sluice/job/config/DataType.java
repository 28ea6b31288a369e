package dev.sluice.job.config;

/** The {@code dtype} values of a field and the PostgreSQL column type each creates. */
public enum DataType {
    STR("str", "text"),
    INT("int", "bigint"),
    FLOAT("float", "double precision"),
    BOOL("bool", "boolean"),
    DECIMAL("decimal", "numeric"),
    DATE("date", "date"),
    TIMESTAMP("timestamp", "timestamp"),
    TIMESTAMPTZ("timestamptz", "timestamptz"),
    JSON("json", "jsonb"),
    UUID("uuid", "uuid"),
    BYTES("bytes", "bytea");

    public final String key;
    public final String sqlType;

    DataType(String key, String sqlType) {
        this.key = key;
        this.sqlType = sqlType;
    }

    public static DataType of(String key) {
        for (DataType t : values()) {
            if (t.key.equals(key)) {
                return t;
            }
        }
        return null;
    }

    public static String allowed() {
        StringBuilder b = new StringBuilder();
        for (DataType t : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(t.key);
        }
        return b.toString();
    }
}
