import Foundation
import SkpTestSupport
import Testing

/// The lab's WAN stand-in (`lab/delay-proxy.py`, behind `lab.up --latency`): every byte arrives,
/// in order, and a round trip through it takes at least twice its delay.
struct DelayProxyTests {
    static let probe = #"""
        import os, random, socket, subprocess, sys, threading, time
        def free_port():
            s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port
        echo_port, proxy_port = free_port(), free_port()
        server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", echo_port)); server.listen()
        def echo():
            c, _ = server.accept()
            while True:
                d = c.recv(65536)
                if not d: break
                c.sendall(d)
            c.close()
        threading.Thread(target=echo, daemon=True).start()
        pidfile = sys.argv[2] + "/proxy.pid"
        proxy = subprocess.Popen([sys.executable, sys.argv[1], "127.0.0.1", str(proxy_port), "127.0.0.1", str(echo_port), "25", pidfile])
        try:
            for _ in range(100):
                if os.path.exists(pidfile): break
                time.sleep(0.05)
            c = socket.create_connection(("127.0.0.1", proxy_port)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rtts = []
            for _ in range(5):
                t = time.monotonic(); c.sendall(b"x"); assert c.recv(1) == b"x"; rtts.append(time.monotonic() - t)
            data = random.randbytes(1 << 20)
            c.sendall(data); back = b""
            while len(back) < len(data): back += c.recv(1 << 16)
            print("min_rtt %.4f intact %s" % (min(rtts), back == data))
        finally:
            proxy.kill()
        """#

    @Test func aRoundTripTakesTwiceTheDelayAndEveryByteArrives() throws {
        let dir = NSTemporaryDirectory() + "skp-proxy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.probe.write(toFile: dir + "/probe.py", atomically: true, encoding: .utf8)
        let outcome = try Binary.run([dir + "/probe.py", Binary.root + "/lab/delay-proxy.py", dir], executable: "/usr/bin/python3")
        let words = outcome.stdout.split(separator: " ").map(String.init)
        #expect(words.count == 4 && words[3].hasPrefix("True"), "\(outcome.stdout)\(outcome.stderr)")
        let rtt = words.count > 1 ? Double(words[1]) ?? 0 : 0
        // 25 ms each way: never faster than 50 ms (a little scheduling slack below).
        #expect(rtt >= 0.048, "round trip \(rtt) s")
    }
}
