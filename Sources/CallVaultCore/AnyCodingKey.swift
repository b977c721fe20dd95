/// A coding key made from any string: for objects whose keys are data (report columns, extra fields).
public struct AnyCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public var intValue: Int? { nil }
    public init?(intValue: Int) { nil }
}
