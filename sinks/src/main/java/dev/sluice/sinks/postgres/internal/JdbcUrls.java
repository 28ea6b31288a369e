package dev.sluice.sinks.postgres.internal;

import java.util.regex.Pattern;

/** Removes secrets from JDBC URLs before they reach a log line or an exception message. */
public final class JdbcUrls {

    private static final Pattern PASSWORD_PARAM =
            Pattern.compile("(?i)([?&;](password|sslpassword|sslkey)=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:]*):[^/@]*@");

    private JdbcUrls() {}

    public static String scrub(String url) {
        if (url == null) {
            return null;
        }
        String s = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(s).replaceAll("$1:***@");
    }
}
