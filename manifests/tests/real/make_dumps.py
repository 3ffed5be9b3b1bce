#!/usr/bin/env python3
"""Writes the cluster dumps of this folder, shaped as `kubectl get ... -A -o yaml` writes them.

They are not captured from live clusters (no network here): each is written field for field in
the shape kubectl prints (a `kind: List` with sorted keys, metadata with uid, resourceVersion,
creationTimestamp, generateName, ownerReferences and managedFields, full status) with the address
plans the providers document: kind (10.244.0.0/16 pods, 10.96.0.0/12 services), kubeadm with a
Calico-style podSubnet (ConfigMaps kube-proxy and kubeadm-config included), EKS with the VPC CNI
(pods from the VPC subnet, nodes without podCIDR, services 172.20.0.0/16), GKE VPC-native (alias
IP podCIDRs, services 34.118.224.0/20), AKS with Azure CNI (pods from the node subnet, services
10.0.0.0/16). Run `python3 make_dumps.py` here to write them again; the output is deterministic.
"""
import hashlib
import yaml

T = "2024-05-02T09:14:07Z"


def uid(*parts):
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


RV = [1000]


def meta(kind, ns, name, labels=None, owner=None, generate_name=None, manager="kube-controller-manager"):
    RV[0] += 7
    m = {
        "creationTimestamp": T,
        "name": name,
        "resourceVersion": str(RV[0]),
        "uid": uid(kind, ns or "", name),
        "managedFields": [{
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {".": {}}}, "f:spec": {}},
            "manager": manager,
            "operation": "Update",
            "time": T,
        }],
    }
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = dict(labels)
    if generate_name:
        m["generateName"] = generate_name
    if owner:
        okind, oname = owner
        m["ownerReferences"] = [{
            "apiVersion": "v1" if okind == "Node" else "apps/v1",
            "blockOwnerDeletion": True,
            "controller": True,
            "kind": okind,
            "name": oname,
            "uid": uid(okind, ns if okind != "Node" else "", oname),
        }]
    return m


def container(name, image, ports=(), command=None):
    c = {
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": name,
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if ports:
        c["ports"] = [
            dict({"containerPort": p, "protocol": proto}, **({"name": n} if n else {}))
            for (n, p, proto) in ports
        ]
    if command:
        c["command"] = command
    return c


def pod(ns, name, labels, node, host_ip, pod_ip, containers, owner=None, host_network=False,
        generate_name=None, tolerations=None):
    spec = {
        "containers": containers,
        "dnsPolicy": "ClusterFirstWithHostNet" if host_network else "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": node,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
    }
    if host_network:
        spec["hostNetwork"] = True
    if tolerations:
        spec["tolerations"] = tolerations
    ip = host_ip if host_network else pod_ip
    status = {
        "conditions": [
            {"lastProbeTime": None, "lastTransitionTime": T, "status": "True", "type": t}
            for t in ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        ],
        "containerStatuses": [{
            "containerID": "containerd://" + hashlib.sha256((ns + name + c["name"]).encode()).hexdigest(),
            "image": c["image"],
            "imageID": c["image"] + "@sha256:" + hashlib.sha256(c["image"].encode()).hexdigest(),
            "lastState": {},
            "name": c["name"],
            "ready": True,
            "restartCount": 0,
            "started": True,
            "state": {"running": {"startedAt": T}},
        } for c in containers],
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "qosClass": "BestEffort",
        "startTime": T,
    }
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta("Pod", ns, name, labels, owner, generate_name, "kubelet"),
            "spec": spec, "status": status}


def template(labels, containers, host_network=False):
    spec = {"containers": containers, "dnsPolicy": "ClusterFirst", "restartPolicy": "Always"}
    if host_network:
        spec["hostNetwork"] = True
    return {"metadata": {"creationTimestamp": None, "labels": dict(labels)}, "spec": spec}


def deployment(ns, name, replicas, labels, containers, rs_hash):
    sel = dict(labels)
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": meta("Deployment", ns, name, labels),
         "spec": {"progressDeadlineSeconds": 600, "replicas": replicas, "revisionHistoryLimit": 10,
                  "selector": {"matchLabels": sel},
                  "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                  "template": template(labels, containers)},
         "status": {"availableReplicas": replicas, "observedGeneration": 1, "readyReplicas": replicas,
                    "replicas": replicas, "updatedReplicas": replicas}}
    rs_labels = dict(labels, **{"pod-template-hash": rs_hash})
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": meta("ReplicaSet", ns, f"{name}-{rs_hash}", rs_labels, ("Deployment", name)),
          "spec": {"replicas": replicas, "selector": {"matchLabels": dict(sel, **{"pod-template-hash": rs_hash})},
                   "template": template(rs_labels, containers)},
          "status": {"availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1,
                     "readyReplicas": replicas, "replicas": replicas}}
    return [d, rs]


def deployment_pods(ns, name, rs_hash, labels, containers, placements):
    out = []
    for (suffix, node, host_ip, ip) in placements:
        out.append(pod(ns, f"{name}-{rs_hash}-{suffix}", dict(labels, **{"pod-template-hash": rs_hash}),
                       node, host_ip, ip, containers, ("ReplicaSet", f"{name}-{rs_hash}"),
                       generate_name=f"{name}-{rs_hash}-"))
    return out


def daemonset(ns, name, labels, containers, nodes, host_network=True, pod_ips=None):
    n = len(nodes)
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": meta("DaemonSet", ns, name, labels),
          "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": dict(labels)},
                   "template": template(labels, containers, host_network),
                   "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"}},
          "status": {"currentNumberScheduled": n, "desiredNumberScheduled": n, "numberAvailable": n,
                     "numberMisscheduled": 0, "numberReady": n, "observedGeneration": 1, "updatedNumberScheduled": n}}
    pods = []
    for i, (node, host_ip) in enumerate(nodes):
        suffix = hashlib.sha256(f"{name}{node}".encode()).hexdigest()[:5]
        suffix = "".join("bcdfghjklmnpqrstvwxz2456789"[int(c, 16) % 27] for c in suffix)
        pods.append(pod(ns, f"{name}-{suffix}", dict(labels, **{"controller-revision-hash": "6b8d8f4c5d", "pod-template-generation": "1"}),
                        node, host_ip, pod_ips[i] if pod_ips else None, containers, ("DaemonSet", name),
                        host_network, generate_name=f"{name}-",
                        tolerations=[{"operator": "Exists"}]))
    return [ds] + pods


def service(ns, name, cluster_ip, ports, selector=None, labels=None, type_="ClusterIP", lb=None):
    spec = {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": ports,
            "sessionAffinity": "None", "type": type_}
    if selector:
        spec["selector"] = selector
    if type_ in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = "Cluster"
    if type_ == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
    status = {"loadBalancer": lb or {}}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta("Service", ns, name, labels, manager="kube-apiserver"),
            "spec": spec, "status": status}


def node(name, ip, pod_cidr, labels, taints=None):
    spec = {}
    if pod_cidr:
        spec["podCIDR"] = pod_cidr
        spec["podCIDRs"] = [pod_cidr]
    if taints:
        spec["taints"] = taints
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": meta("Node", None, name, dict({"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}, **labels), manager="kubelet"),
            "spec": spec,
            "status": {"addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
                       "conditions": [{"lastHeartbeatTime": T, "lastTransitionTime": T, "message": "kubelet is posting ready status",
                                       "reason": "KubeletReady", "status": "True", "type": "Ready"}],
                       "nodeInfo": {"containerRuntimeVersion": "containerd://1.7.15", "kubeletVersion": "v1.30.0",
                                    "kubeProxyVersion": "v1.30.0", "operatingSystem": "linux", "architecture": "amd64"}}}


def kubernetes_svc(ip):
    return service("default", "kubernetes", ip, [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                   labels={"component": "apiserver", "provider": "kubernetes"})


def dns_svc(ip, name="kube-dns"):
    return service("kube-system", name, ip, [
        {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
        {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}],
        selector={"k8s-app": "kube-dns"},
        labels={"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"})


COREDNS = [container("coredns", "registry.k8s.io/coredns/coredns:v1.11.1",
                     [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")])]
WEB = [container("web", "registry.k8s.io/e2e-test-images/agnhost:2.47", [("http", 8080, "TCP")])]
KUBE_PROXY = [container("kube-proxy", "registry.k8s.io/kube-proxy:v1.30.0",
                        command=["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"])]


def static_pods(node, ip):
    out = []
    for comp, cmd in [
        ("etcd", ["etcd", f"--advertise-client-urls=https://{ip}:2379", f"--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379",
                  "--listen-metrics-urls=http://127.0.0.1:2381", f"--listen-peer-urls=https://{ip}:2380"]),
        ("kube-apiserver", ["kube-apiserver", f"--advertise-address={ip}", "--secure-port=6443",
                            "--service-cluster-ip-range=10.96.0.0/12"]),
        ("kube-controller-manager", ["kube-controller-manager", "--allocate-node-cidrs=true", "--bind-address=127.0.0.1",
                                     "--cluster-cidr=10.244.0.0/16"]),
        ("kube-scheduler", ["kube-scheduler", "--bind-address=127.0.0.1"]),
    ]:
        out.append(pod("kube-system", f"{comp}-{node}", {"component": comp, "tier": "control-plane"}, node, ip, None,
                       [container(comp, f"registry.k8s.io/{comp}:v1.30.0", command=cmd)], ("Node", node), True))
    return out


def dump(items, path, header):
    doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    with open(path, "w") as f:
        f.write(header)
        yaml.safe_dump(doc, f, sort_keys=True, default_flow_style=False, width=4096)


def kind():
    cp, w = ("kind-control-plane", "172.18.0.3"), ("kind-worker", "172.18.0.2")
    items = []
    items += static_pods(*cp)
    items += deployment("kube-system", "coredns", 2, {"k8s-app": "kube-dns"}, COREDNS, "7db6d8ff4d")
    items += deployment_pods("kube-system", "coredns", "7db6d8ff4d", {"k8s-app": "kube-dns"}, COREDNS,
                             [("5xk2p", cp[0], cp[1], "10.244.0.2"), ("q9w4m", cp[0], cp[1], "10.244.0.3")])
    items += daemonset("kube-system", "kindnet", {"app": "kindnet", "k8s-app": "kindnet", "tier": "node"},
                       [container("kindnet-cni", "docker.io/kindest/kindnetd:v20240202-8f1494ea")], [cp, w])
    items += daemonset("kube-system", "kube-proxy", {"k8s-app": "kube-proxy"}, KUBE_PROXY, [cp, w])
    items += deployment("local-path-storage", "local-path-provisioner", 1, {"app": "local-path-provisioner"},
                        [container("local-path-provisioner", "docker.io/kindest/local-path-provisioner:v20240202-8f1494ea")], "988d74bc")
    items += deployment_pods("local-path-storage", "local-path-provisioner", "988d74bc", {"app": "local-path-provisioner"},
                             [container("local-path-provisioner", "docker.io/kindest/local-path-provisioner:v20240202-8f1494ea")],
                             [("vq4xl", cp[0], cp[1], "10.244.0.4")])
    items += deployment("default", "web", 3, {"app": "web"}, WEB, "5d9f8c7b6c")
    items += deployment_pods("default", "web", "5d9f8c7b6c", {"app": "web"}, WEB,
                             [("8hbxq", w[0], w[1], "10.244.1.2"), ("kd2mz", w[0], w[1], "10.244.1.3"),
                              ("tw9fn", w[0], w[1], "10.244.1.4")])
    items.append(kubernetes_svc("10.96.0.1"))
    items.append(dns_svc("10.96.0.10"))
    items.append(service("default", "web", "10.96.148.201", [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
                         {"app": "web"}))
    items.append(service("default", "web-np", "10.96.77.12", [{"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080}],
                         {"app": "web"}, type_="NodePort"))
    dump(items, "kind.yaml", "# kubectl get all -A -o yaml, kind v0.23 (Kubernetes v1.30), two nodes (see make_dumps.py)\n")


def kubeadm():
    cp, w1, w2 = ("cp-1", "10.0.10.11"), ("worker-1", "10.0.10.21"), ("worker-2", "10.0.10.22")
    cidrs = {"cp-1": "192.168.0.0/24", "worker-1": "192.168.1.0/24", "worker-2": "192.168.2.0/24"}
    items = [
        node(cp[0], cp[1], cidrs[cp[0]], {"node-role.kubernetes.io/control-plane": ""},
             [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]),
        node(w1[0], w1[1], cidrs[w1[0]], {}),
        node(w2[0], w2[1], cidrs[w2[0]], {}),
    ]
    kp = ("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\nclusterCIDR: 192.168.0.0/16\n"
          "detectLocalMode: ClusterCIDR\niptables:\n  localhostNodePorts: true\n  masqueradeAll: false\n  masqueradeBit: 14\n"
          "  minSyncPeriod: 1s\n  syncPeriod: 30s\nkind: KubeProxyConfiguration\nmode: iptables\nnodePortAddresses: null\n")
    kc = ("apiServer:\n  extraArgs:\n    authorization-mode: Node,RBAC\n    service-node-port-range: 30000-32767\n"
          "apiVersion: kubeadm.k8s.io/v1beta3\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\n"
          "controlPlaneEndpoint: 10.0.10.11:6443\nkind: ClusterConfiguration\nkubernetesVersion: v1.30.0\n"
          "networking:\n  dnsDomain: cluster.local\n  podSubnet: 192.168.0.0/16\n  serviceSubnet: 10.96.0.0/12\n")
    for name, key, text in [("kube-proxy", "config.conf", kp), ("kubeadm-config", "ClusterConfiguration", kc)]:
        items.append({"apiVersion": "v1", "kind": "ConfigMap", "data": {key: text},
                      "metadata": meta("ConfigMap", "kube-system", name, manager="kubeadm")})
    items += static_pods(*cp)
    items += deployment("kube-system", "coredns", 2, {"k8s-app": "kube-dns"}, COREDNS, "7db6d8ff4d")
    items += deployment_pods("kube-system", "coredns", "7db6d8ff4d", {"k8s-app": "kube-dns"}, COREDNS,
                             [("b7kfm", w1[0], w1[1], "192.168.1.2"), ("zn6qr", w2[0], w2[1], "192.168.2.2")])
    items += daemonset("kube-system", "kube-proxy", {"k8s-app": "kube-proxy"}, KUBE_PROXY, [cp, w1, w2])
    items += deployment("default", "web", 2, {"app": "web"}, WEB, "5d9f8c7b6c")
    items += deployment_pods("default", "web", "5d9f8c7b6c", {"app": "web"}, WEB,
                             [("8hbxq", w1[0], w1[1], "192.168.1.3"), ("kd2mz", w2[0], w2[1], "192.168.2.3")])
    items.append(pod("default", "client", {"run": "client"}, w1[0], w1[1], "192.168.1.4",
                     [container("client", "registry.k8s.io/e2e-test-images/agnhost:2.47")]))
    items.append(kubernetes_svc("10.96.0.1"))
    items.append(dns_svc("10.96.0.10"))
    items.append(service("default", "web", "10.107.40.3", [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}], {"app": "web"}))
    dump(items, "kubeadm.yaml", "# kubectl get nodes,cm,all -A -o yaml, kubeadm v1.30 with a Calico-style podSubnet (see make_dumps.py)\n")


def eks():
    n1, n2 = ("ip-192-168-12-34.us-west-2.compute.internal", "192.168.12.34"), ("ip-192-168-45-67.us-west-2.compute.internal", "192.168.45.67")
    labels = lambda zone: {"eks.amazonaws.com/nodegroup": "ng-1", "topology.kubernetes.io/zone": zone,
                           "node.kubernetes.io/instance-type": "m5.large"}
    items = [node(n1[0], n1[1], None, labels("us-west-2a")), node(n2[0], n2[1], None, labels("us-west-2b"))]
    items += daemonset("kube-system", "aws-node", {"k8s-app": "aws-node"},
                       [container("aws-node", "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.1",
                                  [("metrics", 61678, "TCP")])], [n1, n2])
    items += daemonset("kube-system", "kube-proxy", {"k8s-app": "kube-proxy"}, KUBE_PROXY, [n1, n2])
    items += deployment("kube-system", "coredns", 2, {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}, COREDNS, "5b8cc885bc")
    items += deployment_pods("kube-system", "coredns", "5b8cc885bc", {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}, COREDNS,
                             [("4xq2n", n1[0], n1[1], "192.168.23.101"), ("m8s7d", n2[0], n2[1], "192.168.50.12")])
    items += deployment("shop", "web", 2, {"app": "web"}, WEB, "7f6d9b8c4d")
    items += deployment_pods("shop", "web", "7f6d9b8c4d", {"app": "web"}, WEB,
                             [("2hzkq", n1[0], n1[1], "192.168.7.201"), ("p9vtl", n2[0], n2[1], "192.168.61.18")])
    items.append(kubernetes_svc("172.20.0.1"))
    items.append(dns_svc("172.20.0.10"))
    items.append(service("shop", "web", "172.20.143.7", [{"name": "http", "nodePort": 31234, "port": 80, "protocol": "TCP", "targetPort": 8080}],
                         {"app": "web"}, type_="LoadBalancer",
                         lb={"ingress": [{"hostname": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6-1234567890.us-west-2.elb.amazonaws.com"}]}))
    dump(items, "eks.yaml", "# kubectl get nodes,all -A -o yaml, EKS 1.30 with the Amazon VPC CNI (see make_dumps.py)\n")


def gke():
    n1, n2 = ("gke-demo-default-pool-3f1c2a9b-7k2d", "10.128.0.12"), ("gke-demo-default-pool-3f1c2a9b-q8wz", "10.128.0.13")
    items = [node(n1[0], n1[1], "10.108.0.0/24", {"cloud.google.com/gke-nodepool": "default-pool"}),
             node(n2[0], n2[1], "10.108.1.0/24", {"cloud.google.com/gke-nodepool": "default-pool"})]
    kube_dns = [container("kubedns", "gke.gcr.io/k8s-dns-kube-dns:1.23.0-gke.9", [("dns-local", 10053, "UDP"), ("dns-tcp-local", 10053, "TCP")]),
                container("dnsmasq", "gke.gcr.io/k8s-dns-dnsmasq-nanny:1.23.0-gke.9", [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")])]
    items += deployment("kube-system", "kube-dns", 2, {"k8s-app": "kube-dns"}, kube_dns, "5c9dbb8d7d")
    items += deployment_pods("kube-system", "kube-dns", "5c9dbb8d7d", {"k8s-app": "kube-dns"}, kube_dns,
                             [("d4n2x", n1[0], n1[1], "10.108.0.5"), ("wq8lp", n2[0], n2[1], "10.108.1.4")])
    items += daemonset("kube-system", "kube-proxy", {"component": "kube-proxy"}, KUBE_PROXY, [n1, n2])
    items += deployment("default", "frontend", 2, {"app": "frontend"}, WEB, "6c4f8b9d5f")
    items += deployment_pods("default", "frontend", "6c4f8b9d5f", {"app": "frontend"}, WEB,
                             [("hx2kq", n1[0], n1[1], "10.108.0.9"), ("tz5mr", n2[0], n2[1], "10.108.1.7")])
    items.append(kubernetes_svc("34.118.224.1"))
    items.append(service("kube-system", "kube-dns", "34.118.224.10", [
        {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}], {"k8s-app": "kube-dns"},
        labels={"k8s-app": "kube-dns", "kubernetes.io/name": "KubeDNS"}))
    items.append(service("default", "frontend", "34.118.231.84", [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}], {"app": "frontend"}))
    dump(items, "gke.yaml", "# kubectl get nodes,all -A -o yaml, GKE 1.30 VPC-native (see make_dumps.py)\n")


def aks():
    n1, n2 = ("aks-nodepool1-12345678-vmss000000", "10.224.0.4"), ("aks-nodepool1-12345678-vmss000001", "10.224.0.35")
    items = [node(n1[0], n1[1], None, {"agentpool": "nodepool1", "kubernetes.azure.com/mode": "system"}),
             node(n2[0], n2[1], None, {"agentpool": "nodepool1", "kubernetes.azure.com/mode": "system"})]
    items += daemonset("kube-system", "azure-cns", {"k8s-app": "azure-cns"},
                       [container("cns-container", "mcr.microsoft.com/containernetworking/azure-cns:v1.5.26", [("api", 10090, "TCP")])], [n1, n2])
    items += daemonset("kube-system", "kube-proxy", {"component": "kube-proxy", "tier": "node"}, KUBE_PROXY, [n1, n2])
    items += deployment("kube-system", "coredns", 2, {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true"}, COREDNS, "767bbfc8c4")
    items += deployment_pods("kube-system", "coredns", "767bbfc8c4", {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true"}, COREDNS,
                             [("kl5x2", n1[0], n1[1], "10.224.0.17"), ("zw8dn", n2[0], n2[1], "10.224.0.48")])
    items += deployment("default", "api", 3, {"app": "api"}, WEB, "84d9c7f5b6")
    items += deployment_pods("default", "api", "84d9c7f5b6", {"app": "api"}, WEB,
                             [("2kqhm", n1[0], n1[1], "10.224.0.21"), ("9x4vz", n2[0], n2[1], "10.224.0.52"),
                              ("tq7bc", n2[0], n2[1], "10.224.0.57")])
    items.append(kubernetes_svc("10.0.0.1"))
    items.append(dns_svc("10.0.0.10"))
    items.append(service("default", "api", "10.0.201.44", [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}], {"app": "api"},
                         type_="LoadBalancer", lb={"ingress": [{"ip": "20.62.148.23"}]}))
    dump(items, "aks.yaml", "# kubectl get nodes,all -A -o yaml, AKS 1.30 with Azure CNI (see make_dumps.py)\n")


def big(path, target_bytes):
    """A dump of about `target_bytes`: kubeadm.yaml's nodes and add-ons, then copies of a web
    application (Deployment, ReplicaSet, 2 pods, Service) in namespaces app-0, app-1, ... until
    the size is reached. For load-time measurements; not committed."""
    cp, w1, w2 = ("cp-1", "10.0.10.11"), ("worker-1", "10.0.10.21"), ("worker-2", "10.0.10.22")
    items = [
        node(cp[0], cp[1], "10.3.0.0/16", {"node-role.kubernetes.io/control-plane": ""}),
        node(w1[0], w1[1], "10.1.0.0/16", {}),
        node(w2[0], w2[1], "10.2.0.0/16", {}),
    ]
    items += static_pods(*cp)
    items.append(kubernetes_svc("10.96.0.1"))
    items.append(dns_svc("10.96.0.10"))
    size, i = 0, 0
    while size < target_bytes:
        ns = f"app-{i}"
        a, b = 2 + (i % 250), i // 250
        group = deployment(ns, "web", 2, {"app": "web"}, WEB, "5d9f8c7b6c")
        group += deployment_pods(ns, "web", "5d9f8c7b6c", {"app": "web"}, WEB,
                                 [("8hbxq", w1[0], w1[1], f"10.1.{b}.{a}"), ("kd2mz", w2[0], w2[1], f"10.2.{b}.{a}")])
        group.append(service(ns, "web", f"10.96.{1 + i // 250}.{a}", [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}], {"app": "web"}))
        size += len(yaml.safe_dump(group))
        items += group
        i += 1
    dump(items, path, "# generated by make_dumps.py big: a kubeadm-shaped dump for load timing\n")


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "big":
        big(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    kind()
    kubeadm()
    eks()
    gke()
    aks()
