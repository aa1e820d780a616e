package io.slackir.chat;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * For the tests of slow readers only ({@code slackir-test.send-buffer-size}): a small kernel send buffer on the
 * server's sockets, so what a stalled client does not read backs up in the service within a few frames, not megabytes.
 */
@ApplicationScoped
public class SmallSocketBuffers implements HttpServerOptionsCustomizer {

    static final String SEND_BUFFER_SIZE = "slackir-test.send-buffer-size";

    @ConfigProperty(name = SEND_BUFFER_SIZE)
    Optional<Integer> sendBufferSize;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        sendBufferSize.ifPresent(options::setSendBufferSize);
    }
}
