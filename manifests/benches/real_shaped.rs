//! A large dump shaped as a real one: the objects of `tests/real/eks-cluster-info-dump.json`
//! (an EKS cluster's `kubectl cluster-info dump`: Nodes with no podCIDR, VPC pod addresses,
//! ReplicaSet-owned pods, Deployments, ClusterIP Services in 172.20.0.0/16), repeated with new
//! names and addresses until the text reaches a size.

use std::fmt::Write as _;

/// How the lists are written.
#[derive(Clone, Copy)]
pub enum Shape {
    /// As `kubectl cluster-info dump` (the API's typed lists): items carry no kind or
    /// apiVersion, and container logs lie between the lists.
    ClusterInfoDump,
    /// As `kubectl get ... -o json` writes several kinds: one `List` whose items each carry
    /// their kind and apiVersion (a form every loader version reads).
    GetJson,
}

fn typed(shape: Shape, kind: &str, api: &str) -> String {
    match shape {
        Shape::ClusterInfoDump => String::new(),
        Shape::GetJson => format!("\"apiVersion\": \"{api}\", \"kind\": \"{kind}\",\n            "),
    }
}

fn list(out: &mut String, shape: Shape, kind: &str, api: &str, items: &[String]) {
    let head = match shape {
        Shape::ClusterInfoDump => format!("{kind}List"),
        Shape::GetJson => "List".to_string(),
    };
    let api = match shape {
        Shape::ClusterInfoDump => api,
        Shape::GetJson => "v1",
    };
    let _ = write!(
        out,
        "{{\n    \"kind\": \"{head}\",\n    \"apiVersion\": \"{api}\",\n    \"metadata\": {{\"resourceVersion\": \"2571\"}},\n    \"items\": [\n{}\n    ]\n}}\n",
        items.join(",\n")
    );
}

/// A dump of `nodes` Nodes, `apps` Deployments with a Service each, and pods spread over both
/// until the text holds at least `bytes` bytes.
pub fn dump(shape: Shape, nodes: usize, apps: usize, bytes: usize) -> String {
    let node_items: Vec<String> = (0..nodes)
        .map(|n| {
            format!(
                "        {{\n            {}\"metadata\": {{\n                \"name\": \"ip-10-0-{n}-10.ec2.internal\",\n                \"uid\": \"d06a4e91-b2e9-4907-a60a-{n:012}\",\n                \"resourceVersion\": \"2161\",\n                \"labels\": {{\n                    \"beta.kubernetes.io/arch\": \"amd64\",\n                    \"beta.kubernetes.io/instance-type\": \"t3.small\",\n                    \"eks.amazonaws.com/capacityType\": \"ON_DEMAND\",\n                    \"eks.amazonaws.com/nodegroup\": \"ecommerce-dev-node-group\",\n                    \"kubernetes.io/hostname\": \"ip-10-0-{n}-10.ec2.internal\",\n                    \"kubernetes.io/os\": \"linux\",\n                    \"topology.kubernetes.io/zone\": \"us-east-1a\"\n                }},\n                \"annotations\": {{\"alpha.kubernetes.io/provided-node-ip\": \"10.0.{n}.10\", \"node.alpha.kubernetes.io/ttl\": \"0\"}}\n            }},\n            \"spec\": {{\"providerID\": \"aws:///us-east-1a/i-{n:017}\"}},\n            \"status\": {{\n                \"conditions\": [{{\"type\": \"Ready\", \"status\": \"True\", \"reason\": \"KubeletReady\", \"message\": \"kubelet is posting ready status\"}}],\n                \"addresses\": [\n                    {{\"type\": \"InternalIP\", \"address\": \"10.0.{n}.10\"}},\n                    {{\"type\": \"Hostname\", \"address\": \"ip-10-0-{n}-10.ec2.internal\"}}\n                ],\n                \"nodeInfo\": {{\"kubeletVersion\": \"v1.31.13-eks-ecaa3a6\", \"kubeProxyVersion\": \"v1.31.13-eks-ecaa3a6\", \"osImage\": \"Amazon Linux 2023.9.20251208\"}}\n            }}\n        }}",
                typed(shape, "Node", "v1")
            )
        })
        .collect();
    let svc_items: Vec<String> = (0..apps)
        .map(|a| {
            format!(
                "        {{\n            {}\"metadata\": {{\n                \"name\": \"app-{a}\",\n                \"namespace\": \"shop\",\n                \"uid\": \"b82a8f74-3cdb-4eae-b382-{a:012}\",\n                \"resourceVersion\": \"520\",\n                \"labels\": {{\"app.kubernetes.io/name\": \"app-{a}\", \"k8s-app\": \"app-{a}\"}},\n                \"annotations\": {{\"prometheus.io/port\": \"9153\", \"prometheus.io/scrape\": \"true\"}}\n            }},\n            \"spec\": {{\n                \"ports\": [\n                    {{\"name\": \"http\", \"protocol\": \"TCP\", \"port\": 80, \"targetPort\": 8080}},\n                    {{\"name\": \"metrics\", \"protocol\": \"TCP\", \"port\": 9153, \"targetPort\": 9153}}\n                ],\n                \"selector\": {{\"k8s-app\": \"app-{a}\"}},\n                \"clusterIP\": \"172.20.{}.{}\",\n                \"clusterIPs\": [\"172.20.{}.{}\"],\n                \"type\": \"ClusterIP\",\n                \"sessionAffinity\": \"None\",\n                \"ipFamilies\": [\"IPv4\"],\n                \"ipFamilyPolicy\": \"SingleStack\",\n                \"internalTrafficPolicy\": \"Cluster\"\n            }},\n            \"status\": {{\"loadBalancer\": {{}}}}\n        }}",
                typed(shape, "Service", "v1"),
                1 + a / 250,
                a % 250 + 1,
                1 + a / 250,
                a % 250 + 1
            )
        })
        .collect();
    let container = "{\"name\": \"app\", \"image\": \"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.1\", \"args\": [\"-conf\", \"/etc/coredns/Corefile\"], \"ports\": [{\"name\": \"http\", \"containerPort\": 8080, \"protocol\": \"TCP\"}, {\"name\": \"metrics\", \"containerPort\": 9153, \"protocol\": \"TCP\"}]}";
    let deploy_items: Vec<String> = (0..apps)
        .map(|a| {
            format!(
                "        {{\n            {}\"metadata\": {{\"name\": \"app-{a}\", \"namespace\": \"shop\", \"uid\": \"9a889c5f-9da2-4168-84fc-{a:012}\", \"resourceVersion\": \"1290\", \"labels\": {{\"k8s-app\": \"app-{a}\"}}}},\n            \"spec\": {{\n                \"replicas\": 0,\n                \"selector\": {{\"matchLabels\": {{\"k8s-app\": \"app-{a}\"}}}},\n                \"template\": {{\"metadata\": {{\"labels\": {{\"k8s-app\": \"app-{a}\"}}}}, \"spec\": {{\"containers\": [{container}]}}}}\n            }}\n        }}",
                typed(shape, "Deployment", "apps/v1")
            )
        })
        .collect();
    let mut out = String::with_capacity(bytes + bytes / 8);
    list(&mut out, shape, "Node", "v1", &node_items);
    list(&mut out, shape, "Service", "v1", &svc_items);
    let mut pods: Vec<String> = Vec::new();
    let fixed = out.len() + deploy_items.iter().map(String::len).sum::<usize>();
    let mut size = fixed;
    let mut p = 0usize;
    while size < bytes {
        let (a, n) = (p % apps, p % nodes);
        let host = p / nodes;
        let item = format!(
            "        {{\n            {}\"metadata\": {{\n                \"name\": \"app-{a}-789f8477df-{p:05}\",\n                \"generateName\": \"app-{a}-789f8477df-\",\n                \"namespace\": \"shop\",\n                \"uid\": \"3032ab28-3ae1-44a6-9fb6-{p:012}\",\n                \"resourceVersion\": \"1285\",\n                \"creationTimestamp\": \"2026-01-02T19:58:24Z\",\n                \"labels\": {{\"k8s-app\": \"app-{a}\", \"pod-template-hash\": \"789f8477df\"}},\n                \"ownerReferences\": [{{\"apiVersion\": \"apps/v1\", \"kind\": \"ReplicaSet\", \"name\": \"app-{a}-789f8477df\", \"uid\": \"989e0af7-20c0-4481-b528-{a:012}\", \"controller\": true, \"blockOwnerDeletion\": true}}]\n            }},\n            \"spec\": {{\n                \"containers\": [{container}],\n                \"dnsPolicy\": \"ClusterFirst\",\n                \"nodeName\": \"ip-10-0-{n}-10.ec2.internal\",\n                \"tolerations\": [\n                    {{\"key\": \"node.kubernetes.io/not-ready\", \"operator\": \"Exists\", \"effect\": \"NoExecute\", \"tolerationSeconds\": 300}},\n                    {{\"key\": \"node.kubernetes.io/unreachable\", \"operator\": \"Exists\", \"effect\": \"NoExecute\", \"tolerationSeconds\": 300}}\n                ]\n            }},\n            \"status\": {{\n                \"phase\": \"Running\",\n                \"conditions\": [{{\"type\": \"Ready\", \"status\": \"True\", \"lastProbeTime\": null, \"lastTransitionTime\": \"2026-01-02T20:02:34Z\"}}],\n                \"hostIP\": \"10.0.{n}.10\",\n                \"hostIPs\": [{{\"ip\": \"10.0.{n}.10\"}}],\n                \"podIP\": \"10.0.{n}.{}\",\n                \"podIPs\": [{{\"ip\": \"10.0.{n}.{}\"}}]\n            }}\n        }}",
            typed(shape, "Pod", "v1"),
            20 + host,
            20 + host
        );
        size += item.len() + 2;
        pods.push(item);
        p += 1;
    }
    // Deployments with `replicas: 0` keep the count at the dump's pods: the bench measures
    // reading, not controllers adding pods.
    list(&mut out, shape, "Deployment", "apps/v1", &deploy_items);
    list(&mut out, shape, "Pod", "v1", &pods);
    if let Shape::ClusterInfoDump = shape {
        for i in 0..apps.min(50) {
            let _ = write!(
                out,
                "==== START logs for container app of pod shop/app-{i}-789f8477df-{i:05} ====\n.:53\nCoreDNS-1.11.3\n==== END logs for container app of pod shop/app-{i}-789f8477df-{i:05} ====\n"
            );
        }
    }
    out
}

/// How many pods [`dump`] wrote.
pub fn pod_count(text: &str) -> usize {
    text.matches("\"generateName\": \"app-").count()
}
