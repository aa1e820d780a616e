package io.slackir.chat;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client reduced to a TCP socket: it completes the handshake, then reads nothing until told to, and so
 * never answers a ping either. What a stalled phone or a dead peer looks like to the server. Only once a test asks
 * does it read, to find how the server ended the connection.
 */
final class RawSocket implements AutoCloseable {

    /** The opcode of a close frame (RFC 6455, 5.5.1). */
    private static final int CLOSE = 0x8;
    /** An unasked pong (RFC 6455, 5.5.3: a heartbeat) with no payload, masked as a client's frames must be. */
    private static final byte[] PONG = { (byte) 0x8A, (byte) 0x80, 0, 0, 0, 0 };

    private final Socket socket = new Socket();

    RawSocket(URI base, String path) throws IOException {
        // A small window, so the server's writes back up at once instead of filling a large kernel buffer
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // Reads the handshake's answer, and not one byte more
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + head);
        }
    }

    /**
     * From now on sends an unasked pong every half second, until closed: the server hears from the peer, so it is
     * alive, and still it reads nothing. Only the send buffer can end such a connection, not the idle timeout.
     */
    RawSocket heartbeat() {
        Thread.ofVirtual().start(() -> {
            try {
                while (!socket.isClosed()) {
                    socket.getOutputStream().write(PONG);
                    Thread.sleep(500);
                }
            } catch (IOException | InterruptedException e) {
                // Closed: the heartbeat ends with the socket
            }
        });
        return this;
    }

    /**
     * Reads at last what the server sent and nobody read, frame after frame, up to the close frame, and returns the
     * code the server closed with; null when it ended the TCP connection without one.
     *
     * @throws AssertionError when neither came within {@code patience}
     */
    Integer awaitCloseCode(Duration patience) throws IOException {
        socket.setSoTimeout((int) patience.toMillis());
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return null;
                }
                int second = in.readUnsignedByte();
                long length = second & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                if ((second & 0x80) != 0) {
                    in.skipNBytes(4); // a server never masks its frames; a mask would be skipped all the same
                }
                if ((first & 0x0F) == CLOSE) {
                    // The payload starts with the two-byte code; without one the close means 1005 (no status)
                    return length >= 2 ? in.readUnsignedShort() : 1005;
                }
                in.skipNBytes(length);
            }
        } catch (EOFException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("Neither a close frame nor the end of the connection within " + patience, e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
