import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// Restarts with --state and --crds: unchanged CRD files are not parsed again, changed ones are.
@Suite struct CRDReloadTests {
    @Test func restartKeepsCRDsAndPicksUpNewFiles() throws {
        let dir = TemporaryDirectory()
        let crds = dir.file("crds")
        try FileManager.default.createDirectory(atPath: crds, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.crds + "/helm-controller-v0.16.5_helm.cattle.io_helmcharts.yaml", toPath: crds + "/helmcharts.yaml")
        let state = dir.file("state.json")

        func start() throws -> EmulatorServer {
            let server = try EmulatorServer(options: EmulatorOptions(stateFile: state, crdDirectory: crds))
            try server.start()
            return server
        }
        func crd(_ server: EmulatorServer, _ name: String) -> Value? {
            server.object(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: name)
        }

        let first = try start()
        #expect(crd(first, "helmcharts.helm.cattle.io") != nil)
        first.stop()

        let second = try start()
        #expect(crd(second, "helmcharts.helm.cattle.io") != nil, "a restart with the same files keeps the CRD")
        second.stop()

        try FileManager.default.copyItem(atPath: Paths.crds + "/traefik-27.0.2_traefik.io_tlsoptions.yaml", toPath: crds + "/tlsoptions.yaml")
        let third = try start()
        defer { third.stop() }
        #expect(crd(third, "tlsoptions.traefik.io") != nil, "a new file in the directory is loaded")
        #expect(crd(third, "helmcharts.helm.cattle.io") != nil)
    }
}
