//! WS-Trust metadata exchange analysis: macOS's endpoint selection (SPEC.md "MEX", observed
//! behaviour), the inventory of every policy, binding and port, and the facts MEX-1…MEX-10 need.

use super::WsTrustVersion;
use super::xml::{self, LineIndex, XmlError, child, children, is, path, text_of};
use roxmltree::{Document, Node};
use serde::Serialize;

/// The headers of the MEX GET: nothing of macOS's own (SPEC.md "MEX"), only what its URL
/// loading system adds ([`super::macos::request_headers`]).
pub fn request_headers() -> Vec<(String, String)> {
    super::macos::request_headers(&[])
}

/// The SOAP-over-HTTP transport URI a binding must declare.
pub const SOAP_HTTP_TRANSPORT: &str = "http://schemas.xmlsoap.org/soap/http";

/// The RST/Issue action of a version (binding soapAction, and `a:Action` in the RST).
pub fn issue_action(v: WsTrustVersion) -> &'static str {
    match v {
        WsTrustVersion::V13 => "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
        WsTrustVersion::V2005 => "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue",
    }
}

fn sp_ns(v: WsTrustVersion) -> &'static str {
    match v {
        WsTrustVersion::V13 => xml::SP13,
        WsTrustVersion::V2005 => xml::SP05,
    }
}

fn supporting_tokens(v: WsTrustVersion) -> &'static str {
    match v {
        WsTrustVersion::V13 => "SignedEncryptedSupportingTokens",
        WsTrustVersion::V2005 => "SignedSupportingTokens",
    }
}

/// The endpoint macOS will use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selected {
    /// WS-Trust version.
    pub version: WsTrustVersion,
    /// The `wsa10:Address` text exactly as written (MEX-8 judges its cleanliness).
    pub address: String,
    /// The port's name.
    pub port: String,
    /// The binding's name.
    pub binding: String,
    /// The username policy's `wsu:Id`.
    pub policy_id: String,
}

/// A username/password endpoint found in the document, usable or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Version of its username policy.
    pub version: WsTrustVersion,
    /// The policy's `wsu:Id`.
    pub policy_id: String,
    /// The binding that references the policy.
    pub binding: String,
    /// The port macOS would use for that binding, if any.
    pub port: Option<String>,
    /// `wsa10:EndpointReference/wsa10:Address` text, untrimmed.
    pub address: Option<String>,
    /// `soap12:address/@location`.
    pub soap12_location: Option<String>,
    /// The policy asks for a password digest (`sp:HashPassword`).
    pub hash_password: bool,
    /// The policy asserts `sp:TransportBinding`.
    pub transport_binding: bool,
    /// macOS can use it (no reasons against).
    pub usable: bool,
    /// macOS selects it.
    pub selected: bool,
    /// Its only problem is an http address (MEX-6).
    pub http_only_problem: bool,
    /// Why macOS cannot use it.
    pub reasons: Vec<String>,
}

/// A `wsp:Policy` child of `wsdl:definitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// `wsu:Id`.
    pub id: Option<String>,
    /// The username-token version it matches, if any.
    pub username: Option<WsTrustVersion>,
    /// Line in the document.
    pub line: u32,
}

/// A `wsdl:binding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BindingInfo {
    /// `@name`.
    pub name: String,
    /// `wsp:PolicyReference/@URI`.
    pub policy_ref: Option<String>,
    /// `soap12:binding/@transport`.
    pub transport: Option<String>,
    /// `wsdl:operation/soap12:operation/@soapAction` values.
    pub soap_actions: Vec<String>,
    /// Line in the document.
    pub line: u32,
}

/// A `wsdl:service/wsdl:port`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortInfo {
    /// `@name`.
    pub name: String,
    /// `@binding` (a QName).
    pub binding: String,
    /// `wsa10:Address` text, untrimmed.
    pub address: Option<String>,
    /// `soap12:address/@location`.
    pub soap12_location: Option<String>,
    /// Line in the document.
    pub line: u32,
}

/// Everything the MEX checks need to know about one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MexAnalysis {
    /// The parse error, when the document is not well-formed (or not UTF-8).
    pub parse_error: Option<XmlError>,
    /// Number of `wsdl:definitions` elements anywhere in the document.
    pub definitions: usize,
    /// The endpoint macOS will use.
    pub selected: Option<Selected>,
    /// Every username endpoint, in macOS's search order (1.3 first).
    pub endpoints: Vec<Endpoint>,
    /// Every policy.
    pub policies: Vec<PolicyInfo>,
    /// Every binding.
    pub bindings: Vec<BindingInfo>,
    /// Every port.
    pub ports: Vec<PortInfo>,
    /// References that resolve to nothing (MEX-10).
    pub dangling: Vec<String>,
}

impl MexAnalysis {
    /// The endpoint record macOS selects.
    pub fn selected_endpoint(&self) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.selected)
    }
}

fn attr<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    n.attribute(name)
}

/// The username-token element when `policy` is a username policy of version `v`.
fn username_token<'a, 'i>(policy: Node<'a, 'i>, v: WsTrustVersion) -> Option<Node<'a, 'i>> {
    let sp = sp_ns(v);
    let exactly_one = child(policy, xml::WSP, "ExactlyOne")?;
    for all in children(exactly_one, xml::WSP, "All") {
        if let Some(tok) = path(
            all,
            &[
                (sp, supporting_tokens(v)),
                (xml::WSP, "Policy"),
                (sp, "UsernameToken"),
            ],
        ) && path(tok, &[(xml::WSP, "Policy"), (sp, "WssUsernameToken10")]).is_some()
        {
            return Some(tok);
        }
    }
    None
}

fn policy_all_has(policy: Node, ns: &str, local: &str) -> bool {
    child(policy, xml::WSP, "ExactlyOne")
        .map(|eo| children(eo, xml::WSP, "All").any(|all| child(all, ns, local).is_some()))
        .unwrap_or(false)
}

fn local_of_qname(q: &str) -> &str {
    q.rsplit_once(':').map(|(_, l)| l).unwrap_or(q)
}

fn port_address(port: Node) -> Option<String> {
    path(
        port,
        &[(xml::WSA10, "EndpointReference"), (xml::WSA10, "Address")],
    )
    .map(text_of)
}

fn soap12_location(port: Node) -> Option<String> {
    child(port, xml::SOAP12_WSDL, "address")
        .and_then(|a| a.attribute("location"))
        .map(str::to_string)
}

fn ports_of<'a, 'i>(defs: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    children(defs, xml::WSDL, "service")
        .flat_map(|s| children(s, xml::WSDL, "port"))
        .collect()
}

/// Analyses a MEX body: parse, inventory, endpoints, and macOS's selection.
pub fn analyse(body: &[u8]) -> MexAnalysis {
    let failed = |e| MexAnalysis {
        parse_error: Some(e),
        ..Default::default()
    };
    let text = match xml::decode(body) {
        Ok(d) => d.text,
        Err(e) => return failed(e),
    };
    match xml::parse(&text) {
        Ok(doc) => analyse_doc(&doc),
        Err(e) => failed(e),
    }
}

fn analyse_doc(doc: &Document) -> MexAnalysis {
    let mut a = MexAnalysis::default();
    let lines = LineIndex::new(doc.input_text());
    let defs: Vec<Node> = doc
        .descendants()
        .filter(|n| is(*n, xml::WSDL, "definitions"))
        .collect();
    a.definitions = defs.len();
    let mut all_policy_ids = Vec::new();
    for d in &defs {
        for p in d.descendants().filter(|n| is(*n, xml::WSP, "Policy")) {
            if let Some(id) = p.attribute((xml::WSU, "Id")) {
                all_policy_ids.push(id.to_string());
            }
        }
    }
    for d in &defs {
        for p in children(*d, xml::WSP, "Policy") {
            let username = WsTrustVersion::PREFERENCE
                .into_iter()
                .find(|v| username_token(p, *v).is_some());
            a.policies.push(PolicyInfo {
                id: p.attribute((xml::WSU, "Id")).map(str::to_string),
                username,
                line: lines.line_of(p),
            });
        }
        let binding_names: Vec<&str> = children(*d, xml::WSDL, "binding")
            .filter_map(|b| attr(b, "name"))
            .collect();
        for b in children(*d, xml::WSDL, "binding") {
            let policy_ref = child(b, xml::WSP, "PolicyReference")
                .and_then(|r| r.attribute("URI"))
                .map(str::to_string);
            let name = attr(b, "name").unwrap_or("").to_string();
            if let Some(r) = &policy_ref
                && !r
                    .strip_prefix('#')
                    .is_some_and(|id| all_policy_ids.iter().any(|p| p == id))
            {
                a.dangling.push(format!(
                    "binding {name:?} references policy {r:?}, which the document does not define"
                ));
            }
            a.bindings.push(BindingInfo {
                name,
                policy_ref,
                transport: child(b, xml::SOAP12_WSDL, "binding")
                    .and_then(|t| t.attribute("transport"))
                    .map(str::to_string),
                soap_actions: children(b, xml::WSDL, "operation")
                    .filter_map(|o| child(o, xml::SOAP12_WSDL, "operation"))
                    .filter_map(|o| o.attribute("soapAction"))
                    .map(str::to_string)
                    .collect(),
                line: lines.line_of(b),
            });
        }
        for p in ports_of(*d) {
            let binding = attr(p, "binding").unwrap_or("").to_string();
            let name = attr(p, "name").unwrap_or("").to_string();
            if !binding_names.contains(&local_of_qname(&binding)) {
                a.dangling.push(format!("port {name:?} references binding {binding:?}, which the document does not define"));
            }
            a.ports.push(PortInfo {
                name,
                binding,
                address: port_address(p),
                soap12_location: soap12_location(p),
                line: lines.line_of(p),
            });
        }
    }
    // macOS's search: version by version, every definitions element, policy, binding, first port.
    for v in WsTrustVersion::PREFERENCE {
        for d in &defs {
            let ports = ports_of(*d);
            for p in children(*d, xml::WSP, "Policy") {
                let Some(tok) = username_token(p, v) else {
                    continue;
                };
                let hash_password = tok
                    .descendants()
                    .any(|n| n.is_element() && n.tag_name().name() == "HashPassword");
                let transport_binding = policy_all_has(p, sp_ns(v), "TransportBinding");
                let Some(id) = p.attribute((xml::WSU, "Id")) else {
                    a.endpoints.push(Endpoint {
                        version: v,
                        policy_id: String::new(),
                        binding: String::new(),
                        port: None,
                        address: None,
                        soap12_location: None,
                        hash_password,
                        transport_binding,
                        usable: false,
                        selected: false,
                        http_only_problem: false,
                        reasons: vec![
                            "the username policy has no wsu:Id, so no binding can reference it"
                                .into(),
                        ],
                    });
                    continue;
                };
                let reference = format!("#{id}");
                for b in children(*d, xml::WSDL, "binding") {
                    if child(b, xml::WSP, "PolicyReference").and_then(|r| r.attribute("URI"))
                        != Some(reference.as_str())
                    {
                        continue;
                    }
                    let bname = attr(b, "name").unwrap_or("");
                    let mut reasons = Vec::new();
                    let transport = child(b, xml::SOAP12_WSDL, "binding")
                        .and_then(|t| t.attribute("transport"));
                    if transport != Some(SOAP_HTTP_TRANSPORT) {
                        reasons.push(format!(
                            "soap12:binding transport is {transport:?}, not {SOAP_HTTP_TRANSPORT:?}"
                        ));
                    }
                    let action_ok = children(b, xml::WSDL, "operation")
                        .filter_map(|o| child(o, xml::SOAP12_WSDL, "operation"))
                        .any(|o| o.attribute("soapAction") == Some(issue_action(v)));
                    if !action_ok {
                        reasons.push(format!(
                            "no soap12:operation with soapAction {:?}",
                            issue_action(v)
                        ));
                    }
                    let suffix = format!(":{bname}");
                    let port = ports
                        .iter()
                        .find(|p| attr(**p, "binding").is_some_and(|q| q.ends_with(&suffix)));
                    let (mut port_name, mut address, mut location) = (None, None, None);
                    let mut http_problem = false;
                    match port {
                        None => {
                            if ports.iter().any(|p| attr(*p, "binding") == Some(bname)) {
                                reasons.push(format!("the port names binding {bname:?} without a prefix: macOS matches only prefixed QNames"));
                            } else {
                                reasons.push(format!("no wsdl:port uses binding {bname:?}"));
                            }
                        }
                        Some(p) => {
                            port_name = attr(*p, "name").map(str::to_string);
                            location = soap12_location(*p);
                            address = port_address(*p);
                            match &address {
                                None => reasons.push(
                                    "the port has no wsa10:EndpointReference/wsa10:Address".into(),
                                ),
                                Some(addr) => {
                                    let https = addr
                                        .get(..8)
                                        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
                                    if !https {
                                        http_problem = reasons.is_empty()
                                            && addr
                                                .trim_start()
                                                .get(..7)
                                                .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
                                        reasons.push(format!(
                                            "address {addr:?} does not start with https://"
                                        ));
                                    }
                                }
                            }
                        }
                    }
                    let usable = reasons.is_empty();
                    let selected = usable && a.selected.is_none();
                    if selected {
                        a.selected = Some(Selected {
                            version: v,
                            address: address.clone().unwrap_or_default(),
                            port: port_name.clone().unwrap_or_default(),
                            binding: bname.to_string(),
                            policy_id: id.to_string(),
                        });
                    }
                    a.endpoints.push(Endpoint {
                        version: v,
                        policy_id: id.to_string(),
                        binding: bname.to_string(),
                        port: port_name,
                        address,
                        soap12_location: location,
                        hash_password,
                        transport_binding,
                        usable,
                        selected,
                        http_only_problem: http_problem,
                        reasons,
                    });
                }
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_well_formed_has_a_place() {
        let a = analyse(b"<a>\n  <b></a>");
        let e = a.parse_error.as_ref().map(|e| (e.line, e.column));
        assert_eq!(e, Some((2, 6)));
    }

    #[test]
    fn dtd_is_refused() {
        let a = analyse(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>");
        assert!(a.parse_error.is_some());
    }

    #[test]
    fn non_utf8_is_an_error_not_a_panic() {
        let a = analyse(b"<a>\xff</a>");
        assert!(
            a.parse_error
                .as_ref()
                .is_some_and(|e| e.message.contains("not UTF-8"))
        );
    }

    /// A minimal WSDL: `(version, policy id, binding name, port binding QName, address)` per
    /// endpoint, in document order, wrapped in `wrapper` (e.g. a mex:Metadata section).
    fn doc(
        endpoints: &[(WsTrustVersion, &str, &str, &str, &str)],
        wrapper: Option<(&str, &str)>,
    ) -> String {
        let mut policies = String::new();
        let mut bindings = String::new();
        let mut ports = String::new();
        for (v, id, b, qn, addr) in endpoints {
            let (sp, tokens) = (sp_ns(*v), supporting_tokens(*v));
            policies += &format!(
                r#"<wsp:Policy wsu:Id="{id}"><wsp:ExactlyOne><wsp:All><sp:{tokens} xmlns:sp="{sp}"><wsp:Policy><sp:UsernameToken><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:{tokens}></wsp:All></wsp:ExactlyOne></wsp:Policy>"#
            );
            bindings += &format!(
                r##"<wsdl:binding name="{b}"><wsp:PolicyReference URI="#{id}"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="Issue"><soap12:operation soapAction="{}"/></wsdl:operation></wsdl:binding>"##,
                issue_action(*v)
            );
            ports += &format!(
                r#"<wsdl:port name="p-{b}" binding="{qn}"><soap12:address location="{addr}"/><wsa10:EndpointReference><wsa10:Address>{addr}</wsa10:Address></wsa10:EndpointReference></wsdl:port>"#
            );
        }
        let wsdl = format!(
            r#"<wsdl:definitions xmlns:wsdl="{}" xmlns:wsp="{}" xmlns:wsu="{}" xmlns:soap12="{}" xmlns:wsa10="{}" xmlns:tns="urn:t">{policies}{bindings}<wsdl:service name="s">{ports}</wsdl:service></wsdl:definitions>"#,
            xml::WSDL,
            xml::WSP,
            xml::WSU,
            xml::SOAP12_WSDL,
            xml::WSA10
        );
        match wrapper {
            Some((open, close)) => format!("{open}{wsdl}{close}"),
            None => wsdl,
        }
    }

    use WsTrustVersion::{V13, V2005};

    fn selected(d: &str) -> Option<(WsTrustVersion, String)> {
        analyse(d.as_bytes())
            .selected
            .map(|s| (s.version, s.address))
    }

    #[test]
    fn prefers_13_over_earlier_2005() {
        let d = doc(
            &[
                (V2005, "p05", "b05", "tns:b05", "https://h/05"),
                (V13, "p13", "b13", "tns:b13", "https://h/13"),
            ],
            None,
        );
        assert_eq!(selected(&d), Some((V13, "https://h/13".into())));
    }

    #[test]
    fn http_13_falls_back_to_2005_and_https_is_case_insensitive() {
        let d = doc(
            &[
                (V13, "p13", "b13", "tns:b13", "http://h/13"),
                (V2005, "p05", "b05", "tns:b05", "HTTPS://h/05"),
            ],
            None,
        );
        assert_eq!(selected(&d), Some((V2005, "HTTPS://h/05".into())));
        let a = analyse(d.as_bytes());
        assert!(
            a.endpoints
                .iter()
                .any(|e| e.version == V13 && e.http_only_problem)
        );
    }

    #[test]
    fn leading_whitespace_is_not_https_but_trailing_is_selected() {
        let d = doc(
            &[
                (V13, "p13", "b13", "tns:b13", " https://h/13"),
                (V2005, "p05", "b05", "tns:b05", "https://h/05\n"),
            ],
            None,
        );
        assert_eq!(selected(&d), Some((V2005, "https://h/05\n".into())));
    }

    #[test]
    fn unprefixed_qname_never_matches() {
        let d = doc(&[(V13, "p13", "b13", "b13", "https://h/13")], None);
        let a = analyse(d.as_bytes());
        assert_eq!(a.selected, None);
        assert!(
            a.endpoints[0].reasons[0].contains("without a prefix"),
            "{:?}",
            a.endpoints[0].reasons
        );
    }

    #[test]
    fn wsdl_inside_a_mex_envelope_counts() {
        let wrap = (
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><mex:Metadata xmlns:mex="http://schemas.xmlsoap.org/ws/2004/09/mex"><mex:MetadataSection>"#,
            "</mex:MetadataSection></mex:Metadata></s:Body></s:Envelope>",
        );
        let d = doc(&[(V13, "p13", "b13", "x:b13", "https://h/13")], Some(wrap));
        assert_eq!(selected(&d), Some((V13, "https://h/13".into())));
    }

    #[test]
    fn only_the_first_port_of_a_binding_is_considered() {
        let mut d = doc(&[(V13, "p13", "b13", "tns:b13", "http://h/13")], None);
        d = d.replace(
            "</wsdl:service>",
            r#"<wsdl:port name="second" binding="tns:b13"><wsa10:EndpointReference><wsa10:Address>https://h/13b</wsa10:Address></wsa10:EndpointReference></wsdl:port></wsdl:service>"#,
        );
        assert_eq!(selected(&d), None);
    }

    #[test]
    fn wrong_soap_action_or_transport_is_skipped() {
        let d = doc(&[(V13, "p13", "b13", "tns:b13", "https://h/13")], None);
        let bad_action = d.replace("ws-trust/200512/RST/Issue", "ws-trust/200512/RST/Validate");
        assert_eq!(selected(&bad_action), None);
        let bad_transport = d.replace(
            "http://schemas.xmlsoap.org/soap/http",
            "http://schemas.microsoft.com/ws/06/2004/soap/tcp",
        );
        assert_eq!(selected(&bad_transport), None);
    }
}
