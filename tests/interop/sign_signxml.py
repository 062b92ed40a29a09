"""Sign an element with Python's signxml (an independent XML-signature implementation).

Usage: sign_signxml.py UNSIGNED_XML ALGORITHM OUT_XML OUT_CERT_DER [--resign-metadata]
  ALGORITHM: rsa-sha256, ecdsa-sha256, or the SHA-1 algorithms older IdPs still sign with
  (rsa-sha1, ecdsa-sha1, dsa-sha1, each with a SHA-1 digest; signxml refuses SHA-1 unless its
  deprecation check is overridden, which is done here).
  A fresh key and self-signed certificate are made with `cryptography`; the signature is
  enveloped, over the root's ID (or AssertionID), with exclusive canonicalisation and a digest of
  the algorithm's hash, the certificate in KeyInfo.
  --resign-metadata: the input is signed federation metadata; its ds:Signature is dropped and
  every KeyDescriptor certificate replaced by the new one before signing, so that the copy
  verifies with its own signing certificate.
Prints {"signed": true, "id": ...}.
"""
import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods

DS = "http://www.w3.org/2000/09/xmldsig#"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


class LegacySigner(XMLSigner):
    """signxml's signer with its SHA-1 refusal (check_deprecated_methods) overridden."""

    def check_deprecated_methods(self):
        pass


def main():
    src, algorithm, out_xml, out_cert = sys.argv[1:5]
    resign = "--resign-metadata" in sys.argv[5:]
    digest = DigestAlgorithm.SHA256
    signer_class = XMLSigner
    if algorithm == "rsa-sha256":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        method = SignatureMethod.RSA_SHA256
    elif algorithm == "rsa-sha1":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        method = SignatureMethod.RSA_SHA1
        digest = DigestAlgorithm.SHA1
        signer_class = LegacySigner
    elif algorithm == "ecdsa-sha1":
        key = ec.generate_private_key(ec.SECP256R1())
        method = SignatureMethod.ECDSA_SHA1
        digest = DigestAlgorithm.SHA1
        signer_class = LegacySigner
    elif algorithm == "dsa-sha1":
        # DSA-SHA1 needs a 160-bit q, which only 1024-bit DSA keys have (FIPS 186-2).
        key = dsa.generate_private_key(key_size=1024)
        method = SignatureMethod.DSA_SHA1
        digest = DigestAlgorithm.SHA1
        signer_class = LegacySigner
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        method = SignatureMethod.ECDSA_SHA256
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signxml interop")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    root = etree.parse(src).getroot()
    if resign:
        for old in root.findall(f"{{{DS}}}Signature"):
            root.remove(old)
        b64 = "".join(
            cert.public_bytes(serialization.Encoding.PEM).decode("ascii").splitlines()[1:-1]
        )
        for c in root.iterfind(f".//{{{MD}}}KeyDescriptor//{{{DS}}}X509Certificate"):
            c.text = b64
    id_attribute = "AssertionID" if root.get("AssertionID") else "ID"
    signer = signer_class(
        method=methods.enveloped,
        signature_algorithm=method,
        digest_algorithm=digest,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(
        root,
        key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        id_attribute=id_attribute,
    )
    with open(out_xml, "wb") as f:
        f.write(etree.tostring(signed))
    with open(out_cert, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.DER))
    print(json.dumps({"signed": True, "id": root.get(id_attribute)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
