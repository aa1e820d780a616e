import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Mints a token for trying jwt mode in dev mode, without an identity provider: signed with the dev-only key pair in
 * dev/jwt, which ./mvnw quarkus:dev (and only it: see pom.xml) trusts. Nothing of this is packaged.
 *
 * <pre>
 * ./mvnw quarkus:dev -Dslackir.auth.mode=jwt -Dslackir.rooms.private=ops
 * java dev/Token.java ada room:ops          # a token for "ada", who may enter the private room ops
 * java dev/Token.java bob --minutes 1       # one that expires in a minute
 * </pre>
 *
 * It prints the token (for curl's {@code -H "Authorization: Bearer ..."}, or a socket's) and a link that signs the page
 * in with it.
 */
public class Token {

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: java dev/Token.java NAME [room:ROOM ...] [--minutes N] [--port P]");
            System.exit(2);
        }
        String name = args[0];
        List<String> groups = new ArrayList<>();
        long minutes = 60;
        int port = 8080;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Long.parseLong(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                default -> groups.add(args[i]);
            }
        }
        long now = Instant.now().getEpochSecond();
        String claims = "{\"iss\":\"slackir-dev\",\"aud\":\"slackir\",\"sub\":" + json(name)
                + ",\"preferred_username\":" + json(name)
                + ",\"groups\":[" + String.join(",", groups.stream().map(Token::json).toList()) + "]"
                + ",\"iat\":" + now + ",\"exp\":" + (now + minutes * 60) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String unsigned = base64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + base64(claims);
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(devKey());
        rs256.update(unsigned.getBytes(StandardCharsets.US_ASCII));
        String token = unsigned + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rs256.sign());
        System.out.println(token);
        System.err.printf("%nSigns in as %s%s for %d minute(s). Open the page signed in:%n"
                + "http://localhost:%d/#access_token=%s%n", name, groups.isEmpty() ? "" : " with " + groups, minutes,
                port, URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    private static PrivateKey devKey() throws Exception {
        Path pem = Path.of("dev/jwt/privateKey.pem"); // run from the project's root, as ./mvnw is
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
