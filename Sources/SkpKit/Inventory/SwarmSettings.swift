/// What makes a services.json entry a Swarm service instead of a container per host: its mode,
/// and how the swarm places, updates, rolls back and health-checks its tasks.
public struct SwarmSettings: Sendable {
    public enum Mode: Sendable, Equatable {
        case replicated(Int)
        case global
    }

    /// `update` and `rollback` in services.json.
    public struct Policy: Sendable {
        public var parallelism = 1
        /// Seconds between batches, and to watch each batch for failure.
        public var delay = 0.0
        public var monitor = 5.0
        /// pause, continue or rollback (for rollback itself: pause or continue).
        public var failureAction = "pause"
        /// stop-first or start-first.
        public var order = "stop-first"
    }

    public struct Health: Sendable {
        public var command: String
        public var interval = 5.0
        public var timeout = 3.0
        public var retries = 3
    }

    public var mode: Mode
    /// Placement beyond the label: `node.role==manager`, `node.hostname!=c01`…
    public var constraints: [String] = []
    public var update = Policy(failureAction: "pause")
    public var rollback = Policy(failureAction: "pause")
    public var health: Health?
    /// any, on-failure, or none (a one-shot task: done when it completed).
    public var restartCondition = "any"
    /// vip, or dnsrr where the engines cannot do the service VIP (the lab's, without iptables).
    public var endpointMode = "dnsrr"
}
