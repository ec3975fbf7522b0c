import CLibCrypto
import Foundation

/// An unencrypted OpenSSH ed25519 private key, read and decoded once per process.
///
/// Why: `libssh2_userauth_publickey_fromfile` reads the key file for every host, and OpenSSL 3
/// first tries its whole decoder registry on it (PEM), which cost ~1 ms of client CPU per
/// connection: a third of skp's CPU on a 50-host fan-out. Signing with a key object we built once
/// costs ~50 µs. Other keys (RSA, ECDSA, passphrase-protected) still go through libssh2.
final class Ed25519Key: @unchecked Sendable {
    // @unchecked: the key object is read-only after init (OpenSSL allows signing from several
    // threads with one EVP_PKEY); the cache is guarded by `lock`.
    /// The public key in SSH wire format (string "ssh-ed25519", string key), as servers expect it.
    let publicBlob: [UInt8]
    private let pkey: OpaquePointer  // EVP_PKEY, read-only after init: safe to share across threads

    private static let lock = NSLock()
    private static var cache: [String: Ed25519Key?] = [:]

    /// The key at `path`, or nil when it is not an unencrypted OpenSSH ed25519 key.
    static func load(path: String) -> Ed25519Key? {
        lock.lock()
        defer { lock.unlock() }
        if let known = cache[path] { return known }
        let key = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Ed25519Key.init(pem:))
        cache[path] = key
        return key
    }

    private init?(pem: String) {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----"
        guard let start = pem.range(of: begin), let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex),
              let data = Data(base64Encoded: String(pem[start.upperBound..<stop.lowerBound]), options: .ignoreUnknownCharacters)
        else { return nil }
        var reader = WireReader(bytes: [UInt8](data))
        guard reader.magic("openssh-key-v1\0"),
              reader.string() == Array("none".utf8), reader.string() == Array("none".utf8), // cipher, kdf
              reader.string() != nil, reader.uint32() == 1,                                  // kdf options, one key
              let publicBlob = reader.string(), let privateSection = reader.string()
        else { return nil }
        var secret = WireReader(bytes: privateSection)
        guard let check = secret.uint32(), secret.uint32() == check,
              secret.string() == Array("ssh-ed25519".utf8),
              let publicKey = secret.string(), publicKey.count == 32,
              var privateKey = secret.string(), privateKey.count == 64 // seed then public key
        else { return nil }
        defer { privateKey.withUnsafeMutableBytes { if let base = $0.baseAddress { memset(base, 0, $0.count) } } }
        guard let pkey = privateKey.withUnsafeBufferPointer({
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }) else { return nil }
        self.pkey = pkey
        self.publicBlob = publicBlob
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The raw 64-byte signature of `message`, in memory from `malloc` (libssh2 frees it).
    func sign(_ message: UnsafePointer<UInt8>, count: Int) -> (UnsafeMutablePointer<UInt8>, Int)? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        guard EVP_DigestSignInit(context, nil, nil, nil, pkey) == 1,
              EVP_DigestSign(context, nil, &length, message, count) == 1,
              let signature = malloc(length)?.assumingMemoryBound(to: UInt8.self)
        else { return nil }
        guard EVP_DigestSign(context, signature, &length, message, count) == 1 else {
            free(signature)
            return nil
        }
        return (signature, length)
    }
}

/// Reads SSH wire-format fields: big-endian uint32 and length-prefixed strings.
private struct WireReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func magic(_ text: String) -> Bool {
        let expected = Array(text.utf8)
        guard bytes.count >= expected.count, Array(bytes[0..<expected.count]) == expected else { return false }
        offset = expected.count
        return true
    }

    mutating func uint32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() -> [UInt8]? {
        guard let length = uint32().map(Int.init), offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }
}
