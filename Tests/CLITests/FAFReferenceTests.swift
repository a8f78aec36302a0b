import Document
import Foundation
import Testing
import TestSupport

/// Every route and every maintainer grant of playbooks/faf.yaml names something the playbook
/// creates, read from the objects its rehearsal plan would apply on a fresh node.
@Suite struct FAFReferenceTests {
    /// What the plan would apply: each object as it would be sent.
    static func planned() throws -> [Value] {
        let dir = TemporaryDirectory()
        let plan = try bootstrap(["plan", FAFRehearsalTests.playbook, "--secrets", FAFRehearsalTests.secrets,
                                  "--rehearsal", dir.file("faf"), "--output", "json"])
        try #require(plan.status == 0, "\(plan.stderr)")
        let report = try JSON.decode(plan.stdout)
        return (report["steps"]?.arrayValue ?? []).flatMap { ($0["objects"]?.arrayValue ?? []).compactMap { $0["desired"] } }
    }

    static func key(_ namespace: String?, _ name: String?) -> String { "\(namespace ?? "")/\(name ?? "")" }

    /// The ports of the Service the release's chart makes: the repository's own chart (the
    /// helm.chart step's chartDirectory, beside the playbook), whose templates/service.yaml serves
    /// each `service.ports` value of its values.yaml, under the playbook's valuesContent. A route to
    /// a port the chart does not serve reaches nothing, and helm-controller would not say so.
    static func releaseServicePorts(chart: Value, values: Value, playbook: Value) throws -> [Value] {
        let step = try #require(playbook["steps"]?.arrayValue?.first { $0["type"]?.stringValue == "helm.chart" && $0[path: ["with", "name"]] == chart[path: ["metadata", "name"]] })
        let directory = try #require(step[path: ["with", "chartDirectory"]]?.stringValue, "only a chart kept in the repository is known here")
        #expect(chart[path: ["spec", "chartContent"]]?.stringValue?.isEmpty == false)
        let root = Paths.repository + "/playbooks/" + directory
        let defaults = try YAML.parseOne(try String(contentsOfFile: root + "/values.yaml", encoding: .utf8), file: "values.yaml").resolved
        let template = try String(contentsOfFile: root + "/templates/service.yaml", encoding: .utf8)
        var served: [Value] = []
        for name in defaults[path: ["service", "ports"]]?.objectValue?.keys ?? [] {
            #expect(template.contains("- name: \(name)\n      port: {{ .Values.service.ports.\(name) }}"), "templates/service.yaml serves \(name)")
            served.append(["name": .string(name), "port": values[path: ["service", "ports", name]] ?? defaults[path: ["service", "ports", name]] ?? .null])
        }
        return served
    }

    @Test func everyRouteAndEveryMaintainedServiceNamesSomethingThePlaybookCreates() throws {
        let objects = try Self.planned()
        func of(_ kind: String) -> [Value] { objects.filter { $0["kind"]?.stringValue == kind } }
        func ns(_ o: Value) -> String? { o[path: ["metadata", "namespace"]]?.stringValue }
        func name(_ o: Value) -> String? { o[path: ["metadata", "name"]]?.stringValue }
        // Services that route traffic themselves; an ExternalName alias does not count for Traefik,
        // which refuses ExternalName Services unless allowExternalNameServices is set (it is not).
        var ports: [String: [Value]] = [:]
        for service in of("Service") where service[path: ["spec", "type"]]?.stringValue != "ExternalName" {
            ports[Self.key(ns(service), name(service))] = service[path: ["spec", "ports"]]?.arrayValue ?? []
        }
        var workloads = Set((of("Deployment") + of("StatefulSet")).map { Self.key(ns($0), name($0)) })
        // A Helm release's objects are made by helm-controller, not planned: the repository's chart
        // names them after the release (charts like Bitnami's after `fullnameOverride`).
        var releases: Set<String> = []
        let playbook = try YAML.parseOne(try String(contentsOfFile: FAFRehearsalTests.playbook, encoding: .utf8), file: "faf.yaml").resolved
        for chart in of("HelmChart") {
            let values = try YAML.parseOne(chart[path: ["spec", "valuesContent"]]?.stringValue ?? "{}", file: "valuesContent").resolved
            let release = Self.key(chart[path: ["spec", "targetNamespace"]]?.stringValue, values["fullnameOverride"]?.stringValue ?? name(chart))
            releases.insert(release)
            ports[release] = try Self.releaseServicePorts(chart: chart, values: values, playbook: playbook)
        }
        #expect(releases == ["faf-apps/faf-rabbitmq"])
        workloads.formUnion(releases)

        // Every router of the stack is an IngressRoute (16); the published ports are host ports of
        // their workloads, not TCP routes through Traefik (FAFClientAddressTests).
        #expect(of("IngressRoute").count == 16)
        #expect(of("IngressRouteTCP").count == 0)
        var checked = 0
        for route in of("IngressRoute") + of("IngressRouteTCP") {
            for rule in route[path: ["spec", "routes"]]?.arrayValue ?? [] {
                for target in rule["services"]?.arrayValue ?? [] {
                    checked += 1
                    if target["kind"]?.stringValue == "TraefikService" {
                        #expect(target["name"]?.stringValue == "api@internal", "IngressRoute \(name(route) ?? "")")
                        continue
                    }
                    let where_ = Self.key(target["namespace"]?.stringValue ?? ns(route), target["name"]?.stringValue)
                    if let servicePorts = ports[where_] {
                        #expect(servicePorts.contains { $0["port"] == target["port"] || $0["name"] == target["port"] },
                                "\(route["kind"]?.stringValue ?? "") \(name(route) ?? "") goes to \(where_) port \(target["port"] ?? .null), which that Service does not have")
                    } else {
                        Issue.record("\(route["kind"]?.stringValue ?? "") \(name(route) ?? "") goes to \(where_), which the playbook does not create")
                    }
                }
            }
        }
        #expect(checked == 16)

        // rbac.oidc: every service the maintainers may be granted is a workload of its namespace,
        // and every Role names only such workloads.
        let people = try #require(playbook["steps"]?.arrayValue?.first { $0["type"]?.stringValue == "rbac.oidc" })
        var listed = 0
        for namespace in people[path: ["with", "services"]]?.objectValue?.keys ?? [] {
            for service in people[path: ["with", "services", namespace]]?.arrayValue ?? [] {
                #expect(workloads.contains(Self.key(namespace, service.stringValue)), "rbac.oidc names \(namespace)/\(service.stringValue ?? ""), which the playbook does not create")
                listed += 1
            }
        }
        #expect(listed == 26)
        var granted = 0
        for role in of("Role") where name(role)?.hasPrefix("oidc-group-") == true {
            for rule in role["rules"]?.arrayValue ?? [] where rule["resources"]?.arrayValue?.contains("deployments") == true {
                for resource in rule["resourceNames"]?.arrayValue ?? [] {
                    #expect(workloads.contains(Self.key(ns(role), resource.stringValue)), "Role \(name(role) ?? "") names \(resource.stringValue ?? "")")
                    granted += 1
                }
            }
        }
        #expect(granted > 20)
    }
}
