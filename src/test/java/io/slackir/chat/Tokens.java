package io.slackir.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Tokens as the deployment's identity provider would issue them, signed with the dev key pair ({@code dev/jwt}), and
 * the ways a token goes wrong. {@link JwtMode} is the service that verifies them.
 */
public final class Tokens {

    public static final String ISSUER = "slackir-dev";
    public static final String AUDIENCE = "slackir";
    public static final Path PUBLIC_KEY = Path.of("dev/jwt/publicKey.pem").toAbsolutePath();
    public static final Path PRIVATE_KEY = Path.of("dev/jwt/privateKey.pem").toAbsolutePath();

    /** jwt mode, verifying the dev key pair's tokens of this issuer for this audience; {@code ops}, {@code team-*} private. */
    public static class JwtMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return signingInAt("https://sso.example/auth?client_id=slackir&response_type=token");
        }

        /** The same jwt mode with another sign-in URL (an empty one is none), for profiles of their own. */
        public static Map<String, String> signingInAt(String signInUrl) {
            return Map.of("slackir.auth.mode", "jwt",
                    "mp.jwt.verify.publickey.location", PUBLIC_KEY.toUri().toString(),
                    "mp.jwt.verify.issuer", ISSUER,
                    "mp.jwt.verify.audiences", AUDIENCE,
                    "slackir.rooms.private", "ops,team-*",
                    "slackir.auth.sign-in-url", signInUrl);
        }
    }

    private Tokens() {
    }

    /** A user's valid token for an hour: {@code preferred_username}, and {@code groups} when given. */
    public static String of(String user, String... groups) {
        return claims(user, groups).sign(devKey());
    }

    /** A valid token that expires in {@code lifetime}. */
    public static String expiringIn(Duration lifetime, String user, String... groups) {
        return claims(user, groups).expiresAt(Instant.now().plus(lifetime)).sign(devKey());
    }

    /** A token whose {@code exp} has passed. */
    public static String expired(String user) {
        return claims(user).issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600))
                .sign(devKey());
    }

    /** Claims as a valid token has them, signed with a key the service never saw. */
    public static String forged(String user) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return claims(user).sign(generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed with the right key, by another issuer. */
    public static String otherIssuer(String user) {
        return claims(user).issuer("https://elsewhere.example").sign(devKey());
    }

    /** Signed with the right key, for another service. */
    public static String otherAudience(String user) {
        return claims(user).audience("another-service").sign(devKey());
    }

    private static JwtClaimsBuilder claims(String user, String... groups) {
        JwtClaimsBuilder claims = Jwt.issuer(ISSUER).audience(AUDIENCE).subject("id-" + user)
                .claim("preferred_username", user).expiresAt(Instant.now().plusSeconds(3600));
        return groups.length == 0 ? claims : claims.groups(Set.of(groups));
    }

    /** The dev key pair's private key (PKCS#8 PEM), read from the checkout. */
    public static PrivateKey devKey() {
        try {
            String pem = Files.readString(PRIVATE_KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
