//! Expectations: a case's `expect` table, parsed into one typed variant per key (STYLE.md 1).
//! Each step family has its own enum, so a key that does not fit its step is refused when the
//! suite loads, with the key's line and column; a key that can only be `true` is a unit variant,
//! so `https_only = false` is refused at load time too.

use super::model::{Family, StatusExpect, StepKind};
use crate::flow::WsTrustVersion;
use serde::Serialize;
use std::fmt;

/// Expectations about the HTTP exchange itself: any step family (SPEC.md TLS, PRE-1, PRE-7, MEX-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportExpect {
    /// `status`: the final answer's HTTP status. PRE-1, PRE-5, MEX-1, WSF-1.
    Status(StatusExpect),
    /// `content_type`: the answer's media type, parameters ignored. PRE-7.
    ContentType(String),
    /// `valid_certificate = true`: https with a certificate valid for the host. TLS-1.
    ValidCertificate,
    /// `no_http_redirect = true`: no redirect to http (none at all where the client follows
    /// none). TLS-2.
    NoHttpRedirect,
    /// `public_root = true`: the chain ends in a public root, not in an extra CA. TLS-3.
    PublicRoot,
    /// `timely = true`: every answer of the step arrives within macOS's 30 s. TLS-4.
    Timely,
    /// `ats_protocol = true`: the negotiated protocol is TLS 1.2 or 1.3. TLS-5.
    AtsProtocol,
    /// `ats_cipher_suite = true`: the negotiated suite is one ATS accepts. TLS-6.
    AtsCipherSuite,
    /// `strong_key = true`: RSA ≥ 2048 or EC ≥ 256 bits, SHA-2 signatures. TLS-7.
    StrongKey,
    /// `name_in_san = true`: the host is in the leaf's subjectAltName. TLS-8.
    NameInSan,
    /// `server_auth_eku = true`: the leaf's extendedKeyUsage lists serverAuth. TLS-9.
    ServerAuthEku,
    /// `validity_period = true`: the leaf's validity is within Apple's limit. TLS-10.
    ValidityPeriod,
    /// `certificate_transparency = true`: CT proof for a chain to a public root. TLS-11.
    CertificateTransparency,
}

/// Login configuration expectations (SPEC.md CFG): macOS's checks when the configuration is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigExpect {
    /// `request_urn_set = true`: federationRequestURN is set. CFG-1.
    RequestUrnSet,
    /// `preauth_url_set = true`: federationUserPreauthenticationURL is set. CFG-2.
    PreauthUrlSet,
    /// `mex_keypath_set = true`: federationMEXURLKeypath is set. CFG-3.
    MexKeypathSet,
    /// `predicate_evaluates = true`: the predicate compiles and evaluates against `{}`. CFG-4.
    PredicateEvaluates,
    /// `mex_url_set = true`: federationMEXURL is set. CFG-5.
    MexUrlSet,
    /// `https_urls = true`: the URL keys are absolute https URLs. CFG-6.
    HttpsUrls,
}

/// Preauthentication expectations (SPEC.md PRE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PreauthExpect {
    /// `json_object = true`: the body is a JSON object. PRE-2, PRE-5.
    JsonObject,
    /// `predicate = true|false`: what `federationPredicate` evaluates to. PRE-3, PRE-5.
    Predicate(bool),
    /// `mex_url_https = true`: the value at the MEX URL key path is an absolute https URL. PRE-4.
    MexUrlHttps,
    /// `same_json_as = STEP`: the same JSON answer as another step, login names replaced. PRE-6.
    SameJsonAs(StepKind),
    /// `same_outcome_as = STEP`: the same outcome (status class, predicate, MEX URL). PRE-8.
    SameOutcomeAs(StepKind),
    /// `fields_present = [..]`: keys (dotted paths) that must be present. PRE-9.
    FieldsPresent(Vec<String>),
}

/// MEX expectations (SPEC.md MEX).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MexExpect {
    /// `wsdl = true`: well-formed XML containing `wsdl:definitions`. MEX-2.
    Wsdl,
    /// `endpoint_selected = true`: macOS's selection yields an endpoint. MEX-3.
    EndpointSelected,
    /// `preferred_version = "1.3"`: the version macOS selects. MEX-4.
    PreferredVersion(WsTrustVersion),
    /// `also_advertises = "2005"`: a usable username endpoint of this version too. MEX-5.
    AlsoAdvertises(WsTrustVersion),
    /// `https_only = true`: no username endpoint at an http address. MEX-6.
    HttpsOnly,
    /// `no_password_digest = true`: the selected policy does not require a digest. MEX-7.
    NoPasswordDigest,
    /// `clean_address = true`: the selected address is clean and matches `soap12:address`. MEX-8.
    CleanAddress,
    /// `transport_binding = true`: usable username policies assert `sp:TransportBinding`. MEX-9.
    TransportBinding,
    /// `inventory_consistent = true`: every port → binding → policy reference resolves. MEX-10.
    InventoryConsistent,
}

/// WS-Trust login expectations (SPEC.md WST).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginExpect {
    /// `soap_envelope = true`: HTTP 200 and a SOAP 1.2 envelope. WST-1.
    SoapEnvelope,
    /// `nonce_echo = true`: `a:RelatesTo` equals the request's MessageID. WST-2.
    NonceEcho,
    /// `fresh = true`: the Timestamp is within macOS's 120 s window. WST-3.
    Fresh,
    /// `shape = true`: the body shape macOS reads for the version. WST-4.
    Shape,
    /// `token_type_known = true`: an exact TokenType macOS maps to a grant type. WST-5.
    TokenTypeKnown,
    /// `assertion_matches = true`: the assertion TokenType names. WST-6.
    AssertionMatches,
    /// `assertion_current = true`: current, for the request URN, Lifetime agreeing. WST-7.
    AssertionCurrent,
    /// `credential_fault = true`: HTTP 500, a SOAP 1.2 FailedAuthentication fault, no token. WST-8.
    CredentialFault,
    /// `fault_no_token = true`: a SOAP 1.2 fault and no token. WST-9.
    FaultNoToken,
    /// `token_issued = true|false`: a token response, not a fault. WST-13, WST-14.
    TokenIssued(bool),
    /// `saml_urn_token_type = true`: TokenType is one of the two SAML URNs. WST-15.
    SamlUrnTokenType,
    /// `same_login_outcome_as = STEP`: the outcome of another login step. WST-10…12.
    SameLoginOutcomeAs(StepKind),
}

/// WS-Federation metadata expectations (SPEC.md WSF-1…WSF-5, WSF-14, WSF-15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataExpect {
    /// `entity_descriptor = true`: an `md:EntityDescriptor` with an entityID. WSF-1.
    EntityDescriptor,
    /// `sts_role = true`: a RoleDescriptor resolving to `fed:SecurityTokenServiceType`. WSF-2.
    StsRole,
    /// `protocol_support_wsfed = true`: the STS role's `protocolSupportEnumeration` lists the
    /// WS-Federation namespace. WSF-15.
    ProtocolSupportWsfed,
    /// `signing_certificate_current = true`: a signing certificate valid now. WSF-3.
    SigningCertificateCurrent,
    /// `passive_endpoint_https = true`: `PassiveRequestorEndpoint` present, https. WSF-4.
    PassiveEndpointHttps,
    /// `metadata_signed = true`: signed, and the signature verifies. WSF-5.
    MetadataSigned,
    /// `metadata_signature_sha2 = true`: the metadata's signature uses SHA-2. WSF-14.
    MetadataSignatureSha2,
    /// `sts_endpoint = true`: `SecurityTokenServiceEndpoint` present. WSF-5.
    StsEndpoint,
    /// `offers_token_type_of = STEP`: TokenTypesOffered lists the type a sign-in issued. WSF-5.
    OffersTokenTypeOf(StepKind),
}

/// WS-Federation sign-in expectations (SPEC.md WSF-6…WSF-13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigninExpect {
    /// `token_delivered = true|false`: a token leaves the IdP (a form carrying `wresult`, or a
    /// redirect carrying it). WSF-6, WSF-8…10, WSF-12.
    TokenDelivered(bool),
    /// `posts_to_wreply = true`: the token form POSTs wa and wresult to the wreply sent. WSF-6.
    PostsToWreply,
    /// `wctx_echoed = true`: wctx comes back byte-identical. WSF-6.
    WctxEchoed,
    /// `no_placeholder_wctx = true`: without wctx, no placeholder context comes back. WSF-11.
    NoPlaceholderWctx,
    /// `wresult_rstr = true`: wresult is an RSTR (2005 or 1.3) holding an assertion. WSF-7.
    WresultRstr,
    /// `token_audience = true`: the assertion's audience is the wtrealm sent. WSF-7.
    TokenAudience,
    /// `token_current = true`: the assertion is current. WSF-7.
    TokenCurrent,
    /// `token_signature = true`: it verifies with the metadata's signing certificate. WSF-7.
    TokenSignature,
    /// `token_signature_sha2 = true`: the assertion's signature uses SHA-2. WSF-14.
    TokenSignatureSha2,
    /// `connection_selected = true`: the sign-in with `whr=urn:{connection}` delivers. WSF-12.
    ConnectionSelected,
    /// `same_client_as = STEP`: the same client (wreply and audience) as another sign-in. WSF-13.
    SameClientAs(StepKind),
    /// `refused_4xx = true`: a malformed sign-in is refused with a 4xx and no token, never a 5xx.
    /// WSF-16.
    Refused4xx,
}

/// One expectation of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Expectation {
    /// About the HTTP exchange (any step).
    Transport(TransportExpect),
    /// About the login configuration.
    Config(ConfigExpect),
    /// About a preauthentication answer.
    Preauth(PreauthExpect),
    /// About the MEX document.
    Mex(MexExpect),
    /// About a WS-Trust login answer.
    Login(LoginExpect),
    /// About WS-Federation metadata.
    Metadata(MetadataExpect),
    /// About a WS-Federation sign-in.
    Signin(SigninExpect),
}

/// Where an expectation was written: `file:line:col` of its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SourcePos {
    /// The suite file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An expectation and the place its key was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expect {
    /// What is expected.
    pub expectation: Expectation,
    /// Where (None for expectations built in code, such as `inspect`'s).
    pub at: Option<SourcePos>,
}

/// Every key an `expect` table may hold, for messages and the README.
pub const KEYS: &[&str] = &[
    "status",
    "content_type",
    "valid_certificate",
    "no_http_redirect",
    "public_root",
    "timely",
    "ats_protocol",
    "ats_cipher_suite",
    "strong_key",
    "name_in_san",
    "server_auth_eku",
    "validity_period",
    "certificate_transparency",
    "request_urn_set",
    "preauth_url_set",
    "mex_keypath_set",
    "predicate_evaluates",
    "mex_url_set",
    "https_urls",
    "json_object",
    "predicate",
    "mex_url_https",
    "same_json_as",
    "same_outcome_as",
    "fields_present",
    "wsdl",
    "endpoint_selected",
    "preferred_version",
    "also_advertises",
    "https_only",
    "no_password_digest",
    "clean_address",
    "transport_binding",
    "inventory_consistent",
    "soap_envelope",
    "nonce_echo",
    "fresh",
    "shape",
    "token_type_known",
    "assertion_matches",
    "assertion_current",
    "credential_fault",
    "fault_no_token",
    "token_issued",
    "saml_urn_token_type",
    "same_login_outcome_as",
    "entity_descriptor",
    "sts_role",
    "protocol_support_wsfed",
    "signing_certificate_current",
    "passive_endpoint_https",
    "metadata_signed",
    "metadata_signature_sha2",
    "sts_endpoint",
    "offers_token_type_of",
    "token_delivered",
    "posts_to_wreply",
    "wctx_echoed",
    "no_placeholder_wctx",
    "wresult_rstr",
    "token_audience",
    "token_current",
    "token_signature",
    "token_signature_sha2",
    "connection_selected",
    "same_client_as",
    "refused_4xx",
];

fn yes(key: &str, v: &toml::Value) -> Result<(), String> {
    match v {
        toml::Value::Boolean(true) => Ok(()),
        toml::Value::Boolean(false) => Err(format!(
            "`{key} = false` is not a requirement: expected `{key} = true` or no `{key}`"
        )),
        other => Err(format!("`{key}` is {}: expected `true`", value_kind(other))),
    }
}

fn boolean(key: &str, v: &toml::Value) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("`{key}` is {}: expected true or false", value_kind(v)))
}

fn string<'a>(key: &str, v: &'a toml::Value) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("`{key}` is {}: expected a string", value_kind(v)))
}

fn step(key: &str, v: &toml::Value) -> Result<StepKind, String> {
    let s = string(key, v)?;
    StepKind::ALL
        .iter()
        .copied()
        .find(|k| k.name() == s)
        .ok_or_else(|| {
            format!("`{key}`: unknown step {s:?}: expected a step name such as \"login\"")
        })
}

fn version(key: &str, v: &toml::Value) -> Result<WsTrustVersion, String> {
    match string(key, v)? {
        "1.3" => Ok(WsTrustVersion::V13),
        "2005" => Ok(WsTrustVersion::V2005),
        s => Err(format!(
            "`{key}`: {s:?} is not a WS-Trust version: expected \"1.3\" or \"2005\""
        )),
    }
}

fn value_kind(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string {s:?}"),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("{b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "an array".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

impl Expectation {
    /// Parses one `key = value` of an `expect` table; the error says what was expected.
    pub fn parse(key: &str, v: &toml::Value) -> Result<Expectation, String> {
        use Expectation as E;
        use LoginExpect as L;
        use MetadataExpect as M;
        use MexExpect as X;
        use PreauthExpect as P;
        use SigninExpect as S;
        use TransportExpect as T;
        let unit = |e: Expectation| yes(key, v).map(|()| e);
        match key {
            "status" => StatusExpect::try_from(string(key, v)?.to_string())
                .map(|s| E::Transport(T::Status(s))),
            "content_type" => Ok(E::Transport(T::ContentType(string(key, v)?.to_string()))),
            "valid_certificate" => unit(E::Transport(T::ValidCertificate)),
            "no_http_redirect" => unit(E::Transport(T::NoHttpRedirect)),
            "public_root" => unit(E::Transport(T::PublicRoot)),
            "timely" => unit(E::Transport(T::Timely)),
            "ats_protocol" => unit(E::Transport(T::AtsProtocol)),
            "ats_cipher_suite" => unit(E::Transport(T::AtsCipherSuite)),
            "strong_key" => unit(E::Transport(T::StrongKey)),
            "name_in_san" => unit(E::Transport(T::NameInSan)),
            "server_auth_eku" => unit(E::Transport(T::ServerAuthEku)),
            "validity_period" => unit(E::Transport(T::ValidityPeriod)),
            "certificate_transparency" => unit(E::Transport(T::CertificateTransparency)),
            "request_urn_set" => unit(E::Config(ConfigExpect::RequestUrnSet)),
            "preauth_url_set" => unit(E::Config(ConfigExpect::PreauthUrlSet)),
            "mex_keypath_set" => unit(E::Config(ConfigExpect::MexKeypathSet)),
            "predicate_evaluates" => unit(E::Config(ConfigExpect::PredicateEvaluates)),
            "mex_url_set" => unit(E::Config(ConfigExpect::MexUrlSet)),
            "https_urls" => unit(E::Config(ConfigExpect::HttpsUrls)),
            "json_object" => unit(E::Preauth(P::JsonObject)),
            "predicate" => Ok(E::Preauth(P::Predicate(boolean(key, v)?))),
            "mex_url_https" => unit(E::Preauth(P::MexUrlHttps)),
            "same_json_as" => Ok(E::Preauth(P::SameJsonAs(step(key, v)?))),
            "same_outcome_as" => Ok(E::Preauth(P::SameOutcomeAs(step(key, v)?))),
            "fields_present" => {
                let items = v.as_array().ok_or_else(|| {
                    format!(
                        "`{key}` is {}: expected an array of key paths",
                        value_kind(v)
                    )
                })?;
                let mut out = Vec::new();
                for i in items {
                    let s = string(key, i)?;
                    crate::flow::keypath::KeyPath::parse(s).map_err(|e| format!("{key}: {e}"))?;
                    out.push(s.to_string());
                }
                if out.is_empty() {
                    return Err(format!("`{key}` is empty: expected at least one key path"));
                }
                Ok(E::Preauth(P::FieldsPresent(out)))
            }
            "wsdl" => unit(E::Mex(X::Wsdl)),
            "endpoint_selected" => unit(E::Mex(X::EndpointSelected)),
            "preferred_version" => Ok(E::Mex(X::PreferredVersion(version(key, v)?))),
            "also_advertises" => Ok(E::Mex(X::AlsoAdvertises(version(key, v)?))),
            "https_only" => unit(E::Mex(X::HttpsOnly)),
            "no_password_digest" => unit(E::Mex(X::NoPasswordDigest)),
            "clean_address" => unit(E::Mex(X::CleanAddress)),
            "transport_binding" => unit(E::Mex(X::TransportBinding)),
            "inventory_consistent" => unit(E::Mex(X::InventoryConsistent)),
            "soap_envelope" => unit(E::Login(L::SoapEnvelope)),
            "nonce_echo" => unit(E::Login(L::NonceEcho)),
            "fresh" => unit(E::Login(L::Fresh)),
            "shape" => unit(E::Login(L::Shape)),
            "token_type_known" => unit(E::Login(L::TokenTypeKnown)),
            "assertion_matches" => unit(E::Login(L::AssertionMatches)),
            "assertion_current" => unit(E::Login(L::AssertionCurrent)),
            "credential_fault" => unit(E::Login(L::CredentialFault)),
            "fault_no_token" => unit(E::Login(L::FaultNoToken)),
            "token_issued" => Ok(E::Login(L::TokenIssued(boolean(key, v)?))),
            "saml_urn_token_type" => unit(E::Login(L::SamlUrnTokenType)),
            "same_login_outcome_as" => Ok(E::Login(L::SameLoginOutcomeAs(step(key, v)?))),
            "entity_descriptor" => unit(E::Metadata(M::EntityDescriptor)),
            "sts_role" => unit(E::Metadata(M::StsRole)),
            "protocol_support_wsfed" => unit(E::Metadata(M::ProtocolSupportWsfed)),
            "signing_certificate_current" => unit(E::Metadata(M::SigningCertificateCurrent)),
            "passive_endpoint_https" => unit(E::Metadata(M::PassiveEndpointHttps)),
            "metadata_signed" => unit(E::Metadata(M::MetadataSigned)),
            "metadata_signature_sha2" => unit(E::Metadata(M::MetadataSignatureSha2)),
            "sts_endpoint" => unit(E::Metadata(M::StsEndpoint)),
            "offers_token_type_of" => Ok(E::Metadata(M::OffersTokenTypeOf(step(key, v)?))),
            "token_delivered" => Ok(E::Signin(S::TokenDelivered(boolean(key, v)?))),
            "posts_to_wreply" => unit(E::Signin(S::PostsToWreply)),
            "wctx_echoed" => unit(E::Signin(S::WctxEchoed)),
            "no_placeholder_wctx" => unit(E::Signin(S::NoPlaceholderWctx)),
            "wresult_rstr" => unit(E::Signin(S::WresultRstr)),
            "token_audience" => unit(E::Signin(S::TokenAudience)),
            "token_current" => unit(E::Signin(S::TokenCurrent)),
            "token_signature" => unit(E::Signin(S::TokenSignature)),
            "token_signature_sha2" => unit(E::Signin(S::TokenSignatureSha2)),
            "connection_selected" => unit(E::Signin(S::ConnectionSelected)),
            "same_client_as" => Ok(E::Signin(S::SameClientAs(step(key, v)?))),
            "refused_4xx" => unit(E::Signin(S::Refused4xx)),
            _ => {
                let near = crate::suggest::nearest(key, KEYS.iter().copied(), 2.max(key.len() / 4));
                Err(format!(
                    "unknown expectation `{key}`{}: expected one of {}",
                    near.map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default(),
                    KEYS.join(", ")
                ))
            }
        }
    }

    /// The key it is written with.
    pub fn key(&self) -> &'static str {
        use Expectation as E;
        match self {
            E::Transport(t) => match t {
                TransportExpect::Status(_) => "status",
                TransportExpect::ContentType(_) => "content_type",
                TransportExpect::ValidCertificate => "valid_certificate",
                TransportExpect::NoHttpRedirect => "no_http_redirect",
                TransportExpect::PublicRoot => "public_root",
                TransportExpect::Timely => "timely",
                TransportExpect::AtsProtocol => "ats_protocol",
                TransportExpect::AtsCipherSuite => "ats_cipher_suite",
                TransportExpect::StrongKey => "strong_key",
                TransportExpect::NameInSan => "name_in_san",
                TransportExpect::ServerAuthEku => "server_auth_eku",
                TransportExpect::ValidityPeriod => "validity_period",
                TransportExpect::CertificateTransparency => "certificate_transparency",
            },
            E::Config(c) => match c {
                ConfigExpect::RequestUrnSet => "request_urn_set",
                ConfigExpect::PreauthUrlSet => "preauth_url_set",
                ConfigExpect::MexKeypathSet => "mex_keypath_set",
                ConfigExpect::PredicateEvaluates => "predicate_evaluates",
                ConfigExpect::MexUrlSet => "mex_url_set",
                ConfigExpect::HttpsUrls => "https_urls",
            },
            E::Preauth(p) => match p {
                PreauthExpect::JsonObject => "json_object",
                PreauthExpect::Predicate(_) => "predicate",
                PreauthExpect::MexUrlHttps => "mex_url_https",
                PreauthExpect::SameJsonAs(_) => "same_json_as",
                PreauthExpect::SameOutcomeAs(_) => "same_outcome_as",
                PreauthExpect::FieldsPresent(_) => "fields_present",
            },
            E::Mex(m) => match m {
                MexExpect::Wsdl => "wsdl",
                MexExpect::EndpointSelected => "endpoint_selected",
                MexExpect::PreferredVersion(_) => "preferred_version",
                MexExpect::AlsoAdvertises(_) => "also_advertises",
                MexExpect::HttpsOnly => "https_only",
                MexExpect::NoPasswordDigest => "no_password_digest",
                MexExpect::CleanAddress => "clean_address",
                MexExpect::TransportBinding => "transport_binding",
                MexExpect::InventoryConsistent => "inventory_consistent",
            },
            E::Login(l) => match l {
                LoginExpect::SoapEnvelope => "soap_envelope",
                LoginExpect::NonceEcho => "nonce_echo",
                LoginExpect::Fresh => "fresh",
                LoginExpect::Shape => "shape",
                LoginExpect::TokenTypeKnown => "token_type_known",
                LoginExpect::AssertionMatches => "assertion_matches",
                LoginExpect::AssertionCurrent => "assertion_current",
                LoginExpect::CredentialFault => "credential_fault",
                LoginExpect::FaultNoToken => "fault_no_token",
                LoginExpect::TokenIssued(_) => "token_issued",
                LoginExpect::SamlUrnTokenType => "saml_urn_token_type",
                LoginExpect::SameLoginOutcomeAs(_) => "same_login_outcome_as",
            },
            E::Metadata(m) => match m {
                MetadataExpect::EntityDescriptor => "entity_descriptor",
                MetadataExpect::StsRole => "sts_role",
                MetadataExpect::ProtocolSupportWsfed => "protocol_support_wsfed",
                MetadataExpect::SigningCertificateCurrent => "signing_certificate_current",
                MetadataExpect::PassiveEndpointHttps => "passive_endpoint_https",
                MetadataExpect::MetadataSigned => "metadata_signed",
                MetadataExpect::MetadataSignatureSha2 => "metadata_signature_sha2",
                MetadataExpect::StsEndpoint => "sts_endpoint",
                MetadataExpect::OffersTokenTypeOf(_) => "offers_token_type_of",
            },
            E::Signin(s) => match s {
                SigninExpect::TokenDelivered(_) => "token_delivered",
                SigninExpect::PostsToWreply => "posts_to_wreply",
                SigninExpect::WctxEchoed => "wctx_echoed",
                SigninExpect::NoPlaceholderWctx => "no_placeholder_wctx",
                SigninExpect::WresultRstr => "wresult_rstr",
                SigninExpect::TokenAudience => "token_audience",
                SigninExpect::TokenCurrent => "token_current",
                SigninExpect::TokenSignature => "token_signature",
                SigninExpect::TokenSignatureSha2 => "token_signature_sha2",
                SigninExpect::ConnectionSelected => "connection_selected",
                SigninExpect::SameClientAs(_) => "same_client_as",
                SigninExpect::Refused4xx => "refused_4xx",
            },
        }
    }

    /// The step family it applies to (None: any, for the transport expectations).
    pub fn family(&self) -> Option<Family> {
        match self {
            Expectation::Transport(_) => None,
            Expectation::Config(_) => Some(Family::Configuration),
            Expectation::Preauth(_) => Some(Family::Preauth),
            Expectation::Mex(_) => Some(Family::Mex),
            Expectation::Login(_) => Some(Family::Login),
            Expectation::Metadata(_) => Some(Family::WsfedMetadata),
            Expectation::Signin(_) => Some(Family::WsfedSignin),
        }
    }

    /// The step a comparing expectation reads beside the case's own, and the family that step
    /// must have.
    pub fn other_step(&self) -> Option<(StepKind, Family)> {
        match self {
            Expectation::Preauth(
                PreauthExpect::SameJsonAs(s) | PreauthExpect::SameOutcomeAs(s),
            ) => Some((*s, Family::Preauth)),
            Expectation::Login(LoginExpect::SameLoginOutcomeAs(s)) => Some((*s, Family::Login)),
            Expectation::Metadata(MetadataExpect::OffersTokenTypeOf(s))
            | Expectation::Signin(SigninExpect::SameClientAs(s)) => Some((*s, Family::WsfedSignin)),
            _ => None,
        }
    }

    /// True for expectations about the exchange (status, TLS, timing) rather than the body:
    /// they apply offline only where a document came with an exchange.
    pub fn is_transport(&self) -> bool {
        matches!(self, Expectation::Transport(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_parses_and_names_itself() {
        for key in KEYS {
            let v = match *key {
                "status" => toml::Value::String("2xx".into()),
                "content_type" => toml::Value::String("application/json".into()),
                "preferred_version" | "also_advertises" => toml::Value::String("1.3".into()),
                "fields_present" => toml::Value::Array(vec![toml::Value::String("a.b".into())]),
                "same_json_as" | "same_outcome_as" => toml::Value::String("preauth-managed".into()),
                "same_login_outcome_as" => toml::Value::String("login".into()),
                "offers_token_type_of" | "same_client_as" => {
                    toml::Value::String("wsfed-signin".into())
                }
                _ => toml::Value::Boolean(true),
            };
            match Expectation::parse(key, &v) {
                Ok(e) => assert_eq!(e.key(), *key),
                Err(e) => panic!("{key}: {e}"),
            }
        }
    }

    #[test]
    fn unit_keys_refuse_false_and_other_types() {
        let e = Expectation::parse("https_only", &toml::Value::Boolean(false));
        assert_eq!(
            e,
            Err("`https_only = false` is not a requirement: expected `https_only = true` or no `https_only`".into())
        );
        let e = Expectation::parse("fresh", &toml::Value::Integer(1));
        assert_eq!(e, Err("`fresh` is the integer 1: expected `true`".into()));
        let e = Expectation::parse("shpe", &toml::Value::Boolean(true));
        assert!(e.is_err_and(|m| m.starts_with(
            "unknown expectation `shpe` (did you mean `shape`?): expected one of status,"
        )));
    }
}
