import CLibCrypto

/// SHA-256 over a stream of bytes, with OpenSSL's libcrypto (libssh2 loads it already). A
/// downloaded file is compared with the host's by this hash, as `sha256sum` prints it there.
final class SHA256 {
    private let context: OpaquePointer

    init() {
        // Allocation failure inside OpenSSL is out of memory: nothing sensible is left to do.
        guard let context = EVP_MD_CTX_new() else { fatalError("out of memory") }
        self.context = context
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// The hash in lowercase hex, as sha256sum prints it. Ends the stream.
    func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }
}
