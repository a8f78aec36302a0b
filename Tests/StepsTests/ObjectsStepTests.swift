import Document
import Engine
import Playbook
import Steps
import Testing

/// `kube.objects` keeps secrets where they are protected: in a Secret's data, nowhere else.
@Suite struct ObjectsStepTests {
    static func errors(_ objects: String) -> [String] {
        let text = """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: faf}
            steps:
              - id: objects
                type: kube.objects
                with:
                  objects:
            \(objects)
            """
        let secrets = Secrets(file: "secrets.yaml", root: ["db": .leaf(Sensitive("db-pw-9a8b7c"))])
        do {
            _ = try CheckedPlaybook.check(PlaybookLoader.parse(text, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
            return []
        } catch {
            return error.items.filter { $0.severity == .error }.map(\.description)
        }
    }

    @Test func aSecretOutsideASecretIsRefused() {
        let errors = Self.errors("""
                  - {apiVersion: v1, kind: ConfigMap, metadata: {name: app}, data: {password: "${{ secrets.db }}"}}
            """)
        #expect(errors == ["faf.yaml:9:83: error: step \"objects\": objects.0.data.password takes a secret, but only a Secret's data keeps one protected; put the value in a Secret and refer to it"])
    }

    @Test func aSecretInASecretsDataIsTaken() {
        #expect(Self.errors("""
                  - {apiVersion: v1, kind: Secret, metadata: {name: app}, stringData: {password: "${{ secrets.db }}"}}
            """) == [])
        #expect(Self.errors("""
                  - {apiVersion: v1, kind: Secret, metadata: {name: app, labels: {x: "${{ secrets.db }}"}}, stringData: {a: b}}
            """).first?.contains("objects.0.metadata.labels.x takes a secret") == true)
    }
}
