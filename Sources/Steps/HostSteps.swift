public enum HostSteps { public static let all: [Any.Type] = [] }
