package dev.sluice.job.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The datastores only lookups use: Redis and HTTP services. Credentials written into a URL are
 * moved out of it into secrets, so the URL a datastore prints never holds them.
 */
final class LookupDatastores {

    private LookupDatastores() {}

    static Datastore redis(
            ConfigNode n,
            String name,
            String url,
            String username,
            String password,
            String caFile) {
        if (url == null) {
            throw n.error("url", "is required, e.g. redis://localhost:6379/0 (rediss:// for TLS)");
        }
        URI uri = uri(n, url, "redis", "rediss");
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            String pass = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            username = username != null ? username : (user.isEmpty() ? null : user);
            password = password != null ? password : pass;
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.matches("/\\d{0,2}")) {
            throw n.error("url", "the path must be a database number, e.g. /0");
        }
        if (caFile != null && !uri.getScheme().equals("rediss")) {
            throw n.error("ca_file", "needs a rediss:// url");
        }
        return new Datastore(
                name,
                Datastore.Type.REDIS,
                uri.getHost(),
                uri.getPort() > 0 ? uri.getPort() : 6379,
                path.length() > 1 ? path.substring(1) : "0",
                username,
                password == null ? null : new Secret(password),
                null,
                withoutUserInfo(uri),
                null,
                Map.of(),
                caFile);
    }

    static Datastore http(
            ConfigNode n,
            String name,
            String url,
            Map<String, Secret> headers,
            String token,
            String username,
            String password,
            String caFile) {
        if (url == null) {
            throw n.error("url", "is required, e.g. https://scoring.internal:8443/api");
        }
        URI uri = uri(n, url, "http", "https");
        if (uri.getRawUserInfo() != null) {
            throw n.error("url", "must not hold credentials: use username/password or auth_token");
        }
        if (token != null && (username != null || password != null)) {
            throw n.error("auth_token", "give auth_token (bearer) or username/password, not both");
        }
        if ((username == null) != (password == null)) {
            throw n.error(username == null ? "username" : "password", "basic auth needs both");
        }
        if (caFile != null && !uri.getScheme().equals("https")) {
            throw n.error("ca_file", "needs an https:// url");
        }
        for (String header : headers.keySet()) {
            if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw n.error("headers." + header, "is not a valid header name");
            }
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return new Datastore(
                name,
                Datastore.Type.HTTP,
                uri.getHost(),
                uri.getPort(),
                null,
                username,
                password == null ? null : new Secret(password),
                null,
                base,
                token == null ? null : new Secret(token),
                headers,
                caFile);
    }

    private static URI uri(ConfigNode n, String url, String plain, String tls) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw n.error("url", "is not a URL: " + e.getReason());
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals(plain) || uri.getScheme().equals(tls))
                || uri.getHost() == null) {
            throw n.error(
                    "url", "must look like " + plain + "://host:port (or " + tls + "://host:port)");
        }
        return uri;
    }

    private static String withoutUserInfo(URI uri) {
        return uri.getScheme()
                + "://"
                + (uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost())
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
