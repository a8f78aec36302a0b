import Document
import Engine

// The Kubernetes side of storage.local-volumes: a class that provisions nothing, and for each
// volume a PersistentVolume pre-bound to its claim, so no other claim can take it.
extension LocalVolumes {
    var storageClassObject: Value {
        [
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": ["name": .string(parameters.storageClassName)],
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "WaitForFirstConsumer",
            "reclaimPolicy": "Retain",
        ]
    }

    /// One requirement per label; all must hold, so every label pins the volume.
    var nodeAffinity: Value {
        let expressions: [Value] = parameters.nodeSelector.keys.sorted().map { key in
            ["key": .string(key), "operator": "In", "values": [.string(parameters.nodeSelector[key]!)]]
        }
        return ["required": ["nodeSelectorTerms": [["matchExpressions": .array(expressions)]]]]
    }

    func volumeObject(_ volume: Volume) -> Value {
        [
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": ["name": .string(volume.name)],
            "spec": [
                "capacity": ["storage": .string(volume.size)],
                "accessModes": [.string(volume.accessModeName)],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": .string(parameters.storageClassName),
                "volumeMode": "Filesystem",
                "local": ["path": .string(mountpoint(volume))],
                "claimRef": [
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "namespace": .string(volume.namespace), "name": .string(volume.claimName),
                ],
                "nodeAffinity": nodeAffinity,
            ],
        ]
    }

    func claimObject(_ volume: Volume) -> Value {
        [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": ["name": .string(volume.claimName), "namespace": .string(volume.namespace)],
            "spec": [
                "accessModes": [.string(volume.accessModeName)],
                "storageClassName": .string(parameters.storageClassName),
                "volumeMode": "Filesystem",
                "volumeName": .string(volume.name),
                "resources": ["requests": ["storage": .string(volume.size)]],
            ],
        ]
    }

    /// The class first, then each volume before its claim, so a claim finds its volume at once.
    public var objects: [Value] {
        [storageClassObject] + parameters.volumes.flatMap { [volumeObject($0), claimObject($0)] }
    }
}
