import Engine
import Foundation
import Playbook
import Steps
import TestSupport
import Testing

/// The registry finds the roles a driver takes without casting (Engine/Drivers/Roles/RoleWitnesses.swift):
/// the role's own extension answers for a driver that conforms, StepDriver's nil for the others. What
/// it finds must be what the drivers declare; a role lost there would drop, say, the files a step
/// reads from its digest, or the ports the pre-flight checks.
@Suite struct RoleWitnessTests {
    @Test func typeRolesAreTheDriversConformances() {
        for driver in StepCatalog.drivers { Self.typeRoles(driver) }
    }

    static func typeRoles<D: StepDriver>(_ driver: D.Type) {
        #expect((D.clusterProviderRole != nil) == (D.self is any ClusterProvider.Type), "\(D.type)")
        #expect((D.routesHostNamesRole != nil) == (D.self is any RoutesHostNames.Type), "\(D.type)")
        #expect((D.rehearsableRole != nil) == (D.self is any Rehearsable.Type), "\(D.type)")
    }

    /// faf.yaml has a step of every type that takes an instance role, and at least one of each
    /// shows what that role gives (a step of a type without the role shows nothing of it).
    @Test func fafStepsShowTheirDriversRoles() throws {
        let path = Paths.repository + "/playbooks/faf.yaml"
        let secrets = try Secrets.load(path: Paths.repository + "/secrets.example", policy: .warn).0
        let checked = try CheckedPlaybook.check(try PlaybookLoader.parse(try String(contentsOfFile: path, encoding: .utf8), file: path),
                                                secrets: secrets, registry: StepCatalog.registry)
        var shown: [String: Set<String>] = [:]
        for step in checked.orderedSteps {
            let driver = step.driver
            var roles: Set<String> = []
            if driver.cluster != nil { roles.insert("ClusterProvider") }
            if !driver.hostPorts.isEmpty { roles.insert("BindsHostPorts") }
            if !driver.rabbitMQBrokers.isEmpty { roles.insert("InstallsBrokers") }
            if driver.digestInputs != nil { roles.insert("ReadsFiles") }
            if !driver.migrationSources.isEmpty { roles.insert("MigratesData") }
            shown[step.type.name, default: []].formUnion(roles)
        }
        for type in StepCatalog.drivers { Self.instanceRoles(type, shown: shown) }
    }

    static func instanceRoles<D: StepDriver>(_ driver: D.Type, shown: [String: Set<String>]) {
        guard let roles = shown[D.type] else { return }
        let declared: [(String, Bool)] = [
            ("ClusterProvider", D.self is any ClusterProvider.Type), ("BindsHostPorts", D.self is any BindsHostPorts.Type),
            ("InstallsBrokers", D.self is any InstallsBrokers.Type), ("ReadsFiles", D.self is any ReadsFiles.Type),
            ("MigratesData", D.self is any MigratesData.Type),
        ]
        for (role, conforms) in declared {
            #expect(roles.contains(role) == conforms, "\(D.type): \(role) \(conforms ? "declared but never shown" : "shown but not declared")")
        }
    }
}
