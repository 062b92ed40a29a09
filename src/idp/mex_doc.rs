//! The reference IdP's MEX document, shaped as AD FS serves it: WS-Trust 1.3 and 2005 username
//! endpoints, plus endpoints a client must skip (Windows transport, message security over http,
//! a net.tcp binding, a port with an unprefixed binding QName).

use super::defects::{Defect, has};

const NS: &str = r#"xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl" xmlns:tns="http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice""#;
const SP05: &str = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
const SP13: &str = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
const ACTION_13: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
const ACTION_05: &str = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue";

fn transport_binding(sp: &str) -> String {
    format!(
        r#"<sp:TransportBinding xmlns:sp="{sp}"><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout><sp:IncludeTimestamp/></wsp:Policy></sp:TransportBinding>"#
    )
}

fn username_policy(id: &str, sp: &str, tokens: &str, defect: Option<Defect>) -> String {
    let tb = if has(defect, "mex-no-transport-binding") {
        String::new()
    } else {
        transport_binding(sp)
    };
    let hash = if has(defect, "mex-hash-password") {
        "<sp:HashPassword/>"
    } else {
        ""
    };
    format!(
        r#"
  <wsp:Policy wsu:Id="{id}">
    <wsp:ExactlyOne>
      <wsp:All>
        {tb}
        <sp:{tokens} xmlns:sp="{sp}">
          <wsp:Policy>
            <sp:UsernameToken sp:IncludeToken="{sp}/IncludeToken/AlwaysToRecipient">
              <wsp:Policy><sp:WssUsernameToken10/>{hash}</wsp:Policy>
            </sp:UsernameToken>
          </wsp:Policy>
        </sp:{tokens}>
        <wsaw:UsingAddressing/>
      </wsp:All>
    </wsp:ExactlyOne>
  </wsp:Policy>"#
    )
}

fn other_policy(id: &str, body: &str) -> String {
    format!(
        r#"
  <wsp:Policy wsu:Id="{id}">
    <wsp:ExactlyOne>
      <wsp:All>
        {body}
      </wsp:All>
    </wsp:ExactlyOne>
  </wsp:Policy>"#
    )
}

/// The transport of SOAP over HTTP, the only one macOS uses.
const SOAP_HTTP: &str = "http://schemas.xmlsoap.org/soap/http";
/// SOAP over TCP (net.tcp): a transport macOS skips.
const SOAP_TCP: &str = "http://schemas.microsoft.com/ws/06/2004/soap/tcp";

fn binding(name: &str, policy: &str, transport: &str, action: &str) -> String {
    format!(
        r##"
  <wsdl:binding name="{name}" type="tns:IWSTrust">
    <wsp:PolicyReference URI="#{policy}"/>
    <soap12:binding transport="{transport}"/>
    <wsdl:operation name="Issue">
      <soap12:operation soapAction="{action}" style="document"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>"##
    )
}

fn port(name: &str, binding_qname: &str, address: &str, location: &str) -> String {
    format!(
        r#"
    <wsdl:port name="{name}" binding="{binding_qname}">
      <soap12:address location="{location}"/>
      <wsa10:EndpointReference>
        <wsa10:Address>{address}</wsa10:Address>
      </wsa10:EndpointReference>
    </wsdl:port>"#
    )
}

/// Builds the MEX document for an IdP whose https base is `base` (no trailing slash) and whose
/// plain-http twin (never listened on) is `http_base`.
pub fn document(base: &str, http_base: &str, defect: Option<Defect>) -> String {
    let with_13 = !has(defect, "mex-2005-only");
    let with_05 = !has(defect, "mex-13-only");
    let pad = if has(defect, "mex-address-whitespace") {
        "\n\t\t\t\t"
    } else {
        ""
    };
    let qn = |name: &str| {
        if has(defect, "mex-unprefixed-port-qname") {
            name.to_string()
        } else {
            format!("tns:{name}")
        }
    };
    let u13 = format!("{base}/adfs/services/trust/13/usernamemixed");
    let u05 = format!("{base}/adfs/services/trust/2005/usernamemixed");

    let mut policies = String::new();
    policies += &other_policy(
        "WindowsTransport_policy",
        &format!(
            r#"<http:NegotiateAuthentication xmlns:http="http://schemas.microsoft.com/ws/06/2004/policy/http"/>{}"#,
            transport_binding(SP05)
        ),
    );
    policies += &other_policy(
        "Certificate13_policy",
        &format!(
            r#"<sp:AsymmetricBinding xmlns:sp="{SP13}"><wsp:Policy><sp:IncludeTimestamp/></wsp:Policy></sp:AsymmetricBinding><sp:EndorsingSupportingTokens xmlns:sp="{SP13}"><wsp:Policy><sp:X509Token><wsp:Policy><sp:WssX509V3Token10/></wsp:Policy></sp:X509Token></wsp:Policy></sp:EndorsingSupportingTokens>"#
        ),
    );
    if with_05 {
        policies += &username_policy(
            "UserNameWSTrustBinding_IWSTrustFeb2005Async_policy",
            SP05,
            "SignedSupportingTokens",
            defect,
        );
    }
    if with_13 {
        policies += &username_policy(
            "UserNameWSTrustBinding_IWSTrust13Async_policy",
            SP13,
            "SignedEncryptedSupportingTokens",
            defect,
        );
    }
    policies += &other_policy(
        "Kerberos13_policy",
        &format!(
            r#"<sp:SymmetricBinding xmlns:sp="{SP13}"><wsp:Policy><sp:ProtectionToken><wsp:Policy><sp:KerberosToken><wsp:Policy><sp:WssGssKerberosV5ApReqToken11/></wsp:Policy></sp:KerberosToken></wsp:Policy></sp:ProtectionToken></wsp:Policy></sp:SymmetricBinding>"#
        ),
    );

    let mut bindings = String::new();
    bindings += &binding(
        "WindowsTransport_IWSTrustFeb2005Async",
        "WindowsTransport_policy",
        SOAP_HTTP,
        ACTION_05,
    );
    bindings += &binding(
        "CertificateWSTrustBinding_IWSTrust13Async",
        "Certificate13_policy",
        SOAP_HTTP,
        ACTION_13,
    );
    if with_05 {
        bindings += &binding(
            "UserNameWSTrustBinding_IWSTrustFeb2005Async",
            "UserNameWSTrustBinding_IWSTrustFeb2005Async_policy",
            SOAP_HTTP,
            ACTION_05,
        );
    }
    if with_13 {
        // A net.tcp binding of the 1.3 username policy, ahead of the real one: macOS skips it.
        bindings += &binding(
            "UserNameWSTrustBinding_IWSTrust13Async_Tcp",
            "UserNameWSTrustBinding_IWSTrust13Async_policy",
            SOAP_TCP,
            ACTION_13,
        );
        bindings += &binding(
            "UserNameWSTrustBinding_IWSTrust13Async",
            "UserNameWSTrustBinding_IWSTrust13Async_policy",
            SOAP_HTTP,
            ACTION_13,
        );
        if has(defect, "mex-extra-http-endpoint") {
            bindings += &binding(
                "UserNameWSTrustBinding_IWSTrust13Async_Http",
                "UserNameWSTrustBinding_IWSTrust13Async_policy",
                SOAP_HTTP,
                ACTION_13,
            );
        }
    }
    bindings += &binding(
        "KerberosWSTrustBinding_IWSTrust13Async",
        "Kerberos13_policy",
        SOAP_HTTP,
        ACTION_13,
    );

    let mut ports = String::new();
    let wt = format!("{base}/adfs/services/trust/2005/windowstransport");
    ports += &port(
        "WindowsTransport_IWSTrustFeb2005Async",
        "tns:WindowsTransport_IWSTrustFeb2005Async",
        &wt,
        &wt,
    );
    let cm = format!("{base}/adfs/services/trust/13/certificatemixed");
    ports += &port(
        "CertificateWSTrustBinding_IWSTrust13Async",
        "tns:CertificateWSTrustBinding_IWSTrust13Async",
        &cm,
        &cm,
    );
    if with_05 {
        ports += &port(
            "UserNameWSTrustBinding_IWSTrustFeb2005Async",
            &qn("UserNameWSTrustBinding_IWSTrustFeb2005Async"),
            &format!("{u05}{pad}"),
            &u05,
        );
    }
    if with_13 {
        let tcp = format!("{base}/adfs/services/trust/13/usernamemixed-tcp");
        ports += &port(
            "UserNameWSTrustBinding_IWSTrust13Async_Tcp",
            "tns:UserNameWSTrustBinding_IWSTrust13Async_Tcp",
            &tcp,
            &tcp,
        );
        ports += &port(
            "UserNameWSTrustBinding_IWSTrust13Async",
            &qn("UserNameWSTrustBinding_IWSTrust13Async"),
            &format!("{u13}{pad}"),
            &u13,
        );
        if !has(defect, "mex-unprefixed-port-qname") {
            // A second port for the real 1.3 binding, named by an unprefixed QName: macOS never
            // matches it (and takes only the first port of a binding anyway).
            let unp = format!("{base}/adfs/services/trust/13/usernamemixed-unprefixed");
            ports += &port(
                "UserNameWSTrustBinding_IWSTrust13Async_Unprefixed",
                "UserNameWSTrustBinding_IWSTrust13Async",
                &unp,
                &unp,
            );
        }
        if has(defect, "mex-extra-http-endpoint") {
            let h = format!("{http_base}/adfs/services/trust/13/usernamemixed");
            ports += &port(
                "UserNameWSTrustBinding_IWSTrust13Async_Http",
                "tns:UserNameWSTrustBinding_IWSTrust13Async_Http",
                &h,
                &h,
            );
        }
    }
    let km = format!("{http_base}/adfs/services/trust/13/kerberosmixed");
    ports += &port(
        "KerberosWSTrustBinding_IWSTrust13Async",
        "tns:KerberosWSTrustBinding_IWSTrust13Async",
        &km,
        &km,
    );
    if has(defect, "mex-dangling-port") {
        let d = format!("{base}/adfs/services/trust/13/retired");
        ports += &port(
            "RetiredBinding_IWSTrust13Async",
            "tns:RetiredBinding_IWSTrust13Async",
            &d,
            &d,
        );
    }

    let doc = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="SecurityTokenService" targetNamespace="http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice" {NS}>{policies}{bindings}
  <wsdl:service name="SecurityTokenService">{ports}
  </wsdl:service>
</wsdl:definitions>
"#
    );
    if has(defect, "mex-not-well-formed") {
        let cut = doc.find("<wsdl:service").unwrap_or(doc.len() / 2);
        return doc[..cut].to_string();
    }
    doc
}
