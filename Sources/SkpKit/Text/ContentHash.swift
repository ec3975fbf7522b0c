/// FNV-1a, 64 bits, in hex: a short hash that is stable across runs and builds (Swift's Hasher
/// is seeded per process). Names run locks, step keys, inventories and service specs; it tells
/// whether something changed, it protects nothing.
enum ContentHash {
    static func of<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(value, radix: 16)
    }
}
