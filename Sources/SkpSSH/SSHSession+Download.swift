import CLibSSH2
import Foundation
import SkpKit

/// Reading a host's files over SFTP, for `download`: no shell sees the path, and the file
/// streams through one fixed buffer whatever its size.
extension SSHSession {
    /// Bytes asked for per read. libssh2 sends read requests for the whole buffer ahead of the
    /// answers, so a larger buffer keeps more of the link busy; 1 MiB per host stays small.
    static let downloadBuffer = 1 << 20

    func fileInfo(_ path: String, cancel: Cancellation) throws -> RemoteFile? {
        liveness.restart()
        let deadline = Date().addingTimeInterval(max(endpoint.connectTimeout, 30))
        let sftp = try startSFTP(deadline: deadline, cancel: cancel)
        defer { _ = try? call("closing SFTP", deadline: deadline, cancel: cancel) { libssh2_sftp_shutdown(sftp) } }
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        while true {
            let rc = libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), LIBSSH2_SFTP_STAT, &attributes)
            if rc == LIBSSH2_ERROR_EAGAIN { try wait(deadline: deadline, cancel: cancel, what: "SFTP"); continue }
            if rc == LIBSSH2_ERROR_SFTP_PROTOCOL {
                let code = libssh2_sftp_last_error(sftp)
                if code == LIBSSH2_FX_NO_SUCH_FILE || code == LIBSSH2_FX_NO_SUCH_PATH { return nil }
                throw TransportError.channel("\(path): \(Self.sftpText(code))")
            }
            if rc < 0 { throw TransportError.channel("\(path): \(lastError())") }
            return try Self.remoteFile(attributes, path: path)
        }
    }

    func download(_ path: String, cancel: Cancellation, chunk: (UnsafeRawBufferPointer) throws -> Void) throws -> RemoteFile {
        liveness.restart()
        // A deadline for silence, not for the whole file: a 1 GB file may take minutes, but a
        // stall this long means the host no longer serves it.
        let stall = max(endpoint.connectTimeout, 30)
        var deadline = Date().addingTimeInterval(stall)
        let sftp = try startSFTP(deadline: deadline, cancel: cancel)
        defer { _ = try? call("closing SFTP", deadline: Date().addingTimeInterval(5), cancel: Cancellation()) { libssh2_sftp_shutdown(sftp) } }
        var opened: OpaquePointer?
        while opened == nil {
            opened = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), UInt(LIBSSH2_FXF_READ), 0, LIBSSH2_SFTP_OPENFILE)
            if opened != nil { break }
            let code = libssh2_session_last_errno(session)
            if code == LIBSSH2_ERROR_EAGAIN { try wait(deadline: deadline, cancel: cancel, what: "opening \(path)"); continue }
            let reason = code == LIBSSH2_ERROR_SFTP_PROTOCOL ? Self.sftpText(libssh2_sftp_last_error(sftp)) : lastError()
            throw TransportError.channel("opening \(path): \(reason)")
        }
        guard let handle = opened else { throw TransportError.channel("opening \(path)") }
        defer {
            _ = try? call("closing \(path)", deadline: Date().addingTimeInterval(5), cancel: Cancellation()) {
                libssh2_sftp_close_handle(handle)
            }
        }
        // The attributes of what was opened, not of what the path named a moment ago.
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        try call("reading the attributes of \(path)", deadline: deadline, cancel: cancel) { libssh2_sftp_fstat_ex(handle, &attributes, 0) }
        let file = try Self.remoteFile(attributes, path: path)
        guard file.isRegular else { throw TransportError.channel("\(path) is not a regular file") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.downloadBuffer, alignment: 16)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        while true {
            // Data may keep arriving without a wait: Ctrl-C is looked at on every piece too.
            if cancel.isCancelled { throw TransportError.cancelled }
            let n = libssh2_sftp_read(handle, base, buffer.count)
            if n == Int(LIBSSH2_ERROR_EAGAIN) { try wait(deadline: deadline, cancel: cancel, what: "reading \(path)"); continue }
            if n == Int(LIBSSH2_ERROR_SFTP_PROTOCOL) {
                throw TransportError.channel("reading \(path): \(Self.sftpText(libssh2_sftp_last_error(sftp)))")
            }
            if n < 0 { throw TransportError.lost("lost the connection while reading \(path) (\(lastError()))") }
            if n == 0 { return file }
            deadline = Date().addingTimeInterval(stall)
            try chunk(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    private func startSFTP(deadline: Date, cancel: Cancellation) throws -> OpaquePointer {
        try finishSFTPStart(deadline: deadline, cancel: cancel)
        return try callPointer("starting SFTP", deadline: deadline, cancel: cancel) { libssh2_sftp_init(session) }
    }

    private static func remoteFile(_ attributes: LIBSSH2_SFTP_ATTRIBUTES, path: String) throws -> RemoteFile {
        let needed = UInt(LIBSSH2_SFTP_ATTR_SIZE | LIBSSH2_SFTP_ATTR_PERMISSIONS)
        guard attributes.flags & needed == needed else {
            throw TransportError.channel("the host's SFTP server does not say the size and mode of \(path)")
        }
        return RemoteFile(size: attributes.filesize, mode: UInt32(truncatingIfNeeded: attributes.permissions))
    }

    /// SFTP's status codes, as a person reads them.
    static func sftpText(_ code: UInt) -> String {
        switch code {
        case UInt(LIBSSH2_FX_NO_SUCH_FILE), UInt(LIBSSH2_FX_NO_SUCH_PATH): "no such file"
        case UInt(LIBSSH2_FX_PERMISSION_DENIED): "permission denied"
        case 4: "failure (a folder, or a read error on the host)"
        default: "SFTP error \(code)"
        }
    }
}
