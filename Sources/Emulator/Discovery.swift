import Document

/// The legacy discovery documents. Served as plain `application/json`, which kubectl accepts in
/// place of aggregated discovery (it falls back when the content type does not name apidiscovery).
extension Registry {
    func apiVersions(serverAddress: String) -> Value {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    func resourceList(groupVersion: String) -> Value? {
        guard let types = byGroupVersion[groupVersion] else { return nil }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(types.flatMap(\.discoveryEntries)),
        ]
    }

    func group(_ name: String) -> Value? {
        guard let entry = groupVersions.first(where: { $0.group == name && !name.isEmpty }) else { return nil }
        let versions: [Value] = entry.versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(versions),
                "preferredVersion": versions[0]]
    }

    func groupList() -> Value {
        let groups = groupVersions.filter { !$0.group.isEmpty }.compactMap { entry -> Value? in
            var g = group(entry.group)
            g?["kind"] = nil
            g?["apiVersion"] = nil
            return g
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }
}

enum ServerInfo {
    static let version: Value = [
        "major": "1", "minor": "31", "gitVersion": "v1.31.0+k3s1",
        "gitCommit": "34be6d96a1ddb3e5a3a0a4ed6d0fd1a5c8b0a2a0", "gitTreeState": "clean",
        "buildDate": "2024-08-14T00:00:00Z", "goVersion": "go1.22.5", "compiler": "gc", "platform": "linux/amd64",
    ]
}
