package io.slackir.chat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.handler.timeout.IdleStateHandler;

/** Frames encoded once for every connection are the bytes Netty's encoder makes for each, and read back the same. */
class WebSocketWireTest {

    @Test
    void everyLengthFormIsWhatNettysEncoderWrites() {
        for (int length : new int[] {0, 1, 125, 126, 127, 4_000, 65_535, 65_536, 262_144}) {
            byte[] text = "é".repeat(length / 2).concat(length % 2 == 1 ? "a" : "").getBytes(StandardCharsets.UTF_8);
            assertEquals(length, text.length);
            ByteBuf payload = Outbox.frame(text);

            ByteBuf ours = WebSocketWire.encode(payload, ByteBufAllocator.DEFAULT);
            EmbeddedChannel netty = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
            netty.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(text)));
            ByteBuf theirs = Unpooled.buffer();
            for (ByteBuf part; (part = netty.readOutbound()) != null; part.release()) {
                theirs.writeBytes(part);
            }
            assertArrayEquals(ByteBufUtil.getBytes(theirs), ByteBufUtil.getBytes(ours), length + " bytes");
            assertEquals(length, payload.readableBytes(), "the shared frame is left unread for the next connection");

            EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
            client.writeInbound(ours);
            TextWebSocketFrame read = client.readInbound();
            assertTrue(read.isFinalFragment());
            assertArrayEquals(text, ByteBufUtil.getBytes(read.content()), length + " bytes read back");
            read.release();
            theirs.release();
        }
    }

    @Test
    void framesSkipTheEncoderAndIdleTimerButNeverAnExtension() {
        ChannelInboundHandlerAdapter vertx = new ChannelInboundHandlerAdapter();
        EmbeddedChannel plain = new EmbeddedChannel(new WebSocket13FrameDecoder(true, false, 1 << 16),
                new WebSocket13FrameEncoder(false), new IdleStateHandler(0, 0, 30, TimeUnit.MINUTES), vertx);
        assertSame(plain.pipeline().context(WebSocket13FrameEncoder.class),
                SocketWriter.wireContext(plain.pipeline(), plain.pipeline().context(vertx)));

        ChannelInboundHandlerAdapter vertxOfCompressing = new ChannelInboundHandlerAdapter();
        EmbeddedChannel compressing = new EmbeddedChannel(new WebSocket13FrameEncoder(false),
                new PerMessageDeflateServerExtensionHandshaker()
                        .handshakeExtension(new WebSocketExtensionData("permessage-deflate", Map.of()))
                        .newExtensionEncoder(),
                new IdleStateHandler(0, 0, 30, TimeUnit.MINUTES), vertxOfCompressing);
        assertNull(SocketWriter.wireContext(compressing.pipeline(),
                compressing.pipeline().context(vertxOfCompressing)));
    }
}
