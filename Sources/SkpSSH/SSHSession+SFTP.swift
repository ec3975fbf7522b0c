import CLibSSH2
import Foundation
import SkpKit

/// Uploads over SFTP: content (credentials included) never passes through a command line.
extension SSHSession {
    func upload(_ bytes: [UInt8], to path: String, mode: Int32) throws -> Bool {
        let cancel = Cancellation()
        liveness.restart()
        let deadline = Date().addingTimeInterval(max(endpoint.connectTimeout, 30))
        let sftp = try files(deadline: deadline, cancel: cancel)
        if try sameFile(sftp, path: path, bytes: bytes, mode: mode, deadline: deadline, cancel: cancel) { return false }
        try write(sftp, bytes, to: path, mode: mode, deadline: deadline, cancel: cancel)
        return true
    }

    /// Writes without comparing first: a batch found the host's file differs (HostRun+Batch),
    /// and made its folder.
    func replace(_ bytes: [UInt8], at path: String, mode: Int32) throws {
        let cancel = Cancellation()
        liveness.restart()
        let deadline = Date().addingTimeInterval(max(endpoint.connectTimeout, 30))
        try write(try files(deadline: deadline, cancel: cancel), bytes, to: path, mode: mode, deadline: deadline, cancel: cancel)
    }

    /// The host's SFTP session, opened on first use and kept: starting one costs three round trips.
    func files(deadline: Date, cancel: Cancellation) throws -> OpaquePointer {
        try finishSFTPStart(deadline: deadline, cancel: cancel)
        if let sftp { return sftp }
        let opened: OpaquePointer = try callPointer("starting SFTP", deadline: deadline, cancel: cancel) { libssh2_sftp_init(session) }
        sftp = opened
        return opened
    }

    private func write(_ sftp: OpaquePointer, _ bytes: [UInt8], to path: String, mode: Int32, deadline: Date,
                       cancel: Cancellation) throws {
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC)
        let open = {
            libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), flags, Int(mode), LIBSSH2_SFTP_OPENFILE)
        }
        var handle: OpaquePointer
        do {
            handle = try callPointer("opening \(path)", deadline: deadline, cancel: cancel, open)
        } catch {
            // Missing parent folders are created private (0700): they may hold credentials.
            // Only then: in the usual case the folder is there and this costs nothing.
            guard libssh2_sftp_last_error(sftp) == UInt(LIBSSH2_FX_NO_SUCH_FILE) else { throw error }
            var parent = ""
            for component in path.split(separator: "/", omittingEmptySubsequences: true).dropLast() {
                parent += (parent.isEmpty && !path.hasPrefix("/") ? "" : "/") + component
                _ = try? callSFTP(sftp, deadline: deadline, cancel: cancel) {
                    libssh2_sftp_mkdir_ex(sftp, parent, UInt32(parent.utf8.count), 0o700)
                }
            }
            handle = try callPointer("opening \(path)", deadline: deadline, cancel: cancel, open)
        }
        defer { _ = try? call("closing \(path)", deadline: deadline, cancel: cancel) { libssh2_sftp_close_handle(handle) } }
        // Set the mode before writing: an existing file may have been looser.
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        try call("setting the mode of \(path)", deadline: deadline, cancel: cancel) {
            libssh2_sftp_fstat_ex(handle, &attributes, 1)
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBufferPointer { raw in
                raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                    libssh2_sftp_write(handle, $0 + offset, raw.count - offset)
                }
            }
            if written == Int(LIBSSH2_ERROR_EAGAIN) {
                try wait(deadline: deadline, cancel: cancel, what: "writing \(path)")
                continue
            }
            guard written >= 0 else { throw TransportError.channel("writing \(path): \(lastError())") }
            offset += written
        }
    }

    /// `--check`: whether `upload` would write, reading only.
    func wouldChange(_ bytes: [UInt8], at path: String, mode: Int32) throws -> Bool {
        let cancel = Cancellation()
        liveness.restart()
        let deadline = Date().addingTimeInterval(max(endpoint.connectTimeout, 30))
        let sftp = try files(deadline: deadline, cancel: cancel)
        return try !sameFile(sftp, path: path, bytes: bytes, mode: mode, deadline: deadline, cancel: cancel)
    }

    /// Whether `path` already holds exactly `bytes` with `mode`, so rerunning changes nothing.
    private func sameFile(_ sftp: OpaquePointer, path: String, bytes: [UInt8], mode: Int32, deadline: Date,
                          cancel: Cancellation) throws -> Bool {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        while true {
            let rc = libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), LIBSSH2_SFTP_STAT, &attributes)
            if rc == LIBSSH2_ERROR_EAGAIN { try wait(deadline: deadline, cancel: cancel, what: "SFTP"); continue }
            if rc != 0 { return false }
            break
        }
        guard Int32(attributes.permissions & 0o7777) == mode, attributes.filesize == UInt64(bytes.count) else { return false }
        guard let handle = try? callPointer("opening \(path)", deadline: deadline, cancel: cancel, {
            libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), UInt(LIBSSH2_FXF_READ), 0, LIBSSH2_SFTP_OPENFILE)
        }) else { return false }
        defer { _ = try? call("closing \(path)", deadline: deadline, cancel: cancel) { libssh2_sftp_close_handle(handle) } }
        var existing: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 32768)
        while existing.count <= bytes.count {
            let n = buffer.withUnsafeMutableBufferPointer { raw in
                raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                    libssh2_sftp_read(handle, $0, raw.count)
                }
            }
            if n == Int(LIBSSH2_ERROR_EAGAIN) { try wait(deadline: deadline, cancel: cancel, what: "reading \(path)"); continue }
            if n <= 0 { break }
            existing += buffer[0..<n]
        }
        return existing == bytes
    }

    private func callSFTP(_ sftp: OpaquePointer, deadline: Date, cancel: Cancellation, _ body: () -> Int32) throws {
        while true {
            let rc = body()
            if rc == LIBSSH2_ERROR_EAGAIN { try wait(deadline: deadline, cancel: cancel, what: "SFTP"); continue }
            if rc < 0 { throw TransportError.channel("SFTP error \(libssh2_sftp_last_error(sftp))") }
            return
        }
    }
}
