package io.slackir.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.slackir.chat.Tokens;

/**
 * Dev mode's way to try jwt mode without an identity provider (the key pair in {@code dev/jwt}, {@code dev/Token.java}
 * and its issuer, smallrye-jwt-build, which mints tokens, and Quarkus's own dev and test keys) is nowhere in the
 * packaged application: every file of {@code target/quarkus-app} is read, each jar's entries unzipped, and the native
 * binary when one was built. Runs after packaging, with the other {@code *IT}s; {@code UnkeyedJwtModeIT} shows what
 * the packaged application does with a dev token.
 */
class DevSigningNotPackagedIT {

    private static final Path APP = Path.of("target/quarkus-app");

    /**
     * Every file (or jar entry: {@code jar!/entry}) read, by name, and what it holds, a char for each byte (Latin-1):
     * String.indexOf is the JDK's fast search, and a class file's names and strings are ASCII in it.
     */
    private static final Map<String, String> PACKAGE = new LinkedHashMap<>();

    @BeforeAll
    static void readThePackage() throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(APP)) {
            try (Stream<Path> all = Files.walk(APP)) {
                all.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        Path binary = Path.of(System.getProperty("native.image.path", "target/none"));
        if (Files.isRegularFile(binary)) {
            files.add(binary);
        }
        assertTrue(!files.isEmpty(), "a packaged application under target/: run ./mvnw verify");
        for (Path file : files) {
            read(file.toString(), Files.readAllBytes(file));
        }
    }

    private static void read(String name, byte[] content) throws IOException {
        PACKAGE.put(name, new String(content, StandardCharsets.ISO_8859_1));
        if (name.endsWith(".jar") || name.endsWith(".zip")) {
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null;) {
                    if (!entry.isDirectory()) {
                        read(name + "!/" + entry.getName(), zip.readAllBytes());
                    }
                }
            }
        }
    }

    @Test
    void theScanReadsTheApplicationItsVerifierAndItsConfiguration() {
        Set<String> entries = new TreeSet<>();
        PACKAGE.keySet().forEach(name -> entries.add(name.substring(name.lastIndexOf("!/") + 1)));
        for (String expected : List.of("/io/slackir/chat/access/Access.class", "/application.properties",
                "/io/smallrye/jwt/auth/principal/DefaultJWTParser.class")) {
            assertTrue(entries.contains(expected), expected + " is read: the scan sees into the jars");
        }
        assertTrue(!where("mp.jwt.verify.publickey.location").isEmpty(), "class files are read as they are");
    }

    @Test
    void theDevKeyPairIsNowhereInThePackage() {
        Map<String, List<String>> needles = new LinkedHashMap<>();
        needles.put("the dev public key", keyForms(Tokens.PUBLIC_KEY));
        needles.put("the dev private key", keyForms(Tokens.PRIVATE_KEY));
        List<String> found = new ArrayList<>();
        needles.forEach((what, forms) -> forms.stream().flatMap(form -> where(form).stream())
                .forEach(at -> found.add(what + " in " + at)));
        assertEquals(List.of(), summary(found));
    }

    @Test
    void nothingNamesTheDevSetupOrTheTokenBuilder() {
        List<String> found = new ArrayList<>();
        // The key pair's directory and dev/Token.java's issuer; the setting of a key to sign with (which only a
        // minter needs); Quarkus's dev-mode key generation (its log line, and its persistent keys' file names); the
        // token builder's classes, as a jar or the JVM names them (and a native binary)
        for (String needle : List.of("dev/jwt", "slackir-dev", "smallrye.jwt.sign.key", "in-memory key pair",
                "dev.privateKey.pem", "dev.publicKey.pem", "io/smallrye/jwt/build", "io/quarkus/smallrye/jwt/build",
                "io.smallrye.jwt.build.", "io.quarkus.smallrye.jwt.build.")) {
            where(needle).forEach(at -> found.add(needle + " in " + at));
        }
        // smallrye-jwt-build mints tokens: its jars are not packaged, nor listed as packaged. (The verifier's own
        // pom names it as a dependency; what matters is that it was left out.)
        for (String name : PACKAGE.keySet()) {
            if (name.contains("smallrye-jwt-build") || name.matches(".*\\.(pem|key|jwk|jwks)")) {
                found.add("packaged: " + name);
            }
        }
        PACKAGE.forEach((name, content) -> {
            if (name.endsWith("quarkus-app-dependencies.txt") || name.endsWith("quarkus-application.dat")) {
                if (content.contains("smallrye-jwt-build")) {
                    found.add("smallrye-jwt-build listed in " + name);
                }
            }
        });
        assertEquals(List.of(), summary(found));
    }

    /** Findings in the entries of one jar said once: what, where, how many entries. */
    private static List<String> summary(List<String> found) {
        Map<String, Integer> byJar = new LinkedHashMap<>();
        found.stream().distinct().forEach(f -> byJar.merge(f.replaceFirst("!/.*", ""), 1, Integer::sum));
        List<String> summary = new ArrayList<>();
        byJar.forEach((what, count) -> summary.add(count == 1 ? what : what + " (" + count + " entries)"));
        return summary;
    }

    /** Where the package holds these bytes (a char each), by file or jar entry. */
    private static List<String> where(String needle) {
        return PACKAGE.entrySet().stream().filter(file -> file.getValue().contains(needle)).map(Map.Entry::getKey)
                .toList();
    }

    /**
     * A key in the forms it could be packaged in, each as runs of 32 characters (bytes) that only this key has: its
     * PEM body (a .pem file, or a setting on one line, however wrapped) without the header every RSA key shares, and
     * for the public key its modulus, which both keys hold, raw (DER) and in base64url (a JWK's {@code n}).
     */
    private static List<String> keyForms(Path pem) {
        try {
            String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            List<String> forms = new ArrayList<>(runs(body.substring(64, body.length() - 16)));
            if (pem.equals(Tokens.PUBLIC_KEY)) {
                RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
                byte[] modulus = unsigned(key.getModulus());
                forms.addAll(runs(Base64.getUrlEncoder().withoutPadding().encodeToString(modulus)));
                for (int i = 0; i + 32 <= modulus.length; i += 32) {
                    forms.add(new String(Arrays.copyOfRange(modulus, i, i + 32), StandardCharsets.ISO_8859_1));
                }
            }
            return forms;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> runs(String text) {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i + 32 <= text.length(); i += 32) {
            runs.add(text.substring(i, i + 32));
        }
        return runs;
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
