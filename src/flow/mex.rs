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

/// The first rule of macOS's selection an endpoint breaks, with the offending value: why macOS
/// cannot use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// The requirement whose message names it: MEX-6 for an http address, MEX-8 for whitespace
    /// around the address, MEX-3 for the rest.
    pub requirement: &'static str,
    /// The rule, as a stable short name (`ws-policy-version`, `http-address`…).
    pub rule: &'static str,
    /// The offending value, as written.
    pub value: String,
    /// The rule and the value, in a sentence.
    pub message: String,
}

impl Cause {
    fn new(rule: &'static str, value: &str, message: String) -> Cause {
        let requirement = match rule {
            "http-address" => "MEX-6",
            "address-whitespace" => "MEX-8",
            _ => "MEX-3",
        };
        Cause {
            requirement,
            rule,
            value: value.to_string(),
            message,
        }
    }
}

/// A username/password endpoint found in the document — one macOS uses, or one that only looks
/// like one (another WS-Policy or WS-SecurityPolicy version, a SOAP 1.1 binding, an address
/// macOS does not read…) with the first rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Its WS-Trust version: the one macOS searched it under, or for one that only looks like a
    /// username endpoint, its binding's soapAction, else its WS-SecurityPolicy namespace.
    pub version: WsTrustVersion,
    /// The policy's `wsu:Id`.
    pub policy_id: String,
    /// The binding that references the policy ("" when none does).
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
    /// The policy's security binding: `TransportBinding` (TLS), `SymmetricBinding` or
    /// `AsymmetricBinding` (message security: the client signs and encrypts the message).
    pub security_binding: Option<String>,
    /// macOS can use it (no rule broken).
    pub usable: bool,
    /// macOS selects it.
    pub selected: bool,
    /// Its only problem is an http address (MEX-6).
    pub http_only_problem: bool,
    /// The first rule it breaks, with the offending value (None: usable).
    pub cause: Option<Cause>,
    /// Why macOS cannot use it: every rule it breaks, the first first.
    pub reasons: Vec<String>,
    /// What does not stop macOS but is worth knowing (an address with trailing whitespace).
    pub notes: Vec<String>,
}

/// A policy of the document (any WS-Policy version, anywhere inside `wsdl:definitions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// `wsu:Id`.
    pub id: Option<String>,
    /// The username-token version it matches as macOS reads it, if any.
    pub username: Option<WsTrustVersion>,
    /// It holds a UsernameToken in some form (macOS may not read it).
    pub looks_like_username: bool,
    /// Its WS-Policy namespace.
    pub namespace: String,
    /// Line in the document.
    pub line: u32,
}

/// A `wsdl:binding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BindingInfo {
    /// `@name`.
    pub name: String,
    /// `wsp:PolicyReference/@URI` (any WS-Policy version).
    pub policy_ref: Option<String>,
    /// `soap12:binding/@transport` (SOAP 1.1's `soap:binding` when there is no soap12 one).
    pub transport: Option<String>,
    /// The binding is SOAP 1.1 (`soap:binding`), which macOS does not read.
    pub soap11: bool,
    /// `wsdl:operation/soap12:operation/@soapAction` values (SOAP 1.1's too).
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
    /// The parse error, when the document is not well-formed (or not text).
    pub parse_error: Option<XmlError>,
    /// Number of `wsdl:definitions` elements anywhere in the document.
    pub definitions: usize,
    /// The endpoint macOS will use.
    pub selected: Option<Selected>,
    /// Every username endpoint, usable or not: those macOS reads in its search order (1.3
    /// first), then those that only look like one.
    pub endpoints: Vec<Endpoint>,
    /// Every policy.
    pub policies: Vec<PolicyInfo>,
    /// Every binding.
    pub bindings: Vec<BindingInfo>,
    /// Every port.
    pub ports: Vec<PortInfo>,
    /// References that resolve to nothing (MEX-10).
    pub dangling: Vec<String>,
    /// Names given to two bindings or two ports (MEX-10, INFO).
    pub duplicates: Vec<String>,
}

impl MexAnalysis {
    /// The endpoint record macOS selects.
    pub fn selected_endpoint(&self) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.selected)
    }

    /// Why macOS's selection yields nothing: each username endpoint with the first rule it
    /// breaks, or that none is advertised.
    pub fn why_none(&self) -> String {
        if self.endpoints.is_empty() {
            return "no username endpoint is advertised (no policy holds a UsernameToken)".into();
        }
        let each: Vec<String> = self
            .endpoints
            .iter()
            .map(|ep| {
                format!(
                    "{}: {}",
                    ep.label(),
                    ep.reasons.first().map(String::as_str).unwrap_or("")
                )
            })
            .collect();
        format!("no username endpoint macOS can use: {}", each.join("; "))
    }
}

impl Endpoint {
    /// "WS-Trust 1.3 binding "X"" (or its policy when no binding references it).
    pub fn label(&self) -> String {
        if self.binding.is_empty() {
            format!(
                "WS-Trust {} policy {}",
                self.version,
                quoted(&self.policy_id)
            )
        } else {
            format!(
                "WS-Trust {} binding {}",
                self.version,
                quoted(&self.binding)
            )
        }
    }

    /// True when its policy uses message security (a symmetric or asymmetric binding) rather
    /// than TLS.
    pub fn message_security(&self) -> bool {
        matches!(
            self.security_binding.as_deref(),
            Some("SymmetricBinding" | "AsymmetricBinding")
        )
    }
}

use super::quoted;

/// WS-Policy 1.5, which macOS does not read.
pub const WSP15: &str = "http://www.w3.org/ns/ws-policy";
/// The SOAP 1.1 WSDL binding namespace (`soap`), which macOS does not read.
pub const SOAP11_WSDL: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// WS-Addressing 2004/08, whose EndpointReference macOS does not read.
pub const WSA04: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";

fn attr<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    n.attribute(name)
}

/// The username-token element when `policy` is a username policy of version `v`, exactly as
/// macOS matches it (SPEC.md "MEX" step 1).
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

/// True for an element of any WS-Policy version named `local`.
fn is_policy_el(n: Node, local: &str) -> bool {
    n.is_element()
        && n.tag_name().name() == local
        && n.tag_name()
            .namespace()
            .is_some_and(|ns| ns == xml::WSP || ns == WSP15 || ns.contains("policy"))
}

/// The UsernameToken of any WS-SecurityPolicy version inside a policy, if any.
fn any_username_token<'a, 'i>(policy: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    policy.descendants().find(|n| {
        n.is_element()
            && n.tag_name().name() == "UsernameToken"
            && n.tag_name()
                .namespace()
                .is_some_and(|ns| ns.to_ascii_lowercase().contains("securitypolicy"))
    })
}

fn security_binding(policy: Node) -> Option<String> {
    ["TransportBinding", "SymmetricBinding", "AsymmetricBinding"]
        .into_iter()
        .find(|b| {
            policy.descendants().any(|n| {
                n.is_element()
                    && n.tag_name().name() == *b
                    && n.tag_name()
                        .namespace()
                        .is_some_and(|ns| ns.to_ascii_lowercase().contains("securitypolicy"))
            })
        })
        .map(str::to_string)
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

/// The version a WS-SecurityPolicy namespace stands for (1.2 and 1.3's `200702`/`200802` for
/// WS-Trust 1.3, the 2005/07 drafts for 2005).
fn version_of_sp(ns: &str) -> Option<WsTrustVersion> {
    if ns.starts_with("http://docs.oasis-open.org/ws-sx/ws-securitypolicy/") {
        Some(WsTrustVersion::V13)
    } else if ns.contains("2005/07/securitypolicy") {
        Some(WsTrustVersion::V2005)
    } else {
        None
    }
}

fn version_of_action(actions: &[String]) -> Option<WsTrustVersion> {
    WsTrustVersion::PREFERENCE
        .into_iter()
        .find(|v| actions.iter().any(|a| a.trim() == issue_action(*v)))
}

/// Why a policy that holds a UsernameToken is not one macOS reads: the first rule it breaks.
fn policy_cause(p: Node, v: WsTrustVersion, in_defs: bool) -> Option<Cause> {
    let pns = p.tag_name().namespace().unwrap_or("");
    if pns != xml::WSP {
        return Some(Cause::new(
            "ws-policy-version",
            pns,
            format!(
                "the policy is in the WS-Policy namespace {}; macOS reads only WS-Policy 2004/09 ({})",
                quoted(pns),
                quoted(xml::WSP)
            ),
        ));
    }
    if !in_defs {
        let parent = p
            .parent_element()
            .map(|e| e.tag_name().name().to_string())
            .unwrap_or_default();
        return Some(Cause::new(
            "policy-placement",
            &parent,
            format!(
                "the username policy is inside {}, not a child of wsdl:definitions: macOS reads only top-level policies referenced with wsp:PolicyReference",
                quoted(&parent)
            ),
        ));
    }
    let tok = any_username_token(p)?;
    let sp = tok.tag_name().namespace().unwrap_or("");
    if sp != sp_ns(v) {
        return Some(Cause::new(
            "ws-securitypolicy-version",
            sp,
            format!(
                "the UsernameToken is in the WS-SecurityPolicy namespace {}; macOS reads {} for WS-Trust {v}",
                quoted(sp),
                quoted(sp_ns(v))
            ),
        ));
    }
    let holder = tok.parent_element().and_then(|x| x.parent_element());
    let holder_name = holder
        .map(|h| h.tag_name().name().to_string())
        .unwrap_or_default();
    if holder_name != supporting_tokens(v) {
        return Some(Cause::new(
            "supporting-tokens",
            &holder_name,
            format!(
                "the UsernameToken is in sp:{holder_name}; macOS reads a WS-Trust {v} one only in sp:{}",
                supporting_tokens(v)
            ),
        ));
    }
    let in_all = holder
        .and_then(|h| h.parent_element())
        .is_some_and(|a| xml::is(a, xml::WSP, "All"))
        && holder
            .and_then(|h| h.parent_element())
            .and_then(|a| a.parent_element())
            .is_some_and(|e| xml::is(e, xml::WSP, "ExactlyOne"))
        && holder
            .and_then(|h| h.parent_element())
            .and_then(|a| a.parent_element())
            .and_then(|e| e.parent_element())
            == Some(p);
    if !in_all {
        return Some(Cause::new(
            "policy-structure",
            &holder_name,
            format!(
                "sp:{holder_name} is not directly under the policy's wsp:ExactlyOne/wsp:All, where macOS looks for it"
            ),
        ));
    }
    if path(tok, &[(xml::WSP, "Policy"), (sp, "WssUsernameToken10")]).is_none() {
        let found: Vec<String> = child(tok, xml::WSP, "Policy")
            .map(|pp| {
                pp.children()
                    .filter(|c| c.is_element())
                    .map(|c| format!("sp:{}", c.tag_name().name()))
                    .collect()
            })
            .unwrap_or_default();
        return Some(Cause::new(
            "username-token-profile",
            &found.join(" "),
            format!(
                "the UsernameToken's policy asserts {}, not sp:WssUsernameToken10",
                if found.is_empty() {
                    "nothing".to_string()
                } else {
                    found.join(", ")
                }
            ),
        ));
    }
    if p.attribute((xml::WSU, "Id")).is_none() {
        return Some(Cause::new(
            "policy-id",
            "",
            "the username policy has no wsu:Id, so no binding can reference it".into(),
        ));
    }
    None
}

/// The rules of steps 2–4 of macOS's selection for a binding of version `v`, and the port and
/// address found: every rule broken, in macOS's order.
struct BindingCheck<'a, 'i> {
    causes: Vec<Cause>,
    port: Option<Node<'a, 'i>>,
    address: Option<String>,
    notes: Vec<String>,
}

fn check_binding<'a, 'i>(
    b: Node<'a, 'i>,
    v: WsTrustVersion,
    ports: &[Node<'a, 'i>],
) -> BindingCheck<'a, 'i> {
    let bname = attr(b, "name").unwrap_or("");
    let mut causes = Vec::new();
    let soap12 = child(b, xml::SOAP12_WSDL, "binding");
    let soap11 = child(b, SOAP11_WSDL, "binding");
    match (soap12, soap11) {
        (None, Some(_)) => causes.push(Cause::new(
            "soap11-binding",
            SOAP11_WSDL,
            format!(
                "binding {} is a SOAP 1.1 binding (soap:binding); macOS reads only soap12:binding",
                quoted(bname)
            ),
        )),
        _ => {
            let transport = soap12.and_then(|t| t.attribute("transport"));
            if transport != Some(SOAP_HTTP_TRANSPORT) {
                causes.push(Cause::new(
                    "transport",
                    transport.unwrap_or(""),
                    format!(
                        "soap12:binding transport is {}, not {}",
                        transport.map(quoted).unwrap_or_else(|| "absent".into()),
                        quoted(SOAP_HTTP_TRANSPORT)
                    ),
                ));
            }
        }
    }
    let actions: Vec<&str> = children(b, xml::WSDL, "operation")
        .filter_map(|o| child(o, xml::SOAP12_WSDL, "operation"))
        .filter_map(|o| o.attribute("soapAction"))
        .collect();
    if soap12.is_some() && !actions.contains(&issue_action(v)) {
        causes.push(Cause::new(
            "soap-action",
            &actions.join(" "),
            format!(
                "no soap12:operation with soapAction {} (found {})",
                quoted(issue_action(v)),
                if actions.is_empty() {
                    "none".to_string()
                } else {
                    actions
                        .iter()
                        .map(|a| quoted(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        ));
    }
    let suffix = format!(":{bname}");
    let port = ports
        .iter()
        .copied()
        .find(|p| attr(*p, "binding").is_some_and(|q| q.ends_with(&suffix)));
    let mut address = None;
    let mut notes = Vec::new();
    match port {
        None => {
            if ports.iter().any(|p| attr(*p, "binding") == Some(bname)) {
                causes.push(Cause::new(
                    "unprefixed-qname",
                    bname,
                    format!(
                        "the port names binding {} without a prefix: macOS matches only prefixed QNames",
                        quoted(bname)
                    ),
                ));
            } else {
                causes.push(Cause::new(
                    "no-port",
                    bname,
                    format!("no wsdl:port uses binding {}", quoted(bname)),
                ));
            }
        }
        Some(p) => {
            address = port_address(p);
            match &address {
                None => {
                    let old = path(p, &[(WSA04, "EndpointReference"), (WSA04, "Address")]);
                    let cause = match (old, soap12_location(p)) {
                        (Some(a), _) => Cause::new(
                            "wsa-2004-address",
                            &text_of(a),
                            format!(
                                "the port's EndpointReference {} is in WS-Addressing 2004/08; macOS reads only 2005/08's wsa10:Address",
                                quoted(&text_of(a))
                            ),
                        ),
                        (None, Some(l)) => Cause::new(
                            "no-epr-address",
                            &l,
                            format!(
                                "the port has soap12:address {} but no wsa10:EndpointReference/wsa10:Address, the only address macOS reads",
                                quoted(&l)
                            ),
                        ),
                        (None, None) => Cause::new(
                            "no-epr-address",
                            "",
                            "the port has no wsa10:EndpointReference/wsa10:Address".into(),
                        ),
                    };
                    causes.push(cause);
                }
                Some(addr) => {
                    let https = addr
                        .get(..8)
                        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
                    let trimmed = addr.trim();
                    if !https && trimmed.len() != addr.len() && addr.trim_start() != addr {
                        causes.push(Cause::new(
                            "address-whitespace",
                            addr,
                            format!(
                                "the address {} has surrounding whitespace: macOS requires it to start with https:// and skips it",
                                quoted(addr)
                            ),
                        ));
                    } else if !https
                        && trimmed
                            .get(..7)
                            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
                    {
                        causes.push(Cause::new(
                            "http-address",
                            addr,
                            format!("the address {} is http, not https", quoted(addr)),
                        ));
                    } else if !https {
                        causes.push(Cause::new(
                            "not-https",
                            addr,
                            format!("the address {} does not start with https://", quoted(addr)),
                        ));
                    } else if trimmed != addr {
                        notes.push(format!(
                            "the address {} has surrounding whitespace: macOS uses it as written (MEX-8)",
                            quoted(addr)
                        ));
                    }
                }
            }
        }
    }
    BindingCheck {
        causes,
        port,
        address,
        notes,
    }
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

/// The policy reference of a binding (any WS-Policy version).
fn policy_reference<'a>(b: Node<'a, '_>) -> Option<(&'a str, bool)> {
    b.children()
        .find(|c| is_policy_el(*c, "PolicyReference"))
        .and_then(|r| {
            r.attribute("URI")
                .map(|u| (u, r.tag_name().namespace() == Some(xml::WSP)))
        })
}

fn endpoint_of(
    v: WsTrustVersion,
    policy: Node,
    binding: Option<Node>,
    first: Option<Cause>,
    check: Option<BindingCheck>,
) -> Endpoint {
    let mut causes: Vec<Cause> = first.into_iter().collect();
    let (mut port, mut address, mut location, mut notes) = (None, None, None, Vec::new());
    if let Some(c) = check {
        causes.extend(c.causes);
        port = c.port.and_then(|p| attr(p, "name")).map(str::to_string);
        location = c.port.and_then(soap12_location);
        address = c.address;
        notes = c.notes;
    }
    let sp_tok = any_username_token(policy);
    let cause = causes.first().cloned();
    Endpoint {
        version: v,
        policy_id: policy
            .attribute((xml::WSU, "Id"))
            .or_else(|| policy.attribute("Id"))
            .unwrap_or("")
            .to_string(),
        binding: binding
            .and_then(|b| attr(b, "name"))
            .unwrap_or("")
            .to_string(),
        port,
        address,
        soap12_location: location,
        hash_password: sp_tok.is_some_and(|t| {
            t.descendants()
                .any(|n| n.is_element() && n.tag_name().name() == "HashPassword")
        }),
        transport_binding: security_binding(policy).as_deref() == Some("TransportBinding"),
        security_binding: security_binding(policy),
        usable: cause.is_none(),
        selected: false,
        http_only_problem: cause.as_ref().is_some_and(|c| c.rule == "http-address"),
        reasons: causes.iter().map(|c| c.message.clone()).collect(),
        cause,
        notes,
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
        for p in d.descendants().filter(|n| is_policy_el(*n, "Policy")) {
            if let Some(id) = p.attribute((xml::WSU, "Id")) {
                all_policy_ids.push(id.to_string());
            }
        }
    }
    for d in &defs {
        for p in d.descendants().filter(|n| is_policy_el(*n, "Policy")) {
            // Nested wsp:Policy elements inside assertions are part of their policy.
            if p.ancestors().skip(1).any(|x| is_policy_el(x, "Policy")) {
                continue;
            }
            let username = WsTrustVersion::PREFERENCE
                .into_iter()
                .find(|v| username_token(p, *v).is_some());
            a.policies.push(PolicyInfo {
                id: p.attribute((xml::WSU, "Id")).map(str::to_string),
                username,
                looks_like_username: any_username_token(p).is_some(),
                namespace: p.tag_name().namespace().unwrap_or("").to_string(),
                line: lines.line_of(p),
            });
        }
        let mut binding_names: Vec<&str> = Vec::new();
        for b in children(*d, xml::WSDL, "binding") {
            let name = attr(b, "name").unwrap_or("");
            if binding_names.contains(&name) {
                a.duplicates.push(format!(
                    "two wsdl:binding elements are named {}",
                    quoted(name)
                ));
            }
            binding_names.push(name);
            let policy_ref = policy_reference(b).map(|(u, _)| u.to_string());
            if let Some(r) = &policy_ref
                && !r
                    .strip_prefix('#')
                    .is_some_and(|id| all_policy_ids.iter().any(|p| p == id))
            {
                a.dangling.push(format!(
                    "binding {} references policy {}, which the document does not define",
                    quoted(name),
                    quoted(r)
                ));
            }
            let soap12 = child(b, xml::SOAP12_WSDL, "binding");
            let soap11 = child(b, SOAP11_WSDL, "binding");
            a.bindings.push(BindingInfo {
                name: name.to_string(),
                policy_ref,
                transport: soap12
                    .or(soap11)
                    .and_then(|t| t.attribute("transport"))
                    .map(str::to_string),
                soap11: soap12.is_none() && soap11.is_some(),
                soap_actions: children(b, xml::WSDL, "operation")
                    .filter_map(|o| {
                        child(o, xml::SOAP12_WSDL, "operation")
                            .or_else(|| child(o, SOAP11_WSDL, "operation"))
                    })
                    .filter_map(|o| o.attribute("soapAction"))
                    .map(str::to_string)
                    .collect(),
                line: lines.line_of(b),
            });
        }
        let mut port_names: Vec<String> = Vec::new();
        for p in ports_of(*d) {
            let binding = attr(p, "binding").unwrap_or("").to_string();
            let name = attr(p, "name").unwrap_or("").to_string();
            if port_names.contains(&name) {
                a.duplicates.push(format!(
                    "two wsdl:port elements are named {}",
                    quoted(&name)
                ));
            }
            port_names.push(name.clone());
            if !binding_names.contains(&local_of_qname(&binding)) {
                a.dangling.push(format!(
                    "port {} references binding {}, which the document does not define",
                    quoted(&name),
                    quoted(&binding)
                ));
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
                if username_token(p, v).is_none() {
                    continue;
                }
                let Some(id) = p.attribute((xml::WSU, "Id")) else {
                    a.endpoints
                        .push(endpoint_of(v, p, None, policy_cause(p, v, true), None));
                    continue;
                };
                let reference = format!("#{id}");
                let mut referenced = false;
                for b in children(*d, xml::WSDL, "binding") {
                    match policy_reference(b) {
                        Some((u, true)) if u == reference => {}
                        _ => continue,
                    }
                    referenced = true;
                    let check = check_binding(b, v, &ports);
                    let mut ep = endpoint_of(v, p, Some(b), None, Some(check));
                    if ep.usable && a.selected.is_none() {
                        ep.selected = true;
                        a.selected = Some(Selected {
                            version: v,
                            address: ep.address.clone().unwrap_or_default(),
                            port: ep.port.clone().unwrap_or_default(),
                            binding: ep.binding.clone(),
                            policy_id: id.to_string(),
                        });
                    }
                    a.endpoints.push(ep);
                }
                if !referenced {
                    a.endpoints.push(unreferenced(v, p, id, *d, &ports));
                }
            }
        }
    }
    // What only looks like a username endpoint: a UsernameToken in a policy macOS does not read.
    for d in &defs {
        let ports = ports_of(*d);
        for p in d.descendants().filter(|n| is_policy_el(*n, "Policy")) {
            if p.ancestors().skip(1).any(|x| is_policy_el(x, "Policy"))
                || WsTrustVersion::PREFERENCE.into_iter().any(|v| {
                    xml::is(p, xml::WSP, "Policy")
                        && p.parent() == Some(*d)
                        && username_token(p, v).is_some()
                })
            {
                continue;
            }
            let Some(tok) = any_username_token(p) else {
                continue;
            };
            let in_defs = p.parent() == Some(*d);
            // The bindings that use it: by reference, or holding it inline.
            let id = p
                .attribute((xml::WSU, "Id"))
                .or_else(|| p.attribute("Id"))
                .unwrap_or("");
            let users: Vec<Node> = children(*d, xml::WSDL, "binding")
                .filter(|b| {
                    p.ancestors().any(|x| x == *b)
                        || policy_reference(*b).is_some_and(|(u, _)| {
                            !id.is_empty() && u.trim().trim_start_matches('#') == id
                        })
                })
                .collect();
            let actions: Vec<String> = users
                .iter()
                .flat_map(|b| {
                    children(*b, xml::WSDL, "operation")
                        .filter_map(|o| {
                            child(o, xml::SOAP12_WSDL, "operation")
                                .or_else(|| child(o, SOAP11_WSDL, "operation"))
                        })
                        .filter_map(|o| o.attribute("soapAction"))
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            // The version the binding speaks (its soapAction), else the policy's.
            let v = version_of_action(&actions)
                .or_else(|| tok.tag_name().namespace().and_then(version_of_sp))
                .unwrap_or(WsTrustVersion::V13);
            let first = policy_cause(p, v, in_defs).or_else(|| {
                // The policy itself is fine for this version: then its reference is not.
                users.first().and_then(|b| {
                    policy_reference(*b).map(|(u, current)| {
                        Cause::new(
                            "policy-reference",
                            u,
                            format!(
                                "binding {} references the policy as {}{}; macOS matches only a WS-Policy 2004/09 wsp:PolicyReference URI={}",
                                quoted(attr(*b, "name").unwrap_or("")),
                                quoted(u),
                                if current { "" } else { " in another WS-Policy namespace" },
                                quoted(&format!("#{id}"))
                            ),
                        )
                    })
                })
            });
            if users.is_empty() {
                a.endpoints.push(endpoint_of(
                    v,
                    p,
                    None,
                    first.clone().or_else(|| Some(no_binding(id))),
                    None,
                ));
            }
            for b in users {
                let check = check_binding(b, v, &ports);
                a.endpoints
                    .push(endpoint_of(v, p, Some(b), first.clone(), Some(check)));
            }
        }
    }
    a
}

fn no_binding(id: &str) -> Cause {
    Cause::new(
        "no-binding",
        id,
        format!(
            "no wsdl:binding references the username policy {}",
            quoted(&format!("#{id}"))
        ),
    )
}

/// A username policy macOS reads that no binding references as `#id`: a binding that
/// references it another way, or none.
fn unreferenced(v: WsTrustVersion, p: Node, id: &str, d: Node, ports: &[Node]) -> Endpoint {
    let loose = children(d, xml::WSDL, "binding").find(|b| {
        policy_reference(*b).is_some_and(|(u, _)| u.trim().trim_start_matches('#') == id)
    });
    match loose {
        Some(b) => {
            let (u, current) = policy_reference(b).unwrap_or(("", true));
            let cause = Cause::new(
                "policy-reference",
                u,
                format!(
                    "binding {} references the policy as {}{}; macOS matches only a WS-Policy 2004/09 wsp:PolicyReference URI={}",
                    quoted(attr(b, "name").unwrap_or("")),
                    quoted(u),
                    if current {
                        ""
                    } else {
                        " in another WS-Policy namespace"
                    },
                    quoted(&format!("#{id}"))
                ),
            );
            let check = check_binding(b, v, ports);
            endpoint_of(v, p, Some(b), Some(cause), Some(check))
        }
        None => endpoint_of(v, p, None, Some(no_binding(id)), None),
    }
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

    fn cause(d: &str) -> Option<(String, &'static str, &'static str, String)> {
        let a = analyse(d.as_bytes());
        assert_eq!(a.selected, None, "{d}");
        a.endpoints.first().and_then(|e| {
            e.cause
                .as_ref()
                .map(|c| (e.binding.clone(), c.requirement, c.rule, c.value.clone()))
        })
    }

    #[test]
    fn near_misses_name_the_first_rule_they_break() {
        let d = doc(&[(V13, "p13", "b13", "tns:b13", "https://h/13")], None);
        // WS-Policy 1.5 instead of 2004/09.
        let ws15 = d.replace(xml::WSP, WSP15);
        assert_eq!(
            cause(&ws15),
            Some(("b13".into(), "MEX-3", "ws-policy-version", WSP15.into()))
        );
        let a = analyse(ws15.as_bytes());
        assert_eq!(a.policies.len(), 1, "the inventory counts the 1.5 policy");
        assert!(a.policies[0].looks_like_username);
        // A SOAP 1.1 binding.
        let soap11 = d.replace(
            r#"<soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>"#,
            r#"<soap:binding xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" transport="http://schemas.xmlsoap.org/soap/http"/>"#,
        );
        assert_eq!(cause(&soap11).map(|c| c.2), Some("soap11-binding"));
        // WS-SecurityPolicy of the other version.
        let sp = d.replace(xml::SP13, xml::SP05);
        assert_eq!(
            cause(&sp).map(|c| (c.2, c.3)),
            Some(("ws-securitypolicy-version", xml::SP05.to_string()))
        );
        // The 2005 container for a 1.3 token.
        let holder = d.replace("SignedEncryptedSupportingTokens", "SignedSupportingTokens");
        assert_eq!(
            cause(&holder).map(|c| (c.2, c.3)),
            Some(("supporting-tokens", "SignedSupportingTokens".to_string()))
        );
        // A leading newline: MEX-8's, with the value.
        let ws = doc(&[(V13, "p13", "b13", "tns:b13", "\n https://h/13")], None);
        assert_eq!(
            cause(&ws),
            Some((
                "b13".into(),
                "MEX-8",
                "address-whitespace",
                "\n https://h/13".into()
            ))
        );
        // An http address: MEX-6's.
        let http = doc(&[(V13, "p13", "b13", "tns:b13", "http://h/13")], None);
        assert_eq!(
            cause(&http).map(|c| (c.1, c.2)),
            Some(("MEX-6", "http-address"))
        );
        // soap12:address without an EndpointReference.
        let no_epr = d.replace(
            "<wsa10:EndpointReference><wsa10:Address>https://h/13</wsa10:Address></wsa10:EndpointReference>",
            "",
        );
        assert_eq!(
            cause(&no_epr).map(|c| (c.2, c.3)),
            Some(("no-epr-address", "https://h/13".to_string()))
        );
        // An EndpointReference of WS-Addressing 2004/08.
        let old = d.replace(
            r#"xmlns:wsa10="http://www.w3.org/2005/08/addressing""#,
            &format!(r#"xmlns:wsa10="{WSA04}""#),
        );
        assert_eq!(cause(&old).map(|c| c.2), Some("wsa-2004-address"));
        // A reference without '#'.
        let unhashed = d.replace("URI=\"#p13\"", "URI=\"p13\"");
        assert_eq!(
            cause(&unhashed).map(|c| (c.2, c.3)),
            Some(("policy-reference", "p13".to_string()))
        );
    }

    #[test]
    fn duplicate_names_are_reported() {
        let d = doc(
            &[
                (V13, "p13", "b", "tns:b", "https://h/13"),
                (V2005, "p05", "b", "tns:b", "https://h/05"),
            ],
            None,
        );
        let a = analyse(d.as_bytes());
        assert_eq!(
            a.duplicates,
            vec![
                "two wsdl:binding elements are named \"b\"".to_string(),
                "two wsdl:port elements are named \"p-b\"".to_string()
            ]
        );
    }

    #[test]
    fn trailing_whitespace_is_a_note_on_a_usable_endpoint() {
        let d = doc(&[(V13, "p13", "b13", "tns:b13", "https://h/13\n\t")], None);
        let a = analyse(d.as_bytes());
        assert!(a.endpoints[0].selected);
        assert_eq!(
            a.endpoints[0].notes,
            vec!["the address \"https://h/13\\n\\t\" has surrounding whitespace: macOS uses it as written (MEX-8)".to_string()]
        );
    }
}
