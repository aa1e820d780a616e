package io.slackir.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import org.HdrHistogram.Histogram;

/**
 * The load generator: many WebSocket clients on one thread, over plain NIO. Each read takes whatever the socket holds
 * and parses every frame in it, so one core reads several hundred thousand frames a second. Every shout carries the
 * time it was <em>due</em> ({@code #step:due#} in its text): a receiver measures latency from that, not from when the
 * sender got round to writing it, so a stalled server cannot hide its stall (no coordinated omission).
 */
final class Load implements AutoCloseable {

    /** How a target's shout frames look: Slackir's protocol (and the bare echo), or the getting-started chat's. */
    enum Protocol {
        SLACKIR, GETTING_STARTED
    }

    /** What one step of a scenario saw. Latencies in microseconds. */
    static final class Step {
        final int id;
        long windowEnd = Long.MAX_VALUE;
        long sent;
        long delivered;
        long deliveredInWindow;
        long acks;
        final Histogram latency = new Histogram(60_000_000L, 3);
        /** With several nodes: latency to receivers on the sender's node, and to those on another node. */
        final Histogram localLatency = new Histogram(60_000_000L, 3);
        final Histogram remoteLatency = new Histogram(60_000_000L, 3);
        final Histogram ackLatency = new Histogram(60_000_000L, 3);
        /** How late the load generator sent each shout after it was due: its own delay, inside every latency. */
        final Histogram sendLate = new Histogram(60_000_000L, 3);
        final Map<String, Long> errors = new TreeMap<>();

        Step(int id) {
            this.id = id;
        }
    }

    private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REF = "\"ref\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CODE = "\"code\":\"".getBytes(StandardCharsets.US_ASCII);
    /** Makes a shout the size of an ordinary chat line, ~100 characters. */
    private static final String FILLER = "the quick brown fox jumps over the lazy dog, again and again, all day long";

    private final Selector selector;
    private final InetSocketAddress server;
    private final Protocol protocol;
    private final List<Client> clients = new ArrayList<>();
    private final Step[] steps = new Step[64];
    private int handshakes;
    private int failedHandshakes;
    private int histories;
    private final Map<String, Long> closes = new TreeMap<>();
    private long frames;
    private long presenceFrames;

    Load(int port, Protocol protocol) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = new InetSocketAddress("127.0.0.1", port);
        this.protocol = protocol;
    }

    Step step(int id) {
        if (steps[id] == null) {
            steps[id] = new Step(id);
        }
        return steps[id];
    }

    /** Starts opening a connection to {@code path}; {@link #pump} completes the handshake. */
    Client connect(String path) {
        return connect(server.getPort(), path, false);
    }

    /**
     * Starts opening a connection to {@code path} on another port (another node).
     *
     * @param remote whether this client is on another node than the senders: its latencies count as cross-node
     */
    Client connect(int port, String path, boolean remote) {
        try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            Client client = new Client(channel, address, path, clients.size(), remote);
            clients.add(client);
            if (channel.connect(address)) {
                client.connected();
                client.key = channel.register(selector, SelectionKey.OP_READ, client);
            } else {
                client.key = channel.register(selector, SelectionKey.OP_CONNECT, client);
            }
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int handshakes() {
        return handshakes;
    }

    int failedHandshakes() {
        return failedHandshakes;
    }

    /** History frames received (Slackir sends one to each joining connection). */
    int histories() {
        return histories;
    }

    /** Text frames received, of any kind. */
    long frames() {
        return frames;
    }

    /** Presence frames received by every client: see {@link Client#presenceFrames}. */
    long presenceFrames() {
        return presenceFrames;
    }

    /** Close codes the server sent, and "reset" for connections that ended without a close frame. */
    Map<String, Long> closes() {
        return closes;
    }

    /** Shouts sent at a steady total rate, round robin over the senders: shout k is due at start + k / rate. */
    final class Schedule {
        private final List<Client> senders;
        private final Step step;
        private final long start;
        private final double interval;
        private final long end;
        private long k;

        Schedule(List<Client> senders, Step step, double perSecond, long start, long end) {
            this.senders = senders;
            this.step = step;
            this.start = start;
            this.interval = 1e9 / perSecond;
            this.end = end;
        }

        long nextDue() {
            return start + (long) (k * interval);
        }

        void sendDue(long now) {
            long due;
            while ((due = nextDue()) <= now && due < end) {
                Client sender = senders.get((int) (k % senders.size()));
                if (!sender.closed) {
                    sender.shout(step.id, due);
                    step.sendLate.recordValue(Math.max(0, System.nanoTime() - due) / 1000);
                    step.sent++;
                }
                k++;
            }
        }

        boolean done(long now) {
            return nextDue() >= end;
        }
    }

    Schedule schedule(List<Client> senders, Step step, double perSecond, long start, long end) {
        return new Schedule(senders, step, perSecond, start, end);
    }

    /** Runs the clients until {@code deadline} (nanoTime), sending what {@code schedule} (may be null) says is due. */
    void pump(long deadline, Schedule schedule) {
        pumpUntil(() -> false, deadline, schedule);
    }

    /** Runs the clients until {@code done} holds or {@code deadline} passes; true when it held. */
    boolean pumpUntil(BooleanSupplier done, long deadline, Schedule schedule) {
        try {
            while (true) {
                long now = System.nanoTime();
                if (schedule != null) {
                    schedule.sendDue(now);
                }
                if (done.getAsBoolean()) {
                    return true;
                }
                if (now >= deadline) {
                    return false;
                }
                long wake = deadline;
                if (schedule != null && !schedule.done(now)) {
                    wake = Math.min(wake, schedule.nextDue());
                }
                long waitNanos = wake - now;
                int ready = waitNanos <= 50_000 ? selector.selectNow()
                        : selector.select(Math.max(1, Math.min(50, waitNanos / 1_000_000)));
                if (ready > 0) {
                    long readAt = System.nanoTime();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        ((Client) key.attachment()).ready(key, readAt);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the clients until no frame has arrived for {@code quiet} nanoseconds, or {@code deadline} passes. */
    boolean pumpUntilQuiet(long quiet, long deadline) {
        long[] last = {System.nanoTime(), frames};
        return pumpUntil(() -> {
            long now = System.nanoTime();
            if (frames != last[1]) {
                last[0] = now;
                last[1] = frames;
            }
            return now - last[0] >= quiet;
        }, deadline, null);
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.closeQuietly();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** One WebSocket client connection. */
    final class Client {
        final SocketChannel channel;
        final InetSocketAddress address;
        final String path;
        final String name;
        final boolean remote;
        SelectionKey key;
        boolean open;
        boolean closed;
        /** When the connection (TCP) was started, and when its handshake and its history came. */
        final long started = System.nanoTime();
        long handshakeAt;
        long historyAt;
        /**
         * Frames that say who is in the room, never a shout: Slackir's {@code presence} and {@code presence_diff}, the
         * getting-started chat's {@code USER_JOINED} and {@code USER_LEFT}; and their payload bytes.
         */
        int presenceFrames;
        long presenceBytes;
        private byte[] in = new byte[64 * 1024];
        private int filled;
        private ByteBuffer out;
        /** A message arriving in fragments, put together. */
        private byte[] fragments;
        private int fragmentsLength;
        private int fragmentsOpcode;

        Client(SocketChannel channel, InetSocketAddress address, String path, int n, boolean remote) {
            this.channel = channel;
            this.address = address;
            this.path = path;
            this.name = "bench-" + n;
            this.remote = remote;
        }

        void connected() throws IOException {
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + address.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: c2xhY2tpci1iZW5jaG1hcms=\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        }

        void ready(SelectionKey key, long now) throws IOException {
            if (!key.isValid()) {
                return;
            }
            try {
                if (key.isConnectable()) {
                    channel.finishConnect();
                    key.interestOps(SelectionKey.OP_READ);
                    connected();
                    return;
                }
                if (key.isWritable()) {
                    flush();
                }
                if (key.isReadable()) {
                    read(now);
                }
            } catch (IOException e) {
                gone("reset");
            }
        }

        private void read(long now) throws IOException {
            while (true) {
                if (filled == in.length) {
                    in = Arrays.copyOf(in, in.length * 2);
                }
                int n = channel.read(ByteBuffer.wrap(in, filled, in.length - filled));
                if (n < 0) {
                    gone("reset");
                    return;
                }
                if (n == 0) {
                    return;
                }
                filled += n;
                int used = open ? frames(now) : handshake(now);
                if (used > 0) {
                    System.arraycopy(in, used, in, 0, filled - used);
                    filled -= used;
                }
                if (closed || filled < in.length) {
                    // The socket had less than the buffer holds: it is drained for now
                    return;
                }
            }
        }

        private int handshake(long now) throws IOException {
            for (int i = 3; i < filled; i++) {
                if (in[i] == '\n' && in[i - 1] == '\r' && in[i - 2] == '\n' && in[i - 3] == '\r') {
                    String status = new String(in, 0, Math.min(i, 12), StandardCharsets.US_ASCII);
                    if (!status.startsWith("HTTP/1.1 101")) {
                        failedHandshakes++;
                        gone("refused " + status.substring(Math.min(9, status.length())).trim());
                        return 0;
                    }
                    open = true;
                    handshakes++;
                    handshakeAt = now;
                    int used = i + 1;
                    // Frames may follow the 101 in the same read
                    System.arraycopy(in, used, in, 0, filled - used);
                    filled -= used;
                    return frames(now);
                }
            }
            return 0;
        }

        /** Parses every whole frame in the buffer; returns the bytes used. */
        private int frames(long now) throws IOException {
            int at = 0;
            while (filled - at >= 2) {
                int b0 = in[at] & 0xff;
                int b1 = in[at + 1] & 0xff;
                int header = 2;
                long length = b1 & 0x7f;
                if (length == 126) {
                    if (filled - at < 4) {
                        break;
                    }
                    length = ((in[at + 2] & 0xff) << 8) | (in[at + 3] & 0xff);
                    header = 4;
                } else if (length == 127) {
                    if (filled - at < 10) {
                        break;
                    }
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | (in[at + 2 + i] & 0xff);
                    }
                    header = 10;
                }
                if ((b1 & 0x80) != 0) {
                    header += 4; // a masked frame from a server: not expected, but skipped correctly
                }
                if (filled - at < header + length) {
                    if (header + length > in.length) {
                        in = Arrays.copyOf(in, (int) (header + length) * 2);
                    }
                    break;
                }
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0f;
                message(fin, opcode, at + header, (int) length, now);
                at += header + (int) length;
                if (closed) {
                    break;
                }
            }
            return at;
        }

        private void message(boolean fin, int opcode, int off, int length, long now) throws IOException {
            switch (opcode) {
                case 0x1, 0x2, 0x0 -> {
                    if (fin && opcode != 0 && fragments == null) {
                        if (opcode == 0x1) {
                            text(in, off, length, now);
                        }
                        return;
                    }
                    if (fragments == null) {
                        fragments = new byte[Math.max(1024, length * 2)];
                        fragmentsLength = 0;
                        fragmentsOpcode = opcode;
                    }
                    if (fragmentsLength + length > fragments.length) {
                        fragments = Arrays.copyOf(fragments, (fragmentsLength + length) * 2);
                    }
                    System.arraycopy(in, off, fragments, fragmentsLength, length);
                    fragmentsLength += length;
                    if (fin) {
                        if (fragmentsOpcode == 0x1) {
                            text(fragments, 0, fragmentsLength, now);
                        }
                        fragments = null;
                    }
                }
                case 0x8 -> {
                    int code = length >= 2 ? ((in[off] & 0xff) << 8) | (in[off + 1] & 0xff) : 1005;
                    gone(String.valueOf(code));
                }
                case 0x9 -> write(frame(0xA, Arrays.copyOfRange(in, off, off + length)));
                default -> {
                    // a pong, or a reserved opcode: nothing to do
                }
            }
        }

        private void text(byte[] b, int off, int length, long now) {
            frames++;
            int p = off + TYPE_PREFIX.length;
            if (length < TYPE_PREFIX.length + 3 || !startsWith(b, off, TYPE_PREFIX)) {
                return;
            }
            switch (b[p]) {
                // "shout" (Slackir and the bare echo), "CHAT_MESSAGE" (getting-started)
                case 's', 'C' -> delivered(b, p, off + length, now);
                case 'h' -> {
                    if (historyAt == 0) {
                        historyAt = now;
                        histories++;
                    }
                }
                case 'a' -> acked(b, p, off + length, now);
                case 'e' -> {
                    int at = indexOf(b, p, off + length, CODE);
                    String code = at < 0 ? "?" : until(b, at + CODE.length, off + length, '"');
                    int step = marker(b, p, off + length);
                    if (step >= 0 && steps[step] != null) {
                        steps[step].errors.merge(code, 1L, Long::sum);
                    }
                }
                // "presence", "presence_diff" (Slackir); "USER_JOINED", "USER_LEFT" (getting-started)
                case 'p', 'U' -> {
                    presenceFrames++;
                    presenceBytes += length;
                    Load.this.presenceFrames++;
                }
                default -> {
                    // "typing" (Slackir): nothing to measure
                }
            }
        }

        private void delivered(byte[] b, int from, int to, long now) {
            int hash = indexOf(b, from, to, '#');
            if (hash < 0) {
                return;
            }
            int p = hash + 1;
            int step = 0;
            while (b[p] != ':') {
                step = step * 10 + (b[p++] - '0');
            }
            p++;
            long due = 0;
            while (b[p] != '#') {
                due = due * 10 + (b[p++] - '0');
            }
            Step s = steps[step];
            if (s == null) {
                return;
            }
            s.delivered++;
            if (now <= s.windowEnd) {
                s.deliveredInWindow++;
            }
            long micros = Math.max(0, Math.min((now - due) / 1000, 60_000_000L));
            s.latency.recordValue(micros);
            (remote ? s.remoteLatency : s.localLatency).recordValue(micros);
        }

        private void acked(byte[] b, int from, int to, long now) {
            int at = indexOf(b, from, to, REF);
            if (at < 0) {
                return;
            }
            // ref is "step:due"
            int p = at + REF.length;
            int step = 0;
            while (b[p] != ':') {
                step = step * 10 + (b[p++] - '0');
            }
            p++;
            long due = 0;
            while (b[p] != '"') {
                due = due * 10 + (b[p++] - '0');
            }
            Step s = steps[step];
            if (s != null) {
                s.acks++;
                s.ackLatency.recordValue(Math.max(0, Math.min((now - due) / 1000, 60_000_000L)));
            }
        }

        /** The step of an error frame's ref, or -1. */
        private int marker(byte[] b, int from, int to) {
            int at = indexOf(b, from, to, REF);
            if (at < 0) {
                return -1;
            }
            int step = 0;
            for (int p = at + REF.length; p < to && b[p] != ':'; p++) {
                if (b[p] < '0' || b[p] > '9') {
                    return -1;
                }
                step = step * 10 + (b[p] - '0');
            }
            return step;
        }

        void shout(int step, long due) {
            String text = "#" + step + ":" + due + "# " + FILLER;
            String frame = switch (protocol) {
                case SLACKIR -> "{\"type\":\"shout\",\"name\":\"" + name + "\",\"message\":\"" + text
                        + "\",\"ref\":\"" + step + ":" + due + "\"}";
                case GETTING_STARTED -> "{\"type\":\"CHAT_MESSAGE\",\"from\":\"" + name + "\",\"message\":\"" + text
                        + "\"}";
            };
            try {
                write(frame(0x1, frame.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                gone("reset");
            }
        }

        /** A client frame: masked, as RFC 6455 requires. */
        private ByteBuffer frame(int opcode, byte[] payload) {
            int length = payload.length;
            int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
            ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
            frame.put((byte) (0x80 | opcode));
            if (length < 126) {
                frame.put((byte) (0x80 | length));
            } else if (length < 65536) {
                frame.put((byte) (0x80 | 126)).putShort((short) length);
            } else {
                frame.put((byte) (0x80 | 127)).putLong(length);
            }
            int mask = ThreadLocalRandom.current().nextInt();
            frame.putInt(mask);
            byte[] key = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
            for (int i = 0; i < length; i++) {
                frame.put((byte) (payload[i] ^ key[i & 3]));
            }
            return frame.flip();
        }

        private void write(ByteBuffer data) throws IOException {
            if (closed) {
                return;
            }
            if (out == null || !out.hasRemaining()) {
                channel.write(data);
                if (!data.hasRemaining()) {
                    return;
                }
                out = ByteBuffer.allocate(Math.max(4096, data.remaining() * 2));
            } else if (out.capacity() - out.limit() < data.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate((out.remaining() + data.remaining()) * 2);
                bigger.put(out).flip();
                out = bigger;
            }
            // Append after what waits: out is kept in read mode between position and limit
            int position = out.position();
            out.position(out.limit()).limit(out.capacity());
            out.put(data);
            out.limit(out.position()).position(position);
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }

        private void flush() throws IOException {
            if (out != null && out.hasRemaining()) {
                channel.write(out);
            }
            if (out == null || !out.hasRemaining()) {
                out = null;
                key.interestOps(SelectionKey.OP_READ);
            } else {
                out.compact().flip();
            }
        }

        private void gone(String why) {
            if (!closed) {
                closed = true;
                closes.merge(why, 1L, Long::sum);
                closeQuietly();
            }
        }

        void closeQuietly() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static boolean startsWith(byte[] b, int off, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, int c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int to, byte[] s) {
        outer:
        for (int i = from; i <= to - s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (b[i + j] != s[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String until(byte[] b, int from, int to, char end) {
        int i = from;
        while (i < to && b[i] != end) {
            i++;
        }
        return new String(b, from, i - from, StandardCharsets.UTF_8);
    }
}
