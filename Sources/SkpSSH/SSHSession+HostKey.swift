import CLibSSH2
import Foundation
import SkpKit

/// Host keys are checked against known_hosts before anything is sent: an unknown key is
/// recorded (accept-new) or refused (strict); a changed key is always refused, unless checking
/// is switched off explicitly.
extension SSHSession {
    func checkHostKey() throws {
        guard endpoint.hostKeyPolicy != .off else { return }
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type) else {
            throw TransportError.connect("\(endpoint.address) sent no host key")
        }
        let mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | Self.knownHostKeyType(type)
        let result = KnownHosts.shared.check(endpoint.knownHostsPath, host: endpoint.address, port: endpoint.port,
                                             key: key, length: length, mask: mask)
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw TransportError.hostKeyChanged(
                "HOST KEY CHANGED for \(endpoint.name) (\(endpoint.address)): it now presents \(Self.typeName(type)) \(fingerprint()), " +
                "which does not match \(endpoint.knownHostsPath). Someone may be intercepting the connection, or the host was " +
                "reinstalled. Nothing was sent to it. If the change is expected: ssh-keygen -R \(hostPattern)")
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            guard endpoint.hostKeyPolicy == .acceptNew else {
                throw TransportError.hostKeyUnknown(
                    "\(endpoint.name) (\(endpoint.address)) is not in \(endpoint.knownHostsPath) and --host-key-checking is strict " +
                    "(its key: \(Self.typeName(type)) \(fingerprint()))")
            }
            switch try record(UnsafeRawBufferPointer(start: key, count: length), type: type, mask: mask) {
            case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND, LIBSSH2_KNOWNHOST_CHECK_MATCH:
                return
            case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
                throw TransportError.hostKeyChanged(
                    "HOST KEY CHANGED for \(endpoint.name) (\(endpoint.address)): it presents \(Self.typeName(type)) \(fingerprint()), " +
                    "and another key was recorded for it in \(endpoint.knownHostsPath) meanwhile. Nothing was sent to it.")
            default:
                throw TransportError.connect("cannot check the host key of \(endpoint.address) against \(endpoint.knownHostsPath)")
            }
        default:
            throw TransportError.connect("cannot check the host key of \(endpoint.address) against \(endpoint.knownHostsPath)")
        }
    }

    private var hostPattern: String {
        endpoint.port == 22 ? endpoint.address : "[\(endpoint.address)]:\(endpoint.port)"
    }

    /// Appends one line (under KnownHosts' lock and flock), so parallel first connections, here
    /// and in other skp processes, do not lose each other's entries.
    private func record(_ key: UnsafeRawBufferPointer, type: Int32, mask: Int32) throws -> Int32 {
        let line = "\(hostPattern) \(Self.typeName(type)) \(Data(key).base64EncodedString())\n"
        let directory = (endpoint.knownHostsPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        return try KnownHosts.shared.record(line, to: endpoint.knownHostsPath, host: endpoint.address, port: endpoint.port,
                                            key: key.baseAddress!.assumingMemoryBound(to: CChar.self), length: key.count, mask: mask)
    }

    static func knownHostKeyType(_ type: Int32) -> Int32 {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: LIBSSH2_KNOWNHOST_KEY_ED25519
        default: LIBSSH2_KNOWNHOST_KEY_UNKNOWN
        }
    }

    static func typeName(_ type: Int32) -> String {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: "ssh-rsa"
        case LIBSSH2_HOSTKEY_TYPE_DSS: "ssh-dss"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: "ecdsa-sha2-nistp256"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: "ecdsa-sha2-nistp384"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: "ecdsa-sha2-nistp521"
        case LIBSSH2_HOSTKEY_TYPE_ED25519: "ssh-ed25519"
        default: "unknown"
        }
    }

    /// The session's host key as `SHA256:…`, the way OpenSSH prints it.
    func fingerprint() -> String {
        guard let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else { return "" }
        let digest = Data(bytes: hash, count: 32).base64EncodedString()
        return "SHA256:" + digest.trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }
}
