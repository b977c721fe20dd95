/// A pair seen in the spool's `incoming/`, as the queue records it (``QueueStore/enqueue(_:now:stillPresent:)``):
/// the stem names the job, the audio file is the one the worker will read.
public struct SpoolArrival: Sendable {
    public var stem: String
    public var audioName: String
    public init(stem: String, audioName: String) {
        self.stem = stem
        self.audioName = audioName
    }
}
