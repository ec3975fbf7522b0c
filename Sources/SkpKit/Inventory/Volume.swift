/// One entry of volumes.json: a Docker volume and the storage behind it.
public struct Volume: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case fs, nfs, sshfs, blobfs, s3fs

        /// Fields a volume of this kind cannot work without.
        var requiredFields: [String] {
            switch self {
            case .fs, .nfs: ["path"]
            case .sshfs: ["conn"]
            case .s3fs: ["path", "bucket", "account_id", "account_key"]
            case .blobfs: ["path", "account_name", "account_key", "container_name"]
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var path: String?
    /// `docker volume create` options; one entry may hold several words, as the guide writes them.
    public var opts: [String]
    /// Hosts with any of these labels enabled get the volume; empty means every host.
    public var labels: [String]
    /// Every other string field (conn, bucket, url, account_key…). Secrets are listed in `secrets`.
    public var fields: [String: FieldValue]
    public var location: SourceLocation

    /// Field names whose values are credentials: masked in every output, sent only through SFTP.
    public static func isSecretField(_ name: String) -> Bool { SecretName.matches(name) }

    /// Whether `host` is one of this volume's targets.
    public func targets(_ host: Host) -> Bool {
        labels.isEmpty || labels.contains { host.hasEnabledLabel($0) }
    }
}
