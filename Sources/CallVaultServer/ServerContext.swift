import Hummingbird
import Logging
import NIOCore

/// The request context: the peer's address, the client's (after trusted proxies), whether the
/// client reached us over HTTPS, and the principal the auth middleware found.
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer (nil in router tests without a socket).
    public var peerAddress: String?
    /// The client: the peer, or the last `X-Forwarded-For` hop when the peer is a trusted proxy.
    public var clientAddress: String?
    /// HTTPS to the client: TLS here, or `X-Forwarded-Proto: https` from a trusted proxy.
    public var secure = false
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
        clientAddress = peerAddress
    }

    /// Bodies are small forms and JSON objects.
    public var maxUploadSize: Int { 64 * 1024 }
}
