import Foundation
import Testing
@testable import SkpKit
@testable import SkpSSH

/// The shell loop that runs a host's batches (`BatchWorker`), run here in this machine's /bin/sh
/// with pipes for the channel: what sshd would start, minus sshd. The lab tests run it through
/// sshd; these pin down its stdin protocol and its hang-up guard one case at a time.
/// Serialized: each test's pipes are made and spawned without a lock other tests share.
@Suite(.serialized) struct BatchWorkerShellTests {
    /// A shell running the loop, its three pipes, close-on-exec so that a process another test
    /// spawns cannot hold them open; every wait is bounded all the same.
    final class Worker {
        private(set) var pid: pid_t = 0
        private(set) var input: Int32 = -1
        let output: Int32, errors: Int32
        private var out: [UInt8] = [], err: [UInt8] = []

        init() throws {
            var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
            guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
            for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
            // A session of its own, as sshd gives a command: the guard stops its process group.
            let args = ["/usr/bin/setsid", "-w", "/bin/sh", "-c", BatchWorker.loop]
            var argv = args.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            // Default signal handling, nothing blocked, as sshd starts a command (the test
            // runner's own mask and dispositions must not leak into the shell).
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var none = sigset_t(), defaults = sigset_t()
            sigemptyset(&none)
            sigfillset(&defaults)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            var pid: pid_t = 0
            let status = posix_spawn(&pid, args[0], &actions, &attributes, &argv, environ)
            close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
            guard status == 0 else { throw POSIXError(.ENOENT) }
            self.pid = pid
            input = inPipe[1]
            output = outPipe[0]
            errors = errPipe[0]
        }

        deinit {
            if input >= 0 { close(input) }
            close(output); close(errors)
            // Never kill(0, …): that is this process's own group.
            guard pid > 0 else { return }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }

        func send(_ batch: BatchScript) {
            let bytes = BatchWorker.request(batch)
            _ = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
        }

        func closeInput() { close(input); input = -1 }

        /// What the stream has now, waiting at most 10 s for something ([] at its end).
        static func chunk(_ fd: Int32) -> [UInt8] {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 10_000) > 0 else { return [] }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &buffer, buffer.count)
            return n > 0 ? Array(buffer[..<n]) : []
        }

        /// Waits for the shell to exit, at most 10 s; its exit status, nil if it did not.
        func exited() -> Int32? {
            for _ in 0..<200 {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { pid = 0; return (status >> 8) & 0xff }
                usleep(50_000)
            }
            return nil
        }

        /// Reads both streams until each has the batch's end frame; what came before it, per stream.
        func untilEnd(of batch: StepBatch) -> (stdout: String, stderr: String) {
            let end = Array("\n\(batch.nonce) Z\n".utf8)
            func read(_ fd: Int32, into buffer: inout [UInt8]) -> String {
                while FrameReader.find(end, in: buffer) == nil {
                    let data = Self.chunk(fd)
                    if data.isEmpty { break }
                    buffer += data
                }
                let at = FrameReader.find(end, in: buffer) ?? buffer.count
                defer { buffer.removeFirst(min(buffer.count, at + end.count)) }
                return String(decoding: buffer[..<at], as: UTF8.self)
            }
            return (read(output, into: &out), read(errors, into: &err))
        }
    }

    static func batch(_ commands: [String], checks: [String?] = []) -> StepBatch {
        StepBatch(commands.enumerated().map { position, text in
            StepBatch.Entry(index: position, check: (checks.count > position ? checks[position] : nil).map { Command(literal: $0) },
                            command: Command(literal: text))
        })
    }

    static func alive(_ pid: String) -> Bool { (pid_t(pid) ?? 0) > 0 && kill(pid_t(pid)!, 0) == 0 }

    @Test func batchesFollowOneAnotherOnOneShellAndReadOnlyTheirOwnInput() throws {
        let worker = try Worker()
        let secret = Secret("two\nlines ' \" $HOME")
        let first = Self.batch(["echo one $$", "printf '%s' \"$skp_secret_2\"; echo", "echo to-stderr >&2"])
        var script = first.script(captures: [:])
        script.secrets.append(secret)
        worker.send(script)
        let one = worker.untilEnd(of: first)
        #expect(one.stdout.contains("\n\(first.nonce) E 2 0\n"), "\(one.stdout)")
        #expect(one.stdout.contains("two\nlines ' \" $HOME\n"), "the value arrives exactly: \(one.stdout)")
        #expect(one.stderr.contains("to-stderr"))
        let shell = one.stdout.split(separator: "\n").first { $0.hasPrefix("one ") }.map { String($0.dropFirst(4)) }

        // The next request is read by the loop, not by the first batch's watcher.
        let second = Self.batch(["echo two $$", "exit 3", "echo never"], checks: [nil, nil, nil])
        worker.send(second.script(captures: [:]))
        let two = worker.untilEnd(of: second)
        #expect(two.stdout.contains("two \(shell ?? "?")"), "the same shell ran both: \(two.stdout)")
        #expect(two.stdout.contains("\n\(second.nonce) E 1 3\n"), "\(two.stdout)")
        #expect(!two.stdout.contains("never"), "the batch stopped at the failure")
        var status: Int32 = 0
        #expect(waitpid(worker.pid, &status, WNOHANG) == 0, "the loop waits for the next batch")
    }

    @Test func closingTheChannelStopsTheRunningStepAndTheLoop() throws {
        let worker = try Worker()
        let batch = Self.batch(["echo pid $$; sleep 30; echo finished"])
        worker.send(batch.script(captures: [:]))
        // Wait for the step to start, then close the channel (stdin) as skp does on Ctrl-C.
        var seen = ""
        while !seen.contains("pid ") {
            let chunk = Worker.chunk(worker.output)
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("pid "), "the step started: \(seen)")
        let start = Date()
        worker.closeInput()
        #expect(worker.exited() != nil, "the loop ended")
        #expect(Date().timeIntervalSince(start) < 5, "stopped within the guard's TERM, KILL 2 s later")
        var rest = ""
        while case let chunk = Worker.chunk(worker.output), !chunk.isEmpty { rest += String(decoding: chunk, as: UTF8.self) }
        #expect(!rest.contains("finished"))
    }

    @Test func closingTheChannelBetweenBatchesLeavesWhatAStepStartedOnPurpose() throws {
        let worker = try Worker()
        let batch = Self.batch(["nohup sleep 30 >/dev/null 2>&1 & echo daemon $!"])
        worker.send(batch.script(captures: [:]))
        let out = worker.untilEnd(of: batch)
        let daemon = out.stdout.split(separator: "\n").first { $0.hasPrefix("daemon ") }.map { String($0.dropFirst(7)) } ?? ""
        worker.closeInput()
        #expect(worker.exited() == 0, "the loop ended at end of input")
        #expect(!daemon.isEmpty && Self.alive(daemon), "the background daemon \(daemon) still runs")
        if let pid = pid_t(daemon), pid > 0 { kill(pid, SIGKILL) }
    }
}
