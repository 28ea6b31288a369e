package dev.sluice.testutils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA and a {@code localhost} server certificate signed by it, made with the JDK's own
 * {@code keytool} (so every machine with a JDK can run TLS tests), written as PEM files that
 * Netty/gRPC and PostgreSQL accept.
 */
public final class TestCertificates {

    private static final String PASS = "changeit";

    private final Path caCert;
    private final Path serverCertChain;
    private final Path serverKey;

    private TestCertificates(Path caCert, Path serverCertChain, Path serverKey) {
        this.caCert = caCert;
        this.serverCertChain = serverCertChain;
        this.serverKey = serverKey;
    }

    /** The CA certificate clients trust (PEM). */
    public Path caCert() {
        return caCert;
    }

    /** The server certificate followed by the CA certificate (PEM). */
    public Path serverCertChain() {
        return serverCertChain;
    }

    /** The server's private key, PKCS#8 PEM, readable by the owner only. */
    public Path serverKey() {
        return serverKey;
    }

    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12");
        Path server = dir.resolve("server.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=sluice-test-ca",
                "-ext",
                "bc:c",
                "-validity",
                "3",
                "-storetype",
                "PKCS12",
                "-keystore",
                ca.toString(),
                "-storepass",
                PASS);
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-validity",
                "3",
                "-storetype",
                "PKCS12",
                "-keystore",
                server.toString(),
                "-storepass",
                PASS);
        Path csr = dir.resolve("server.csr");
        keytool(
                "-certreq",
                "-alias",
                "server",
                "-keystore",
                server.toString(),
                "-storepass",
                PASS,
                "-file",
                csr.toString());
        Path serverCrt = dir.resolve("server.crt");
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                PASS,
                "-infile",
                csr.toString(),
                "-outfile",
                serverCrt.toString(),
                "-rfc",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "3");
        Path caPem = dir.resolve("ca.pem");
        keytool(
                "-exportcert",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                PASS,
                "-rfc",
                "-file",
                caPem.toString());
        Path chain = dir.resolve("server-chain.pem");
        Files.writeString(
                chain,
                Files.readString(serverCrt) + Files.readString(caPem),
                StandardCharsets.US_ASCII);
        Path key = dir.resolve("server.key");
        Files.writeString(key, privateKeyPem(server), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return new TestCertificates(caPem, chain, key);
    }

    private static String privateKeyPem(Path keystore) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            Key key = ks.getKey("server", PASS.toCharArray());
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("Cannot read the test server key", e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add("-noprompt");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(
                    "keytool failed: "
                            + String.join(" ", args)
                            + "\n"
                            + new String(output, StandardCharsets.UTF_8));
        }
    }
}
