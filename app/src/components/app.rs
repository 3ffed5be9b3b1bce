//! The root component: the demo cluster's nodes, pods and Services, drawn as a plain SVG.

use leptos::prelude::*;

use crate::demo::demo_cluster;

#[component]
pub fn App() -> impl IntoView {
    let cluster = demo_cluster();
    match cluster {
        Err(e) => {
            view! { <main data-testid="app"><p data-testid="error">{e.to_string()}</p></main> }
                .into_any()
        }
        Ok(c) => {
            let nodes = c
                .nodes()
                .enumerate()
                .map(|(i, n)| {
                    let x = 20.0 + i as f64 * 300.0;
                    let pods = c
                        .pods_on_node(n.id)
                        .enumerate()
                        .map(|(j, p)| {
                            let y = 200.0 + j as f64 * 40.0;
                            view! {
                                <g data-testid="pod">
                                    <rect x=x + 10.0 y=y width="260" height="34" rx="4" class="pod"></rect>
                                    <text x=x + 18.0 y=y + 21.0>{format!("{} {}", p.spec.name, p.ip)}</text>
                                </g>
                            }
                        })
                        .collect_view();
                    view! {
                        <g data-testid="node">
                            <rect x=x y="140" width="280" height="300" rx="6" class="node"></rect>
                            <text x=x + 10.0 y="160">{n.spec.name.clone()}</text>
                            <text x=x + 10.0 y="180">{format!("{} · {}", n.spec.internal_ip, n.spec.pod_cidr)}</text>
                            {pods}
                        </g>
                    }
                })
                .collect_view();
            let services = c
                .services()
                .enumerate()
                .map(|(i, s)| {
                    let x = 20.0 + i as f64 * 225.0;
                    let ip = s.cluster_ip.map(|ip| ip.to_string()).unwrap_or_else(|| "None".into());
                    view! {
                        <g data-testid="service">
                            <rect x=x y="20" width="215" height="90" rx="6" class="service"></rect>
                            <text x=x + 10.0 y="45">{s.spec.name.clone()}</text>
                            <text x=x + 10.0 y="65">{s.spec.service_type.as_str()}</text>
                            <text x=x + 10.0 y="85">{ip}</text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <main data-testid="app">
                    <h1>"podpath"</h1>
                    <svg data-testid="topology" viewBox="0 0 940 460" width="940" height="460">
                        {services}
                        {nodes}
                    </svg>
                </main>
            }
            .into_any()
        }
    }
}
