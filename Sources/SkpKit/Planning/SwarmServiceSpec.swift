/// The Docker Engine API's service spec for a Swarm service of services.json: what
/// `docker.service-create` sends to `POST /services/create` (or `/update`) on a manager, on
/// curl's stdin, so the whole desired state (image, placement, mounts, variables, update and
/// rollback policy, health check) is applied in one call and compared by one hash.
struct SwarmServiceSpec {
    let service: Service
    let settings: SwarmSettings

    init?(_ service: Service) {
        guard let settings = service.swarm else { return nil }
        self.service = service
        self.settings = settings
    }

    /// The spec without the hash label: what the hash is taken of.
    func json(specHash: String? = nil) -> String {
        var labels = [("skp.service", JSONWriter.string(service.name))]
        if let specHash { labels.append(("skp.spec", JSONWriter.string(specHash))) }
        var container: [(String, String)] = [("Image", JSONWriter.string(service.image))]
        if !service.command.isEmpty { container.append(("Args", JSONWriter.array(service.command.map(JSONWriter.string)))) }
        // A Swarm service's environment is part of its spec, secrets too (README says so): the
        // spec travels as a secret value itself, on stdin.
        container.append(("Env", JSONWriter.array(service.environment.map { variable in
            let text = switch variable.value { case .plain(let text): text; case .secret(let secret): secret.revealed }
            return JSONWriter.string("\(variable.name)=\(text)")
        })))
        container.append(("Mounts", JSONWriter.array(service.mounts.map { mount in
            JSONWriter.object([("Type", JSONWriter.string(mount.isVolume ? "volume" : "bind")), ("Source", JSONWriter.string(mount.source)),
                               ("Target", JSONWriter.string(mount.target)), ("ReadOnly", mount.readOnly ? "true" : "false")])
        })))
        if let health = settings.health {
            container.append(("Healthcheck", JSONWriter.object([
                ("Test", JSONWriter.array([JSONWriter.string("CMD-SHELL"), JSONWriter.string(health.command)])),
                ("Interval", Self.nanoseconds(health.interval)), ("Timeout", Self.nanoseconds(health.timeout)),
                ("Retries", String(health.retries)),
            ])))
        }
        let constraints = ["node.labels.\(service.label)==enable"] + settings.constraints
        let task = JSONWriter.object([
            ("ContainerSpec", JSONWriter.object(container)),
            ("RestartPolicy", JSONWriter.object([("Condition", JSONWriter.string(settings.restartCondition))])),
            ("Placement", JSONWriter.object([("Constraints", JSONWriter.array(constraints.map(JSONWriter.string)))])),
            ("Networks", JSONWriter.array(service.networks.map { JSONWriter.object([("Target", JSONWriter.string($0))]) })),
        ])
        let mode: String
        switch settings.mode {
        case .replicated(let n): mode = JSONWriter.object([("Replicated", JSONWriter.object([("Replicas", String(n))]))])
        case .global: mode = JSONWriter.object([("Global", "{}")])
        }
        let ports = service.ports.compactMap(Self.port)
        return JSONWriter.object([
            ("Name", JSONWriter.string(service.name)),
            ("Labels", JSONWriter.object(labels)),
            ("TaskTemplate", task),
            ("Mode", mode),
            ("UpdateConfig", Self.policy(settings.update)),
            ("RollbackConfig", Self.policy(settings.rollback)),
            ("EndpointSpec", JSONWriter.object([("Mode", JSONWriter.string(settings.endpointMode)),
                                                ("Ports", JSONWriter.array(ports))])),
        ])
    }

    static func policy(_ policy: SwarmSettings.Policy) -> String {
        JSONWriter.object([("Parallelism", String(policy.parallelism)), ("Delay", nanoseconds(policy.delay)),
                           ("FailureAction", JSONWriter.string(policy.failureAction)), ("Monitor", nanoseconds(policy.monitor)),
                           ("Order", JSONWriter.string(policy.order))])
    }

    /// `published:target[/proto]` (an address before them is ignored: the swarm publishes on
    /// every node it runs a task on, in host mode, since the lab's engines have no routing mesh).
    static func port(_ text: String) -> String? {
        let (spec, proto) = text.split(separator: "/").count == 2
            ? (String(text.split(separator: "/")[0]), String(text.split(separator: "/")[1])) : (text, "tcp")
        let parts = spec.split(separator: ":").map(String.init)
        guard parts.count >= 2, let published = Int(parts[parts.count - 2]), let target = Int(parts[parts.count - 1]) else { return nil }
        return JSONWriter.object([("Protocol", JSONWriter.string(proto)), ("TargetPort", String(target)),
                                  ("PublishedPort", String(published)), ("PublishMode", JSONWriter.string("host"))])
    }

    static func nanoseconds(_ seconds: Double) -> String { String(Int64(seconds * 1_000_000_000)) }
}
