/// Why a job or a run did not succeed, and so what happens next.
public enum WorkerError: Error, CustomStringConvertible, Sendable {
    /// The input itself is bad: quarantine at once, retrying cannot help.
    case badInput(String)
    /// Something that may pass (I/O hiccup): retry, then quarantine.
    case transient(String)
    /// The environment cannot take more work (disk full, read-only): stop the run, lose nothing.
    case environment(String)
    /// Another worker took the job over.
    case leaseLost
    /// Settings or folders are wrong: exit 2.
    case configuration(String)

    public var description: String {
        switch self {
        case .badInput(let m), .transient(let m), .environment(let m), .configuration(let m): m
        case .leaseLost: "the job's lease was taken over by another worker"
        }
    }
}
