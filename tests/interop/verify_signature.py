"""Verify an enveloped XML signature with Python's signxml (an independent implementation).

Usage: verify_signature.py SIGNED_XML CERT_PEM ID_ATTRIBUTE

Prints {"verified": true, ...} or {"verified": false, "error": ...}; exits 0 either way so the
caller decides what it expected.
"""
import json
import sys

from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier


def main():
    xml_path, cert_path, id_attribute = sys.argv[1:4]
    with open(xml_path, "rb") as f:
        data = f.read()
    with open(cert_path, encoding="ascii") as f:
        cert = f.read()
    config = SignatureConfiguration(
        signature_methods=frozenset({SignatureMethod.ECDSA_SHA256, SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        result = XMLVerifier().verify(data, x509_cert=cert, id_attribute=id_attribute, expect_config=config)
        print(json.dumps({"verified": True, "signed_element": result.signed_xml.tag}))
    except Exception as e:  # signxml raises InvalidSignature, InvalidDigest, InvalidInput…
        print(json.dumps({"verified": False, "error": f"{type(e).__name__}: {e}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
