import Document
import Graph
import Playbook

/// A playbook that passed every check: structure, graph, references and parameters.
public struct CheckedPlaybook: Sendable {
    /// One step, ready to run.
    public struct Step: Sendable {
        public let id: String
        public let type: StepType
        public let parameters: ResolvedParameters
        public let driver: AnyDriver
        public let mark: Mark

        /// What the step's digest covers: its parameters, and what its driver read beside them.
        public var digestParameters: Value {
            guard let inputs = driver.digestInputs else { return parameters.value }
            return ["with": parameters.value, "inputs": inputs]
        }
    }

    public let playbook: Playbook
    public let graph: StepGraph
    public let steps: [String: Step]
    public let secrets: Secrets
    /// Warnings found while checking (printed, but they do not stop a run).
    public let warnings: [Diagnostic]

    public var name: String { playbook.name }
    /// Steps in playbook order.
    public var orderedSteps: [Step] { graph.ids.map { steps[$0]! } }

    /// Loads and checks a playbook, reporting every problem found together.
    public static func load(path: String, secrets: Secrets, registry: StepRegistry) throws(Diagnostics) -> CheckedPlaybook {
        let playbook = try PlaybookLoader.load(path: path)
        return try check(playbook, secrets: secrets, registry: registry)
    }

    /// `skipped`: the steps `--skip` leaves out (taken as provided by the environment), for checks
    /// of what the others use of theirs.
    public static func check(_ playbook: Playbook, secrets: Secrets, registry: StepRegistry,
                             skipped: Set<String> = []) throws(Diagnostics) -> CheckedPlaybook {
        var problems: [Diagnostic] = []
        var graph: StepGraph?
        do { graph = try StepGraph.build(playbook) } catch { problems += error.items }

        let resolver = Resolver(vars: playbook.vars, secrets: secrets)
        var resolved: [(StepSpec, ResolvedParameters)] = []
        var secretsWithoutFile: [Mark] = []
        for spec in playbook.steps {
            let (parameters, interpolationProblems) = resolver.resolve(spec.with, stepID: spec.id, fallback: spec.typeMark)
            problems += interpolationProblems
            secretsWithoutFile += parameters.secretsWithoutFile
            resolved.append((spec, parameters))
        }
        // A forgotten --secrets is one mistake, reported once at the first reference.
        if let first = secretsWithoutFile.min() {
            let count = secretsWithoutFile.count
            problems.append(.error("\(count) secret reference\(count == 1 ? "" : "s"), no secrets file given: pass --secrets FILE "
                + "(or set $BOOTSTRAP_SECRETS, or put secrets.yaml beside the playbook)", at: first))
        }
        let siblings = resolved.map { ValidationContext.Sibling(id: $0.0.id, type: $0.0.type, resolved: $0.1) }
        // Every step decoded once, before any is validated: checks across steps (each app.workload
        // reads every other's volumes) then find their siblings decoded.
        var decoded: [String: DecodedParameters] = [:]
        for (index, (spec, parameters)) in resolved.enumerated() {
            guard let type = registry[spec.type] else { continue }
            let step = type.decode(spec.id, parameters, spec.with?.mark ?? spec.typeMark)
            siblings[index].decoded.seed(step)
            decoded[spec.id] = step
        }

        var steps: [String: Step] = [:]
        let lists = ValidationContext.SiblingLists()
        for (spec, parameters) in resolved {
            guard let type = registry[spec.type] else {
                let hint = suggestion(for: spec.type, among: registry.names).map { " (did you mean \"\($0)\"?)" } ?? ""
                problems.append(.error("step \"\(spec.id)\" has unknown type \"\(spec.type)\"\(hint)", at: spec.typeMark))
                continue
            }
            guard let stepParameters = decoded[spec.id] else { continue }
            let context = ValidationContext(stepID: spec.id, marks: parameters.marks,
                                            fallback: spec.with?.mark ?? spec.typeMark, steps: siblings, skipped: skipped, lists: lists)
            // Every check runs in the same round; where a reference did not resolve, a check's error
            // about the value put in its place only repeats the reference's error.
            let (driver, stepProblems) = type.prepare(spec.id, stepParameters, context, parameters.unresolved)
            problems += stepProblems
            if let driver {
                steps[spec.id] = Step(id: spec.id, type: type, parameters: parameters, driver: driver, mark: spec.mark)
            }
        }
        let sorted = problems.sorted { ($0.mark ?? Mark(file: "", line: 0, column: 0)) < ($1.mark ?? Mark(file: "", line: 0, column: 0)) }
        if sorted.contains(where: { $0.severity == .error }) || graph == nil { throw Diagnostics(sorted) }
        return CheckedPlaybook(playbook: playbook, graph: graph!, steps: steps, secrets: secrets, warnings: sorted)
    }
}
