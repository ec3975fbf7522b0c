import Foundation

/// Reads hosts.json, volumes.json and networks.json, accepting the variants users paste from the
/// guide, and checks them. All mistakes found are reported together, each with file:line:column.
public struct InventoryLoader {
    public var environment: SkpEnvironment
    private var problems: [Diagnostic] = []
    private var sources: [String: SourceText] = [:]

    public init(environment: SkpEnvironment) { self.environment = environment }

    /// Loads the three files. A volumes.json or networks.json that does not exist where skp looks
    /// by default is an empty inventory; one the user named (flag or `$SKP_…`) must be there. A
    /// missing hosts.json is an error only when `requireHosts` (planning needs hosts, `--list` not).
    /// Anything else that is not a readable regular file (a folder, a FIFO, a symlink loop, a file
    /// too big) is an error, never "empty".
    public mutating func load(_ paths: InventoryPaths, requireHosts: Bool = true) throws -> Inventory {
        problems = []
        let hostsRoot = try document(at: paths.hosts, required: requireHosts || paths.hostsNamed)
        // A file the user named is read whatever the tasks use: they asked for it.
        func needed(_ kind: String, _ path: String, named: Bool) -> Bool { !path.isEmpty && (named || !paths.unused.contains(kind)) }
        let volumesRoot = needed("volumes", paths.volumes, named: paths.volumesNamed)
            ? try document(at: paths.volumes, required: paths.volumesNamed) : nil
        let networksRoot = needed("networks", paths.networks, named: paths.networksNamed)
            ? try document(at: paths.networks, required: paths.networksNamed) : nil
        let imagesRoot = needed("images", paths.images, named: paths.imagesNamed)
            ? try document(at: paths.images, required: paths.imagesNamed) : nil
        let servicesRoot = needed("services", paths.services, named: paths.servicesNamed)
            ? try document(at: paths.services, required: paths.servicesNamed) : nil

        let hosts = hostsRoot.map { parseHosts($0) } ?? []
        let volumes = volumesRoot.map { parseVolumes($0) } ?? []
        let networks = networksRoot.map { parseNetworks($0) } ?? []
        let images = imagesRoot.map { parseImages($0) } ?? []
        let services = servicesRoot.map { parseServices($0, images: images) } ?? []
        checkServices(services, hosts: hosts, volumes: volumes, networks: networks, paths: paths)
        // Two hosts may share an address on different SSH ports (containers, NAT), not both.
        checkUnique(hosts.map { host in (host.port.map { "\(host.address) port \($0)" } ?? host.address, host.location) },
                    what: "address", path: paths.hosts)
        for volume in volumes where !volume.labels.isEmpty {
            // A label a host lists but disables still counts: the volume is parked, not mistyped.
            let known = Set(hosts.flatMap { $0.labels.map(\.key) })
            if !volume.labels.contains(where: known.contains), !hosts.isEmpty {
                report("volume \(volume.name) has labels \(volume.labels.joined(separator: ", ")) that no host has",
                       at: volume.location, hint: "enable one of them on a host in \(paths.hosts), e.g. \"labels\": {\"\(volume.labels[0])\": \"enable\"}")
            }
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return Inventory(hosts: hosts, volumes: volumes, networks: networks, images: images, services: services, paths: paths)
    }

    // MARK: files

    mutating func document(at path: String, required: Bool) throws -> JSONNode? {
        let data: [UInt8]
        switch Self.readFile(path) {
        case .success(let bytes): data = bytes
        case .failure(.missing) where !required: return nil
        case .failure(.missing):
            throw Diagnostic("cannot read \(path): \(ReadProblem.missing)",
                             hint: "create it (see README, \"Inventories\"), or point SKP_HOSTS or --hosts at yours")
        case .failure(let problem):
            throw Diagnostic("cannot read \(path): \(problem)", hint: "an inventory is a regular JSON file")
        }
        let text = String(decoding: data, as: UTF8.self)
        sources[path] = SourceText(path: path, text: text)
        if let bad = Self.firstInvalidUTF8(data) {
            // Decoding would silently turn the bytes into U+FFFD: a name or path nobody wrote.
            let before = String(decoding: data[..<bad], as: UTF8.self)
            let line = before.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
            let column = before.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0
            throw Diagnostic("invalid UTF-8 at byte \(bad + 1)", at: SourceLocation(file: path, line: line, column: column),
                             source: sources[path], hint: "JSON files are UTF-8; re-save it as UTF-8")
        }
        let root = try JSONDocument.load(path: path, text: text)
        guard root.entries != nil else {
            throw Diagnostic("\(path) must be a JSON object keyed by name, found \(root.typeName)",
                             at: root.location, source: sources[path])
        }
        return root
    }

    /// The offset of the first byte that is not valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Why a file could not be read, as the error message says it.
    enum ReadProblem: Error, Equatable, CustomStringConvertible {
        case missing
        case notAFile(String)
        case tooBig(limit: Int)
        case failed(String)

        var description: String {
            switch self {
            case .missing: "no such file"
            case .notAFile(let kind): "it is \(kind), not a regular file"
            case .tooBig(let limit): "it is larger than \(limit / 1_048_576) MiB"
            case .failed(let reason): reason
            }
        }
    }

    /// The bytes of a regular file, at most `limit` of them (nil for a missing, special or larger
    /// file). See `readFile`.
    static func read(_ path: String, limit: Int = 64 * 1_048_576) -> [UInt8]? {
        try? readFile(path, limit: limit).get()
    }

    /// The bytes of a regular file, at most `limit` of them, or why not. Opened non-blocking
    /// and checked with fstat before reading: `/dev/zero` or a FIFO must not hang or fill skp.
    /// Not FileManager.contents: on an empty file it leaks its 4 KiB buffer (found by
    /// Fuzz/InventoryFuzz with LeakSanitizer).
    static func readFile(_ path: String, limit: Int = 64 * 1_048_576) -> Result<[UInt8], ReadProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            return .failure(errno == ENOENT ? .missing : .failed(String(cString: strerror(errno))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.failed(String(cString: strerror(errno)))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.notAFile("a folder"))
        case S_IFIFO: return .failure(.notAFile("a FIFO"))
        case S_IFCHR, S_IFBLK: return .failure(.notAFile("a device"))
        case S_IFSOCK: return .failure(.notAFile("a socket"))
        default: return .failure(.notAFile("a special file"))
        }
        guard Int(info.st_size) <= limit else { return .failure(.tooBig(limit: limit)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.failed(String(cString: strerror(errno))))
            }
            if n == 0 { return .success(bytes) }
            bytes += chunk[0..<n]
        }
        return .failure(.tooBig(limit: limit))
    }

    mutating func report(_ message: String, at location: SourceLocation, hint: String? = nil) {
        report(.other(message), at: location, hint: hint)
    }

    mutating func report(_ problem: Problem, at location: SourceLocation, hint: String? = nil) {
        problems.append(Diagnostic(problem, at: location, source: sources[location.file], hint: hint))
    }
}
