import CLibSSH2
import Foundation
import SkpKit

/// Authentication, in the order OpenSSH users expect: the keys named for this host (inventory
/// `key`, `--identity`, IdentityFile), then ssh-agent, then ~/.ssh/id_{ed25519,ecdsa,rsa},
/// then a password when the task provides one.
extension SSHSession {
    func authenticate(deadline: Date, cancel: Cancellation) throws {
        let user = endpoint.user
        let userLength = UInt32(user.utf8.count)
        // The key that would be tried first, tried before asking the host which methods it
        // takes (OpenSSH's "none" request): when it is accepted, that is a round trip saved.
        let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
        let defaults = ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
        let first = (endpoint.identities + (getenv("SSH_AUTH_SOCK") == nil ? defaults : []))
            .first { FileManager.default.fileExists(atPath: $0) }
        if let first, try publicKey(first, user: user, deadline: deadline, cancel: cancel) { return }
        var methods = ""
        while true {
            if let list = libssh2_userauth_list(session, user, userLength) {
                methods = String(cString: list)
                break
            }
            if libssh2_userauth_authenticated(session) != 0 { return } // "none" was accepted
            guard libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN else {
                throw TransportError.authentication("\(endpoint.address): \(lastError())")
            }
            try wait(deadline: deadline, cancel: cancel, what: "authentication")
        }
        var tried: [String] = []
        if methods.contains("publickey") {
            for key in endpoint.identities where FileManager.default.fileExists(atPath: key) {
                tried.append(key)
                if key != first, try publicKey(key, user: user, deadline: deadline, cancel: cancel) { return }
            }
            if try agent(user: user, deadline: deadline, cancel: cancel) { return }
            tried.append("ssh-agent")
            for key in defaults {
                guard !endpoint.identities.contains(key), FileManager.default.fileExists(atPath: key) else { continue }
                tried.append(key)
                if key != first, try publicKey(key, user: user, deadline: deadline, cancel: cancel) { return }
            }
        }
        if let password = endpoint.password?.revealed, methods.contains("password") {
            tried.append("password")
            let rc = try callAllowingFailure(deadline: deadline, cancel: cancel) {
                libssh2_userauth_password_ex(session, user, userLength, password, UInt32(password.utf8.count), nil)
            }
            if rc == 0 { return }
        }
        throw TransportError.authentication(
            "\(user)@\(endpoint.address) refused every credential (tried: \(tried.isEmpty ? "none" : tried.joined(separator: ", ")); server accepts: \(methods))")
    }

    private func publicKey(_ path: String, user: String, deadline: Date, cancel: Cancellation) throws -> Bool {
        if let key = Ed25519Key.load(path: path) {
            var abstract: UnsafeMutableRawPointer? = Unmanaged.passUnretained(key).toOpaque()
            let rc = try callAllowingFailure(deadline: deadline, cancel: cancel) {
                key.publicBlob.withUnsafeBufferPointer { blob in
                    libssh2_userauth_publickey(session, user, blob.baseAddress, blob.count, signWithCachedKey, &abstract)
                }
            }
            return withExtendedLifetime(key) { rc == 0 }
        }
        let rc = try callAllowingFailure(deadline: deadline, cancel: cancel) {
            libssh2_userauth_publickey_fromfile_ex(session, user, UInt32(user.utf8.count), nil, path, nil)
        }
        return rc == 0
    }

    private func agent(user: String, deadline: Date, cancel: Cancellation) throws -> Bool {
        guard getenv("SSH_AUTH_SOCK") != nil, let agent = libssh2_agent_init(session) else {
            return false
        }
        defer { libssh2_agent_disconnect(agent); libssh2_agent_free(agent) }
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else { return false }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let key = identity else { return false }
            let rc = try callAllowingFailure(deadline: deadline, cancel: cancel) {
                libssh2_agent_userauth(agent, user, key)
            }
            if rc == 0 { return true }
            previous = key
        }
    }

    /// Like `call`, but a refusal (a negative code other than EAGAIN) is an answer, not an error.
    private func callAllowingFailure(deadline: Date, cancel: Cancellation, _ body: () -> Int32) throws -> Int32 {
        while true {
            let rc = body()
            if rc != LIBSSH2_ERROR_EAGAIN { return rc }
            try wait(deadline: deadline, cancel: cancel, what: "authentication")
        }
    }
}

/// libssh2's signing callback for keys skp decoded itself; `abstract` points at the Ed25519Key.
private let signWithCachedKey: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?,
    UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 = { _, signature, signatureLength, data, dataLength, abstract in
    guard let signature, let signatureLength, let data, let pointer = abstract?.pointee else { return -1 }
    let key = Unmanaged<Ed25519Key>.fromOpaque(pointer).takeUnretainedValue()
    guard let (bytes, length) = key.sign(data, count: dataLength) else { return -1 }
    signature.pointee = bytes
    signatureLength.pointee = length
    return 0
}
