//! Component tests in headless Chromium: mount the whole App, then drive it as a user would
//! (select, click, type) and check what the DOM shows, by `data-testid`.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::*;

#[wasm_bindgen_test]
async fn default_scenario_draws_its_cluster() {
    mount().await;
    assert_eq!(all("[data-testid=topology]").len(), 1);
    assert_eq!(all("[data-testid=node]").len(), 3);
    // web ×3, api ×2, client, CoreDNS ×2
    assert_eq!(all("[data-testid=pod]").len(), 8);
    // web, web-nodeport, api, and the `kubernetes` Service every cluster has.
    assert_eq!(all("[data-testid=service]").len(), 5);
    // Two NodePort-bearing Services: a tab for each on each of the three nodes.
    assert_eq!(all("[data-testid=nodeport]").len(), 6);
    assert_eq!(all("[data-testid=load-balancer]").len(), 1);
    assert!(all("[data-testid=scenario-select] option").len() >= 10);
}

#[wasm_bindgen_test]
async fn choose_send_step_and_inspect() {
    mount().await;
    // The scenario's header chose a probe: the hint before a Send says only that.
    assert_eq!(text("[data-testid=verdict]"), "Send to follow the packet.");
    // Source: the first option (a pod's container); destination by clicking a Service port.
    select("[data-testid=source-select]", "0");
    tick().await;
    let web_port = all("[data-testid=service] [data-testid=service-port]");
    assert!(!web_port.is_empty());
    // default/web is the second Service (sorted: api, web, web-nodeport, kube-dns).
    let services = all("[data-testid=service]");
    let web = services
        .iter()
        .find(|s| s.text_content().unwrap_or_default().contains("webClusterIP"))
        .expect("web service");
    let port = web.query_selector("[data-testid=service-port]").expect("q").expect("port");
    click_svg(&port);
    tick().await;
    let dest: HtmlSelectElement = one("[data-testid=dest-select]").dyn_into().expect("select");
    assert_ne!(dest.value(), "", "clicking the port chose a destination");
    assert_eq!(text("[data-testid=verdict]"), "Send to follow the packet.");

    click("[data-testid=send]");
    tick().await;
    let verdict = text("[data-testid=verdict]");
    assert!(verdict.contains("delivered to default/web-"), "{verdict}");
    let hops = all("[data-testid=hop]");
    assert!(hops.len() > 10, "{} hops", hops.len());
    // Packets are drawn on the canvas over the diagram; it says what it shows.
    assert_eq!(
        one("[data-testid=packet-canvas]").get_attribute("data-packets").as_deref(),
        Some("1")
    );

    // Pause, then step to the first rule that rewrote the destination (the DNAT).
    click("[data-testid=restart]");
    tick().await;
    if text("[data-testid=play]").contains("Pause") {
        click("[data-testid=play]");
    }
    let dnat = hops
        .iter()
        .position(|h| h.class_list().contains("rewrote"))
        .expect("a hop rewrote the packet");
    hops[dnat].dyn_ref::<HtmlElement>().expect("li").click();
    tick().await;
    assert!(all("[data-testid=hop]")[dnat].class_list().contains("current"));
    let before = text("[data-testid=inspector-before]");
    let after = text("[data-testid=inspector-after]");
    assert_ne!(before, after);
    assert!(before.contains("10.96."), "before DNAT the packet goes to the ClusterIP: {before}");
    assert!(after.contains("10.244."), "after DNAT to a pod: {after}");
    assert!(text("[data-testid=inspector-raw]").contains("DNAT"));

    // Clicking the hop opened its stage group: step back goes hop by hop; step forward goes to
    // the next rest (the next hop, or the end of the next, closed, group).
    let current =
        || all("[data-testid=hop]").iter().position(|h| h.class_list().contains("current"));
    click("[data-testid=step-forward]");
    tick().await;
    assert!(current().is_some_and(|i| i > dnat), "{}", text(".playback .position"));
    click("[data-testid=step-back]");
    tick().await;
    assert_eq!(current(), Some(dnat));
    click("[data-testid=step-back]");
    tick().await;
    assert_eq!(current(), Some(dnat - 1));

    // The rules panel highlights what this trace matched on the source's node; it draws only
    // while its tab is shown.
    assert!(all("[data-testid=rule-hit]").is_empty(), "the hidden rules tab draws nothing");
    click("[data-testid=tab-rules]");
    tick().await;
    assert!(!all("[data-testid=rule-hit]").is_empty());
    let rules = text("[data-testid=rules]");
    assert!(rules.contains("-A KUBE-SERVICES"), "the node's rules: {rules}");
}

#[wasm_bindgen_test]
async fn send_n_spreads_over_endpoints_next_to_probabilities() {
    mount().await;
    // The default scenario's probe (client → web by name) is preselected.
    let n: web_sys::HtmlInputElement = one("[data-testid=send-n-count]").dyn_into().expect("input");
    n.set_value("30");
    n.dispatch_event(&web_sys::Event::new("change").expect("ev")).expect("dispatch");
    click("[data-testid=send-n]");
    tick().await;
    let outcomes = all("[data-testid=outcome]");
    assert_eq!(outcomes.len(), 3, "three web pods");
    let mut total = 0;
    for o in &outcomes {
        let t = o.text_content().unwrap_or_default();
        assert!(t.contains("1/3"), "{t}");
        let count = o.query_selector("[data-testid=outcome-count]").expect("q").expect("count");
        let c = count.text_content().unwrap_or_default();
        let sent: usize = c.split('/').next().and_then(|s| s.parse().ok()).expect("count");
        total += sent;
    }
    assert_eq!(total, 30);
}

#[wasm_bindgen_test]
async fn an_edit_changes_endpoints() {
    mount().await;
    let web_text = || {
        all("[data-testid=service]")
            .into_iter()
            .map(|s| s.text_content().unwrap_or_default())
            .find(|t| t.starts_with("webClusterIP"))
            .expect("web")
    };
    assert!(web_text().contains("3 endpoints · 3 ready"), "{}", web_text());
    // Select a web pod and make it unready.
    let pod = all("[data-testid=pod]")
        .into_iter()
        .find(|p| p.get_attribute("data-pod").is_some_and(|k| k.starts_with("default/web-")))
        .expect("web pod");
    let pod_key = pod.get_attribute("data-pod").expect("key");
    click_svg(&pod);
    tick().await;
    click("[data-testid=toggle-ready]");
    tick().await;
    assert!(web_text().contains("3 endpoints · 2 ready"), "{}", web_text());
    // Selecting the Service draws a line to each endpoint; the unready one is marked.
    let web_el = all("[data-testid=service]")
        .into_iter()
        .find(|s| s.text_content().unwrap_or_default().starts_with("webClusterIP"))
        .expect("web");
    click_svg(&web_el);
    tick().await;
    assert_eq!(all("[data-testid=endpoint-line]").len(), 3);
    assert_eq!(all("[data-testid=endpoint-line].unready").len(), 1);
    // Back to the pod (found again: the diagram was redrawn).
    click_svg(&one(&format!("[data-pod='{pod_key}']")));
    tick().await;
    assert!(text("[data-testid=object-panel]").contains(&pod_key));
    // Scale the Deployment up by one: its controller makes a new pod, a new endpoint, Ready
    // once it has started (the clock's next seconds).
    click("[data-testid=scale-up]");
    tick().await;
    assert_eq!(all("[data-testid=pod]").len(), 9);
    assert!(web_text().contains("4 endpoints · 2 ready"), "{}", web_text());
    for _ in 0..3 {
        click("[data-testid=clock-step]");
        tick().await;
    }
    assert!(web_text().contains("4 endpoints · 3 ready"), "{}", web_text());
    // Delete the selected pod.
    click_svg(&one(&format!("[data-pod='{pod_key}']")));
    tick().await;
    click("[data-testid=delete-pod]");
    tick().await;
    // As `kubectl delete pod`: the pod terminates and its ReplicaSet replaces it at once.
    assert_eq!(all("[data-testid=pod]").len(), 10);
    for _ in 0..3 {
        click("[data-testid=clock-step]");
        tick().await;
    }
    assert_eq!(all("[data-testid=pod]").len(), 9);
    assert!(all("[data-pod]")
        .iter()
        .all(|p| p.get_attribute("data-pod").as_deref() != Some(&pod_key)));
    assert!(web_text().contains("4 endpoints · 4 ready"), "{}", web_text());
}

#[wasm_bindgen_test]
async fn yaml_error_keeps_the_last_good_cluster() {
    mount().await;
    let ta: HtmlTextAreaElement = one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    let good = ta.value();
    assert!(good.contains("kind: Deployment"));
    let bad = "apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n";
    ta.set_value(bad);
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
    click("[data-testid=apply]");
    tick().await;
    let errors = text("[data-testid=error]");
    assert!(errors.contains("40000"), "{errors}");
    assert!(errors.contains("line"), "errors carry a line: {errors}");
    // The offending line is marked in the editor's gutter.
    let marked: Vec<String> =
        all(".gutter .err").iter().map(|e| e.text_content().unwrap_or_default()).collect();
    assert!(!marked.is_empty(), "a gutter line is marked");
    // The previous cluster is still drawn.
    assert_eq!(all("[data-testid=node]").len(), 3);
    assert_eq!(all("[data-testid=pod]").len(), 8);
    // A valid edit applies.
    ta.set_value("apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\nspec:\n  containers:\n  - name: c\n    image: x\n");
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
    click("[data-testid=apply]");
    tick().await;
    assert_eq!(all("[data-testid=node]").len(), 3);
    // The pod plus the two CoreDNS pods the loader adds.
    assert_eq!(all("[data-testid=pod]").len(), 3);
}

#[wasm_bindgen_test]
async fn names_render_as_text() {
    mount().await;
    let ta: HtmlTextAreaElement = one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    // An invalid name is echoed back in the error: it must show as text, not become markup.
    ta.set_value("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"<script>window.__pwned=1</script><b>x</b>\"\nspec:\n  containers:\n  - name: c\n    image: x\n");
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
    click("[data-testid=apply]");
    tick().await;
    let errors = text("[data-testid=error]");
    assert!(errors.contains("<script>window.__pwned=1</script>"), "{errors}");
    assert!(all("[data-testid=error] script").is_empty());
    assert!(all("[data-testid=error] b").is_empty());
    let pwned =
        js_sys::Reflect::get(&web_sys::window().expect("w"), &"__pwned".into()).expect("get");
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn playback_advances_on_animation_frames() {
    mount().await;
    click("[data-testid=speed]");
    select("[data-testid=speed]", "1");
    click("[data-testid=send]");
    tick().await;
    let pos = text(".playback .position");
    assert!(pos.starts_with("step 1 of ") && pos.contains(" · hop 1 of "), "{pos}");
    TimeoutFuture::new(1500).await;
    // A step is a stage group: the DNS lookup's hops pass within its first step.
    let pos = text(".playback .position");
    let hop: usize = pos
        .split("hop ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("hop number");
    assert!(hop > 20, "at 1× the packet passed the DNS lookup after 1.5 s: {pos}");
    // The packet moves on the canvas (it may rest a while inside one node's netfilter chains).
    let canvas: web_sys::HtmlCanvasElement =
        one("[data-testid=packet-canvas]").dyn_into().expect("canvas");
    let mut xs = std::collections::BTreeSet::new();
    for _ in 0..8 {
        xs.insert(canvas.to_data_url().unwrap_or_default());
        TimeoutFuture::new(200).await;
    }
    assert!(xs.len() > 1, "{xs:?}");
}

#[wasm_bindgen_test]
async fn six_hundred_pods_collapse_into_groups_that_expand() {
    mount().await;
    let ta: HtmlTextAreaElement = one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    ta.set_value(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\nspec:\n  replicas: 600\n  selector:\n    matchLabels:\n      app: big\n  template:\n    metadata:\n      labels:\n        app: big\n    spec:\n      containers:\n      - name: c\n        image: x\n        ports:\n        - containerPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: big\nspec:\n  selector:\n    app: big\n  ports:\n  - port: 80\n",
    );
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
    let perf = web_sys::window().and_then(|w| w.performance()).expect("performance");
    let t0 = perf.now();
    click("[data-testid=apply]");
    tick().await;
    let ms = perf.now() - t0;
    web_sys::console::log_1(
        &format!("apply + render of 600 pods (debug build): {ms:.0} ms").into(),
    );
    // Three nodes; each shows one group for the Deployment, and the two CoreDNS pods stay pods.
    let groups = all("[data-testid=pod-group]");
    assert_eq!(groups.len(), 3, "{}", text("[data-testid=error]"));
    assert_eq!(all("[data-testid=pod]").len(), 2);
    let svc = all("[data-testid=service]")
        .into_iter()
        .map(|s| s.text_content().unwrap_or_default())
        .find(|t| t.starts_with("big"))
        .expect("big");
    assert!(svc.contains("600 endpoints"), "{svc}");
    click_svg(&groups[0]);
    tick().await;
    let shown = all("[data-testid=pod]").len();
    assert!(shown > 150, "an expanded group shows its pods: {shown}");
    assert_eq!(all("[data-testid=pod-group]").len(), 2);
}

#[wasm_bindgen_test]
async fn a_dropped_packet_stops_where_it_stops() {
    mount().await;
    select("[data-testid=scenario-select]", "etp-local");
    tick().await;
    click("[data-testid=send]");
    tick().await;
    assert!(
        text("[data-testid=verdict]").contains("dropped on node-2"),
        "{}",
        text("[data-testid=verdict]")
    );
    let hops = all("[data-testid=hop]");
    hops.last().expect("hops").dyn_ref::<HtmlElement>().expect("li").click();
    tick().await;
    assert!(one("[data-testid=packet-canvas]").has_attribute("data-stopped"));
    assert!(text("[data-testid=inspector-raw]").contains("DROP"));
    // The URL now replays this probe (written as the page's effects run: wait for them).
    let search = || web_sys::window().expect("w").location().search().expect("search");
    for _ in 0..30 {
        if search().contains("scenario=etp-local") {
            break;
        }
        tick().await;
    }
    assert!(search().contains("scenario=etp-local") && search().contains("probe="), "{}", search());
}

/// The text of the destination `<select>`'s chosen option.
fn chosen_destination() -> String {
    let dest: HtmlSelectElement = one("[data-testid=dest-select]").dyn_into().expect("select");
    let i = dest.selected_index();
    assert!(i >= 0, "a destination is chosen");
    dest.options().item(i as u32).and_then(|o| o.text_content()).unwrap_or_default()
}

/// Presses a key on an element (bubbling, as a real key press does).
fn press(el: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let ev =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    el.dispatch_event(&ev).expect("dispatch");
}

#[wasm_bindgen_test]
async fn a_dns_name_is_picked_on_the_diagram() {
    mount().await;
    select("[data-testid=scenario-select]", "headless-dns");
    tick().await;
    // One tag per Service port (db: 1, kubernetes: 1, kube-dns: 3) and one per StatefulSet pod.
    let names: Vec<String> =
        all("[data-testid=dns-name]").iter().filter_map(|e| e.get_attribute("data-name")).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(names.contains(&"db.default.svc.cluster.local:5432".to_string()), "{names:?}");
    let db1 = one("[data-testid=pod][data-pod='default/db-1'] [data-testid=dns-name]");
    assert_eq!(
        db1.get_attribute("data-name").as_deref(),
        Some("db-1.db.default.svc.cluster.local:5432")
    );
    assert!(db1.get_attribute("aria-label").unwrap_or_default().contains("DNS name db-1.db"));

    // The scenario picked db-0 by name; clicking db-1's tag switches to db-1's name.
    click_svg(&db1);
    tick().await;
    assert!(
        chosen_destination().starts_with("db-1.db.default.svc.cluster.local:5432"),
        "{}",
        chosen_destination()
    );
    click("[data-testid=send]");
    tick().await;
    let verdict = text("[data-testid=verdict]");
    assert!(verdict.contains("default/db-1"), "{verdict}");
    // The trace starts with the DNS query and shows CoreDNS's answer.
    assert!(all("[data-testid=hop]").iter().any(|h| h
        .text_content()
        .unwrap_or_default()
        .contains("db-1.db.default.svc.cluster.local")));

    // The headless Service's port row has no ClusterIP: clicking it picks the Service's name.
    let db_row = all("[data-testid=service]")
        .into_iter()
        .find(|s| s.text_content().unwrap_or_default().starts_with("db"))
        .and_then(|s| s.query_selector("[data-testid=service-port]").ok().flatten())
        .expect("db port row");
    click_svg(&db_row);
    tick().await;
    assert!(
        chosen_destination().starts_with("db.default.svc.cluster.local:5432"),
        "{}",
        chosen_destination()
    );
}

#[wasm_bindgen_test]
async fn a_dns_tag_works_from_the_keyboard() {
    mount().await;
    // default/web's tag: focusable, Enter picks the name.
    let tag = one("[data-testid=dns-name][data-name='web.default.svc.cluster.local:80']");
    assert_eq!(tag.get_attribute("tabindex").as_deref(), Some("0"));
    // Start from another destination, so the key press visibly changes it.
    select("[data-testid=dest-select]", "1");
    tick().await;
    assert!(!chosen_destination().starts_with("web.default"), "{}", chosen_destination());
    tag.dyn_ref::<web_sys::SvgElement>().expect("svg").focus().expect("focus");
    press(&tag, "Enter");
    tick().await;
    assert_eq!(chosen_destination(), "web.default.svc.cluster.local:80 (TCP)");
}

/// Waits (up to 2 s) until `f` holds; the editor follows an edit after the diagram paints.
async fn until(what: &str, f: impl Fn() -> bool) {
    for _ in 0..100 {
        if f() {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("waited 2 s for: {what}");
}

fn editor_text() -> String {
    one("[data-testid=yaml-editor]").dyn_into::<HtmlTextAreaElement>().expect("textarea").value()
}

fn type_into_editor(text: &str) {
    let ta: HtmlTextAreaElement = one("[data-testid=yaml-editor]").dyn_into().expect("textarea");
    ta.set_value(text);
    ta.dispatch_event(&web_sys::Event::new("input").expect("ev")).expect("dispatch");
}

fn click_pod(prefix: &str) {
    let pod = all("[data-testid=pod]")
        .into_iter()
        .find(|p| p.get_attribute("data-pod").is_some_and(|k| k.starts_with(prefix)))
        .expect("pod");
    click_svg(&pod);
}

#[wasm_bindgen_test]
async fn the_yaml_editor_follows_diagram_edits_but_keeps_a_draft() {
    mount().await;
    assert!(editor_text().contains("kind: Deployment"), "the scenario's own text first");
    // An edit with no unapplied text: the editor shows the cluster, which loads back as it is.
    click_pod("default/web-");
    tick().await;
    click("[data-testid=toggle-ready]");
    until("the editor follows", || !editor_text().contains("kind: Deployment")).await;
    let followed = editor_text();
    assert!(!followed.contains("kind: Deployment"), "the editor shows the export");
    assert!(followed.contains("False"), "the unready pod has a False Ready condition");
    assert!(all("[data-testid=editor-notice]").is_empty());
    let load = manifests::load(&followed).expect("the followed text loads");
    assert_eq!(
        load.cluster.pods().filter(|p| p.spec.name.starts_with("web-") && !p.is_ready()).count(),
        1
    );

    // The user types; a diagram edit then leaves their text alone and says so.
    let mine = format!("{followed}# my unapplied note\n");
    type_into_editor(&mine);
    click_pod("default/web-");
    tick().await;
    click("[data-testid=scale-up]");
    until("the notice", || !all("[data-testid=editor-notice]").is_empty()).await;
    assert_eq!(editor_text(), mine, "the draft stays");
    assert!(text("[data-testid=editor-notice]").contains("kept"));
    // See the cluster's YAML (the new pod is in it), then go back to the draft. (The text
    // the cluster came from was the export: it has no Deployment to write 4 replicas into.)
    click("[data-testid=show-cluster-yaml]");
    tick().await;
    let shown = manifests::load(&editor_text()).expect("loads").cluster;
    assert_eq!(shown.pods().filter(|p| p.spec.name.starts_with("web-")).count(), 4);
    assert!(!editor_text().contains("my unapplied note"));
    click("[data-testid=back-to-draft]");
    tick().await;
    assert_eq!(editor_text(), mine);
    let preset =
        || one("[data-testid=scenario-select]").dyn_into::<HtmlSelectElement>().expect("select");
    assert_eq!(preset().value(), "default");
    // Applying the draft makes it the cluster: the notice goes, the next edit follows again,
    // and the preset list no longer claims a bundled scenario.
    click("[data-testid=apply]");
    tick().await;
    assert_eq!(preset().value(), "");
    assert!(preset().selected_index() >= 0);
    let shown =
        preset().options().item(preset().selected_index() as u32).and_then(|o| o.text_content());
    assert_eq!(shown.as_deref(), Some("— your manifests —"));
    assert!(
        all("[data-testid=editor-notice]").is_empty(),
        "{}",
        text("[data-testid=editor-notice]")
    );
    click_pod("default/web-");
    tick().await;
    click("[data-testid=toggle-ready]");
    // The applied text's pods are plain Pods: the readiness is written into it, in place.
    until("clean again: the editor follows", || editor_text() != mine).await;
    assert!(editor_text().contains("# my unapplied note"), "the applied text's comment stays");
    assert_eq!(editor_text().lines().count(), mine.lines().count(), "one value changed");
}

/// A diagram edit on the scenario's own text writes its value in place: the comments, the
/// order and the Deployments stay, only the edited line changes, and nothing says otherwise.
#[wasm_bindgen_test]
async fn diagram_edits_keep_the_users_yaml() {
    mount().await;
    let mine = editor_text();
    assert!(mine.starts_with("# title:"), "the scenario's own text, with its comments");
    click_pod("default/web-");
    tick().await;
    click("[data-testid=scale-up]");
    until("the editor follows", || editor_text() != mine).await;
    assert_eq!(editor_text(), mine.replacen("  replicas: 3\n", "  replicas: 4\n", 1));
    assert!(all("[data-testid=editor-notice]").is_empty());
    // A Service's type: its line, and the nodePort a ClusterIP Service may not have.
    click_svg(&one("[data-testid=service][data-service='default/web-nodeport']"));
    tick().await;
    select("[data-testid=service-type]", "ClusterIP");
    let before = editor_text();
    until("the type follows", || editor_text() != before).await;
    let want = before.replacen("  type: NodePort\n", "  type: ClusterIP\n", 1).replacen(
        "    nodePort: 30080\n",
        "",
        1,
    );
    assert_eq!(editor_text(), want);
    // The text Applies as it is: the cluster loads with four web pods.
    let again = manifests::load(&editor_text()).expect("loads").cluster;
    assert_eq!(again.pods().filter(|p| p.spec.name.starts_with("web-")).count(), 4);
}

fn chosen_source() -> String {
    let s: HtmlSelectElement = one("[data-testid=source-select]").dyn_into().expect("select");
    let i = s.selected_index();
    assert!(i >= 0, "a source is chosen");
    s.options().item(i as u32).and_then(|o| o.text_content()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn an_external_client_enters_at_the_node_whose_nodeport_is_clicked() {
    mount().await;
    click_svg(&one("[data-testid=external]"));
    tick().await;
    // The default scenario has a load balancer: the client starts out behind it.
    assert!(chosen_source().contains("via load balancer"), "{}", chosen_source());
    let node2 = all("[data-testid=node]")
        .into_iter()
        .find(|n| n.text_content().unwrap_or_default().starts_with("node-2"))
        .expect("node-2");
    let tab = node2.query_selector("[data-testid=nodeport]").expect("q").expect("a NodePort tab");
    click_svg(&tab);
    tick().await;
    assert!(chosen_source().ends_with("→ node-2"), "{}", chosen_source());
    assert!(chosen_destination().contains("on node-2"), "{}", chosen_destination());
    // Back to the load balancer's address: through the load balancer again.
    click_svg(&one("[data-testid=load-balancer]"));
    tick().await;
    assert!(chosen_source().contains("via load balancer"), "{}", chosen_source());
    click("[data-testid=send]");
    tick().await;
    assert!(
        all("[data-testid=hop]")
            .iter()
            .any(|h| h.text_content().unwrap_or_default().contains("load balancer")),
        "the trace passes the load balancer"
    );
}

#[wasm_bindgen_test]
async fn a_large_yaml_apply_moves_the_progress_bar() {
    mount().await;
    // 700 Pods, one document each (~90 KB, above the size that loads in slices; three default
    // nodes hold 3 × 253 pods).
    let mut yaml = String::new();
    for i in 0..700 {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i:04}\n  labels:\n    app: big\nspec:\n  containers:\n  - name: c\n    image: x\n"
        ));
    }
    assert!(yaml.len() > app::components::loading::LARGE_YAML);
    type_into_editor(&yaml);
    click("[data-testid=apply]");
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..4000 {
        if let Ok(Some(bar)) = doc().query_selector("[data-testid=load-progress]") {
            let v = bar
                .query_selector("progress")
                .ok()
                .flatten()
                .and_then(|p| p.get_attribute("value"));
            let label = bar.text_content().unwrap_or_default();
            let entry = format!("{} | {}", v.unwrap_or_default(), label);
            if seen.last() != Some(&entry) {
                seen.push(entry);
            }
        } else if !seen.is_empty() {
            break;
        }
        TimeoutFuture::new(4).await;
    }
    tick().await;
    assert!(seen.iter().any(|s| s.contains("Reading manifests")), "{seen:?}");
    assert!(seen.iter().any(|s| s.contains("Building the cluster")), "{seen:?}");
    // Each stage ends a slice, so both show whatever the machine's speed; how many readings
    // show in between depends on it (two or three in a debug build here).
    assert!(seen.len() >= 2, "the bar moved while loading: {seen:?}");
    assert!(all("[data-testid=load-progress]").is_empty(), "the bar is gone once loaded");
    // The pods on the three default nodes; the editor keeps the applied text.
    assert_eq!(all("[data-testid=node]").len(), 3);
    let tables = text("[data-testid=tables]");
    assert!(
        tables.contains("p0699"),
        "{}",
        text("[data-testid=error]").chars().take(400).collect::<String>()
    );
    assert_eq!(editor_text(), yaml);
    assert!(all("[data-testid=editor-notice]").is_empty());
}

#[wasm_bindgen_test]
async fn a_pod_without_ports_says_why_it_is_not_a_destination() {
    mount().await;
    // Pick a source first, then arm picking the destination on the diagram.
    select("[data-testid=source-select]", "0");
    tick().await;
    click("[data-testid=pick-destination]");
    tick().await;
    let before = chosen_destination();
    click_pod("default/client");
    tick().await;
    assert_eq!(chosen_destination(), before, "the destination stays");
    let msg = text("[data-testid=edit-messages]");
    assert!(msg.contains("pod default/client declares no container port"), "{msg}");
}

#[wasm_bindgen_test]
async fn the_gutter_numbers_every_line_and_marks_errors() {
    mount().await;
    type_into_editor("apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n");
    click("[data-testid=apply]");
    tick().await;
    // Each run of the gutter is a block of one or more numbers, one per line.
    let numbers: Vec<String> = all(".gutter > div")
        .iter()
        .flat_map(|d| {
            let t = d.text_content().unwrap_or_default();
            t.split('\n').map(str::to_string).collect::<Vec<_>>()
        })
        .collect();
    let want: Vec<String> = (1..=9).map(|i| i.to_string()).collect();
    assert_eq!(numbers, want);
    let marked: Vec<String> =
        all(".gutter .err").iter().map(|e| e.text_content().unwrap_or_default()).collect();
    // The loader puts the error on the offending field's own line: nodePort (line 9).
    assert_eq!(marked, ["9"], "the nodePort's line is marked");
    assert!(text("[data-testid=error]").contains("line 9"), "{}", text("[data-testid=error]"));
    // Error lines line up with the text: every run but the errors' holds no marked number.
    for (i, d) in all(".gutter > div").iter().enumerate() {
        let t = d.text_content().unwrap_or_default();
        if d.class_list().contains("err") {
            assert!(!t.contains('\n'), "run {i}: an error line is a run of its own");
        }
    }
}

#[wasm_bindgen_test]
async fn inspecting_an_object_never_changes_the_probe_picking_is_a_mode() {
    mount().await;
    let (src, dst) = (chosen_source(), chosen_destination());
    // A click selects the pod for the object panel; the probe stays.
    click_pod("default/web-");
    tick().await;
    assert!(text("[data-testid=object-panel]").contains("default/web-"));
    assert_eq!((chosen_source(), chosen_destination()), (src.clone(), dst.clone()));
    // Pick mode from the keyboard: `s` on the diagram, then a click picks the source and
    // moves on to the destination; Escape ends picking.
    press(&one("[data-testid=topology]"), "s");
    tick().await;
    assert_eq!(
        one("[data-testid=pick-source]").get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    click_pod("default/web-");
    tick().await;
    assert!(chosen_source().contains("default/web-"), "{}", chosen_source());
    assert_eq!(
        one("[data-testid=pick-destination]").get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    press(&one("[data-testid=topology]"), "Escape");
    tick().await;
    let now = chosen_destination();
    click_pod("default/client");
    tick().await;
    assert_eq!(chosen_destination(), now, "after Escape a click only inspects");
}

#[wasm_bindgen_test]
async fn playback_steps_a_stage_group_at_a_time_and_the_url_keeps_the_hop() {
    mount().await;
    click("[data-testid=send]");
    tick().await;
    let stage = |i: usize| all("[data-testid=stage]")[i].clone();
    let head = |i: usize| -> HtmlElement {
        let b = stage(i).query_selector(".stage-head").ok().flatten().expect("head");
        b.dyn_into().expect("button")
    };
    // Opening the DNS group goes to its first hop; closing it again keeps the packet there.
    head(0).click();
    tick().await;
    head(0).click();
    tick().await;
    let head_current = |i: usize| {
        stage(i)
            .query_selector(".stage-head")
            .ok()
            .flatten()
            .and_then(|b| b.get_attribute("aria-current"))
            .is_some()
    };
    assert!(stage(0).class_list().contains("stage-dns") && head_current(0));
    let dns_hops = stage(0).query_selector_all("[data-testid=hop]").expect("q").length() as usize;
    assert!(dns_hops > 2, "{dns_hops} DNS hops");
    // One step passes the whole lookup: the DNS group stays closed, the current hop its last.
    click("[data-testid=step-forward]");
    tick().await;
    let current = |i: usize| all("[data-testid=hop]")[i].class_list().contains("current");
    assert!(current(dns_hops - 1), "{}", text(".playback .position"));
    assert_eq!(
        stage(0)
            .query_selector(".stage-head")
            .ok()
            .flatten()
            .and_then(|b| b.get_attribute("aria-expanded"))
            .as_deref(),
        Some("false")
    );
    assert!(
        text(".playback .position").starts_with("step 2 of "),
        "{}",
        text(".playback .position")
    );
    click("[data-testid=step-forward]");
    tick().await;
    assert!(head_current(1) && !head_current(0), "the next step is the next group");
    // The URL keeps the hop paused at: a reload opens there.
    let search = web_sys::window().expect("w").location().search().expect("search");
    let step = all("[data-testid=hop]").iter().position(|h| h.class_list().contains("current"));
    assert!(
        search.contains(&format!("step={}", step.expect("a current hop"))),
        "{search} {step:?}"
    );
    // Opening the DNS group goes there and plays it hop by hop.
    head(0).click();
    tick().await;
    assert!(current(0), "{}", text(".playback .position"));
    let steps_open: usize = text(".playback .position")
        .split(" of ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("steps");
    assert!(steps_open > dns_hops, "{steps_open} steps with the lookup opened");
    click("[data-testid=step-forward]");
    tick().await;
    assert!(current(1), "an opened group steps hop by hop");
    // Jump to the verdict: the request's last hop, the "at the destination" group.
    click("[data-testid=jump-verdict]");
    tick().await;
    let here = all("[data-testid=stage].here");
    assert_eq!(here.len(), 1);
    assert!(here[0].class_list().contains("stage-destination"), "{:?}", here[0].class_name());
    assert!(text("[data-testid=verdict]").contains("delivered"));
}

#[wasm_bindgen_test]
async fn zoomed_in_the_diagram_follows_the_packet() {
    mount().await;
    click("[data-testid=send]");
    tick().await;
    for _ in 0..10 {
        click("[aria-label='zoom in']");
    }
    tick().await;
    let on_screen = |sel: &str| {
        let svg = one("[data-testid=topology]").get_bounding_client_rect();
        let r = one(sel).get_bounding_client_rect();
        let (x, y) = (r.left() + r.width() / 2.0, r.top() + r.height() / 2.0);
        x > svg.left() && x < svg.right() && y > svg.top() && y < svg.bottom()
    };
    click("[data-testid=jump-verdict]");
    tick().await;
    let verdict = text("[data-testid=verdict]");
    let pod = verdict
        .split("delivered to ")
        .nth(1)
        .and_then(|r| r.split(|c: char| c.is_whitespace() || c == ',').next())
        .expect("the destination pod")
        .to_string();
    assert!(on_screen(&format!("g[data-pod='{pod}']")), "{pod} is out of view at 8×");
    all("[data-testid=hop]")[0].dyn_ref::<HtmlElement>().expect("li").click();
    tick().await;
    assert!(on_screen("g[data-pod='default/client']"), "back at the client: in view");
}

/// What a quiz question shows, and what checking its first choice answers (the engine's
/// explanation of the right answer included).
async fn quiz_and_answer() -> (String, String, String) {
    let question = text("[data-testid=quiz] [data-testid=question] legend");
    let choices = text("[data-testid=quiz] [data-testid=question] .choices");
    one("[data-testid=quiz] input[data-choice]").dyn_into::<HtmlElement>().expect("input").click();
    click("[data-testid=quiz] [data-testid=check]");
    tick().await;
    (question, choices, text("[data-testid=quiz] .result"))
}

#[wasm_bindgen_test]
async fn a_quiz_on_your_own_manifests_travels_in_the_link() {
    mount().await;
    let location = || web_sys::window().expect("w").location();
    // A bundled scenario: the link names it.
    click("[data-testid=quiz-open]");
    tick().await;
    assert!(text("[data-testid=quiz-link]").contains("the link shares it"));
    let search = || location().search().expect("search");
    assert!(search().contains("quiz=") && search().contains("scenario=default"), "{}", search());
    // The user's own manifests (a fourth web replica): the link carries them in `#z=`.
    type_into_editor(&editor_text().replace("replicas: 3", "replicas: 4"));
    click("[data-testid=apply]");
    tick().await;
    click("[data-testid=quiz-next]");
    tick().await;
    assert!(text("[data-testid=quiz-link]").contains("the link shares it"));
    until("the link's manifests and question", || {
        let hash = location().hash().unwrap_or_default();
        hash.starts_with("#z=") && search().contains("quiz=") && !search().contains("scenario=")
    })
    .await;
    let link = (search(), location().hash().unwrap_or_default());
    let asked = quiz_and_answer().await;
    assert!(asked.2.contains("The engine says") || asked.2.contains("Right."), "{asked:?}");
    // A fresh App on that link: the manifests inflate first, then the same question is asked,
    // and the same pick gets the same answer.
    mount_at(&(link.0 + &link.1)).await;
    until("the link's quiz question", || {
        !all("[data-testid=quiz] [data-testid=question]").is_empty()
    })
    .await;
    assert_eq!(all("[data-testid=pod][data-pod^='default/web-']").len(), 4, "the link's cluster");
    assert_eq!(quiz_and_answer().await, asked);
}

#[wasm_bindgen_test]
async fn in_a_quiz_the_event_list_names_no_stage_ahead_of_the_packet() {
    mount().await;
    click("[data-testid=quiz-open]");
    tick().await;
    click("[data-testid=send]");
    tick().await;
    // Paused at the first hop: only the stage it is in is named.
    for _ in 0..5 {
        click("[data-testid=step-back]");
    }
    tick().await;
    let shown = || all("[data-testid=stage]").iter().filter(|s| !s.has_attribute("hidden")).count();
    let stages = all("[data-testid=stage]").len();
    assert!(stages > 2, "{stages} stages");
    assert_eq!(shown(), 1, "{}", text("[data-testid=hop-list]"));
    // Step by step: the stages named are those reached, up to the one the packet is in.
    let mut reached = 1;
    while text("[data-testid=verdict]").contains("on its way") {
        let here = all("[data-testid=stage]").iter().position(|s| s.class_list().contains("here"));
        assert_eq!(here, Some(shown() - 1), "{}", text(".playback .position"));
        reached = reached.max(shown());
        click("[data-testid=step-forward]");
        tick().await;
    }
    assert!(reached > 1, "stages were named as the packet reached them");
    // Arrived: the verdict and every stage.
    assert_eq!(shown(), stages);
    click("[data-testid=step-back]");
    tick().await;
    click("[data-testid=jump-verdict]");
    tick().await;
    assert_eq!(shown(), stages);
    // Outside learn mode nothing is held back.
    mount().await;
    click("[data-testid=send]");
    tick().await;
    click("[data-testid=step-back]");
    tick().await;
    assert_eq!(shown(), all("[data-testid=stage]").len());
}

#[wasm_bindgen_test]
async fn the_embeds_open_link_opens_the_full_app_at_the_hop_shown() {
    mount_at("?embed=1&scenario=default").await;
    click("[data-testid=send]");
    tick().await;
    for _ in 0..5 {
        click("[data-testid=step-back]");
    }
    click("[data-testid=step-forward]");
    click("[data-testid=step-forward]");
    tick().await;
    let hop = text(".embed-hop");
    let href = one("[data-testid=embed-open]").get_attribute("href").expect("href");
    assert!(href.starts_with("./?scenario=default&probe=") && href.contains("&step="), "{href}");
    assert!(!href.contains("embed="), "{href}");
    // The full app on that link shows the same hop.
    mount_at(&href[1..]).await;
    until("the link's hop", || !all("[data-testid=hop].current").is_empty()).await;
    let current = text("[data-testid=hop].current .explain");
    assert!(hop.ends_with(&current), "embed: {hop}; app: {current}");
}

#[wasm_bindgen_test]
async fn in_a_quiz_the_verdict_and_outcomes_wait_for_the_packet() {
    mount().await;
    click("[data-testid=quiz-open]");
    tick().await;
    click("[data-testid=send]");
    tick().await;
    let verdict = text("[data-testid=verdict]");
    assert!(verdict.contains("on its way"), "{verdict}");
    assert!(all("[data-testid=outcome]").is_empty(), "the outcomes would answer the question");
    click("[data-testid=jump-verdict]");
    tick().await;
    let verdict = text("[data-testid=verdict]");
    assert!(!verdict.contains("on its way") && verdict.contains(" — "), "{verdict}");
    assert!(!all("[data-testid=outcome]").is_empty());
}
