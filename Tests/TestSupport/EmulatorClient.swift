import Document
import Emulator
import Foundation

/// Request helpers bound to one emulator, for tests that speak the API directly.
public struct EmulatorClient: Sendable {
    public let baseURL: String
    public init(_ emulator: EmulatorServer) { baseURL = emulator.baseURL }

    public func get(_ path: String) throws -> EmulatorHTTP.Response {
        try EmulatorHTTP.request(url: baseURL + path)
    }
    public func post(_ path: String, _ body: Value) throws -> EmulatorHTTP.Response {
        try EmulatorHTTP.request(method: "POST", url: baseURL + path, body: JSON.encode(body))
    }
    public func put(_ path: String, _ body: Value) throws -> EmulatorHTTP.Response {
        try EmulatorHTTP.request(method: "PUT", url: baseURL + path, body: JSON.encode(body))
    }
    public func patch(_ path: String, _ body: String, type: String) throws -> EmulatorHTTP.Response {
        try EmulatorHTTP.request(method: "PATCH", url: baseURL + path, body: body, contentType: type)
    }
    /// Server-side apply as the engine does it (fieldManager given, force=true).
    public func apply(_ path: String, _ body: Value, query: String = "fieldManager=test&force=true") throws -> EmulatorHTTP.Response {
        try patch(path + "?" + query, JSON.encode(body), type: "application/apply-patch+yaml")
    }
    public func delete(_ path: String) throws -> EmulatorHTTP.Response {
        try EmulatorHTTP.request(method: "DELETE", url: baseURL + path)
    }
}
