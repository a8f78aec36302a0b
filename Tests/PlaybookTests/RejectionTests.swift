import Document
import Engine
import Foundation
import Playbook
import Steps
import Testing
import TestSupport

/// Each rejection rule of the playbook language, on a fixture file, asserting message and position.
@Suite struct RejectionTests {
    static let fixtures = Paths.playbookFixtures

    /// Checks a fixture the way `validate` does and returns every diagnostic as printed.
    func diagnostics(_ name: String, secrets: Bool = true) throws -> [String] {
        let dir = Self.fixtures
        let secretsPath = dir + "/secrets-valid.yaml"
        chmod(secretsPath, 0o600)
        let loaded = secrets ? try Secrets.load(path: secretsPath, policy: .refuse).0 : Secrets.none
        do {
            _ = try CheckedPlaybook.load(path: dir + "/" + name, secrets: loaded, registry: StepCatalog.registry)
            Issue.record("\(name) was accepted")
            return []
        } catch {
            // Print paths relative to the fixtures folder, as a user running from there would see them.
            return error.items.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    @Test func yamlSyntaxError() throws {
        #expect(try diagnostics("syntax-error.yaml") == [
            "syntax-error.yaml:7:39: error: YAML syntax: did not find expected ',' or ']' while parsing a flow sequence",
        ])
    }

    @Test func duplicateMappingKey() throws {
        #expect(try diagnostics("duplicate-key.yaml") == [
            "duplicate-key.yaml:9:7: error: duplicate key \"names\" (first defined at 8:7)",
        ])
    }

    @Test func unknownKeyWithSuggestion() throws {
        #expect(try diagnostics("unknown-key.yaml") == [
            "unknown-key.yaml:10:5: error: unknown key \"need\" in step (did you mean \"needs\"?)",
        ])
    }

    @Test func badStepID() throws {
        #expect(try diagnostics("bad-id.yaml") == [
            "bad-id.yaml:5:9: error: step id \"Namespaces_1\" must match [a-z0-9]([-a-z0-9]*[a-z0-9])?",
        ])
    }

    @Test func overlongStepID() throws {
        let id = String(repeating: "a", count: 64)
        let text = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: x}\nsteps:\n  - id: \(id)\n    type: kube.namespaces\n    with: {names: [a]}\n"
        #expect {
            _ = try PlaybookLoader.parse(text, file: "long.yaml")
        } throws: { error in
            (error as? Diagnostics)?.description == "long.yaml:5:9: error: step id \"\(id)\" is longer than 63 characters"
        }
    }

    @Test func duplicateStepID() throws {
        #expect(try diagnostics("duplicate-id.yaml") == [
            "duplicate-id.yaml:8:9: error: duplicate step id \"ns\" (first defined at 5:9)",
        ])
    }

    @Test func unknownStepType() throws {
        #expect(try diagnostics("unknown-type.yaml") == [
            "unknown-type.yaml:6:11: error: step \"ns\" has unknown type \"kube.namespace\" (did you mean \"kube.namespaces\"?)",
        ])
    }

    @Test func undefinedVariablesAndSecrets() throws {
        #expect(try diagnostics("undefined-refs.yaml") == [
            "undefined-refs.yaml:9:16: error: step \"ns\" refers to undefined variable \"vars.domian\" (did you mean \"domain\"?)",
            "undefined-refs.yaml:17:35: error: step \"creds\" refers to undefined secret \"secrets.rabbitmq.admn\" (not in secrets-valid.yaml) (did you mean the entry at secrets-valid.yaml:2:3?)",
        ])
    }

    @Test func secretsAreRefusedWhereTheyWouldBePrintedInTheClear() throws {
        let messages = try diagnostics("secret-in-plain-field.yaml")
        #expect(messages == [
            "secret-in-plain-field.yaml:9:23: error: step \"ns\": parameter \"labels.owner\" cannot take a secret: it would be written where secrets are not protected",
        ])
        #expect(!messages.joined().contains("s3cr3t-admin-pw"))
    }

    @Test func parametersOfTheWrongType() throws {
        #expect(try diagnostics("wrong-type.yaml") == [
            "wrong-type.yaml:8:14: error: step \"ns\": parameter \"names\" must be a list, found string",
            "wrong-type.yaml:9:22: error: step \"ns\": parameter \"labels.team\" must be a string, found array",
            "wrong-type.yaml:10:7: error: step \"ns\": unknown parameter \"colour\"",
        ])
    }

    @Test func billionLaughsFailsFast() throws {
        #expect(try diagnostics("billion-laughs.yaml") == [
            "billion-laughs.yaml:9:38: error: document expands to more than 100000 nodes through aliases; refusing to read it",
        ])
    }

    @Test func everyErrorIsReportedTogether() throws {
        #expect(try diagnostics("many-errors.yaml") == [
            "many-errors.yaml:6:11: error: step \"one\" has unknown type \"kube.namespacez\" (did you mean \"kube.namespaces\"?)",
            "many-errors.yaml:9:13: error: step \"two\" needs unknown step \"three\"",
            "many-errors.yaml:10:19: error: step \"two\": parameter \"names\" must be a list, found number",
        ])
    }
}

@Suite struct InterpolationTests {
    func resolve(_ text: String, vars: [String: Value] = ["domain": "faforever.com", "size": 5]) -> (Value, [Diagnostic]) {
        let node = Node(.scalar(text, .plain, tag: nil), at: Mark(file: "p.yaml", line: 3, column: 10))
        let (params, problems) = Resolver(vars: vars, secrets: .none).resolve(node, stepID: "s", fallback: node.mark)
        return (params.value, problems)
    }

    @Test func leavesTraefikHelmAndShellSyntaxAlone() {
        let traefik = "Host(`api.${{ vars.domain }}`) && PathPrefix(`/x`)"
        #expect(resolve(traefik).0 == "Host(`api.faforever.com`) && PathPrefix(`/x`)")
        #expect(resolve("$${1}://api/$${2}").0 == "$${1}://api/$${2}")
        #expect(resolve("{{ .Values.x }} and ${HOME}").0 == "{{ .Values.x }} and ${HOME}")
    }

    @Test func dollarEscapesALiteralReference() {
        #expect(resolve("$${{ vars.domain }}").0 == "${{ vars.domain }}")
    }

    @Test func loneReferenceKeepsItsType() {
        #expect(resolve("${{ vars.size }}").0 == 5)
        #expect(resolve("${{ vars.size }}Gi").0 == "5Gi")
    }

    @Test func malformedReferenceIsPositioned() {
        let problems = resolve("x ${{ env.HOME }}").1
        #expect(problems.first?.mark?.column == 12)
        #expect(problems.first?.message.contains("not a reference") == true)
    }
}

@Suite struct SecretsFileTests {
    @Test func looseModeIsRefusedForRealRunsAndOnlyWarnedForValidate() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("secrets.yaml", "db: {password: hunter2-secret}\n", mode: 0o644)
        do {
            _ = try Secrets.load(path: path, policy: .refuse)
            Issue.record("a 0644 secrets file was accepted")
        } catch {
            #expect(error.description == "\(path):1:1: error: secrets file is readable by group or others (mode 0644); run: chmod 600 \(path)")
        }
        let (secrets, warnings) = try Secrets.load(path: path, policy: .warn)
        #expect(warnings.count == 1 && warnings[0].severity == .warning)
        guard case .found(let value) = secrets.lookup(["db", "password"]) else {
            Issue.record("secret not found")
            return
        }
        #expect(value.description == "(sensitive)")
        #expect(value.revealed == "hunter2-secret")
    }

    @Test func syntaxErrorsNeverQuoteTheSecretsText() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("secrets.yaml", "db: {password: \"hunter2-secret}\n")
        do {
            _ = try Secrets.load(path: path, policy: .refuse)
            Issue.record("broken secrets file accepted")
        } catch {
            #expect(error.description.contains("secrets file is not valid YAML"))
            #expect(!error.description.contains("hunter2"))
        }
    }
}
