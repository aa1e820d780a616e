package io.slackir.chat.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A text message as a server sends it on the wire (RFC 6455, 5.2): one final frame, unmasked, unextended. Each
 * connection gets its own pooled copy: Netty's outbound buffer moves a buffer's reader index as the socket takes it,
 * so connections cannot share one, and a copy of a few hundred bytes costs less than the frame objects and the
 * encoder's pass it replaces.
 */
final class WebSocketWire {

    /** FIN and the text opcode. */
    private static final int FINAL_TEXT = 0x81;

    private WebSocketWire() {
    }

    /** The header's length: 2 bytes, and 2 or 8 more for a payload of 126 bytes or more. */
    static int headerLength(int payload) {
        return payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
    }

    /** {@code payload} (UTF-8 text, left unread) framed in a buffer of {@code alloc}'s, which the writer releases. */
    static ByteBuf encode(ByteBuf payload, ByteBufAllocator alloc) {
        int length = payload.readableBytes();
        ByteBuf out = alloc.directBuffer(headerLength(length) + length);
        out.writeByte(FINAL_TEXT);
        if (length < 126) {
            out.writeByte(length);
        } else if (length <= 0xFFFF) {
            out.writeByte(126);
            out.writeShort(length);
        } else {
            out.writeByte(127);
            out.writeLong(length);
        }
        out.writeBytes(payload, payload.readerIndex(), length);
        return out;
    }
}
